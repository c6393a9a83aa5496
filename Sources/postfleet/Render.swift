import ArgumentParser
import Fleet

/// `postfleet render`: every file a playbook would put on hosts, written under a directory.
/// Contacts no host.
struct Render: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render every file a playbook would put on hosts, contacting none.",
        discussion: """
            Loads and checks the inventory, the playbook and every template first; on any mistake \
            it prints FILE:LINE:COL: error: ... and exits 1 with nothing written. Otherwise each \
            host's files go under OUT/HOST/ at their path on the host (OUT/mta3/etc/postfix/main.cf), \
            and one line per host lists them. A main.cf or master.cf given as parameters or services \
            is written as main.cf.postconf or master.cf.postconf: the postconf commands that apply \
            would run.
            """
    )

    @Argument(help: "The playbook file.")
    var playbook: String

    @OptionGroup var sources: InventoryFlags

    @Option(name: .customLong("host"), help: "The host to render for (a host name, or any host pattern).")
    var host: String?

    @Flag(name: .customLong("all"), help: "Render for every host of the inventory.")
    var all = false

    @Option(name: .customLong("out"), help: "The directory to write under (created if missing).")
    var out: String

    func validate() throws {
        try refuseControlCharacters([("--host", host)])
        if host == nil && !all { throw ValidationError("say which hosts: --host HOST, or --all") }
        if host != nil && all { throw ValidationError("give --host or --all, not both") }
    }

    func run() async throws {
        try checkRenderOutput(out)
        // Everything is rendered before anything is written.
        let inventory = try sources.options()
        warn(configurationWarnings(inventory.config))
        let rendered = try renderFiles(playbook: playbook, inventory: inventory, pattern: host)
        OutputSecrets.add(rendered.flatMap { $0.files.flatMap(\.vaultValues) })
        for line in try writeRendered(rendered, playbook: playbook, under: out) { print(OutputSecrets.hiding(in: line)) }
    }
}
