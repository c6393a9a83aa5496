import ArgumentParser
import Fleet
import Foundation

/// `postfleet inventory`: the inventory as `ansible-inventory` shows it, byte for byte.
struct InventoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Show the inventory as ansible-inventory does.",
        discussion: """
            Reads an Ansible inventory (YAML or INI files, directories, scripts, host lists; \
            several -i merged in order; -e over every variable) with its group_vars/ and host_vars/, \
            and prints what ansible-inventory prints for it, byte for byte: --list (every group, and \
            every host's merged variables, as JSON), --host HOST (one host's variables as JSON) or \
            --graph [GROUP] (the tree of groups and hosts). No host is contacted.

            Exit status: 0 shown; 1 bad input (the error, with FILE:LINE:COL, on stderr).
            """
    )

    @OptionGroup var sources: InventoryFlags

    @Flag(help: "Every group and host, with each host's variables, as JSON.")
    var list = false

    @Option(help: "One host's variables, as JSON.")
    var host: String?

    @Flag(help: "The groups and hosts as a tree, from GROUP (default all).")
    var graph = false

    @Option(name: [.short, .customLong("limit")], help: "With --list: only the hosts this pattern selects.")
    var limit: String?

    @Argument(help: "With --graph: the group to start from.")
    var group: String?

    func validate() throws {
        try refuseControlCharacters([("--host", host), ("-l/--limit", limit), ("GROUP", group)])
        let modes = [list, host != nil, graph].filter { $0 }.count
        if modes != 1 { throw ValidationError("give exactly one of --list, --host HOST, --graph") }
        if group != nil && !graph { throw ValidationError("a GROUP argument goes with --graph only") }
        if limit != nil && !list { throw ValidationError("--limit goes with --list only, as in ansible-inventory") }
    }

    func run() throws {
        let view: InventoryView = host.map { .host($0) } ?? (graph ? .graph(group: group) : .list(limit: limit))
        // As ansible-inventory: vault values shown (inline ones as their envelope).
        let inventory = try sources.options()
        warn(configurationWarnings(inventory.config))
        FileHandle.standardOutput.write(Data((try view.text(of: inventory) + "\n").utf8))
    }
}
