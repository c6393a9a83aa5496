import AnsibleConfig
import ArgumentParser
import Fleet
import Report
import Foundation

/// `postfleet run`: converge every targeted host to a playbook, all at once, with one report.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Converge hosts to a playbook: instances, files, tables, reloads; one report.",
        discussion: """
            The inventory, the playbook and every template are loaded and rendered for every \
            selected host first; any mistake prints FILE:LINE:COL: error: ... and exits 1 with no \
            host contacted. Then, per host: facts in one round trip, a plan, and (unless there is \
            nothing to do) one apply script: postmulti life-cycle operations, files staged beside \
            their target and checked by Postfix (postconf -n without a warning, postfix check, every \
            table openable) before anything goes live, atomic swaps with a backup NAME.postfleet-ID, \
            then per instance the least disruptive action: nothing, postmap, reload, or stop and \
            start. If anything fails after a swap, the previous files come back and the instance is \
            put back as it was.
            Exit status: 0 every host ok or changed; 2 some host failed; 4 hosts were unreachable \
            and none failed; 1 bad input (no host contacted).
            """
    )

    @Argument(help: "The playbook file.")
    var playbook: String

    @OptionGroup var connection: ConnectionFlags

    @OptionGroup(title: "Changing hosts") var changes: ChangeFlags

    @Flag(name: .customLong("check"), help: "Read facts and report what would change; change nothing.")
    var check = false

    @Flag(name: .customLong("diff"), help: "Show what changes per main.cf parameter, master.cf service and table key.")
    var diff = false

    @Option(name: .customLong("json"), help: "Also write the report as JSON (schema postfleet.run/1) to this file.")
    var json: String?

    @Option(name: .customLong("junit"), help: "Also write a JUnit XML report (one test case per host and step) to this file.")
    var junit: String?

    func run() async throws {
        let files = (json: try OutputFile.prepare(json, flag: "--json"), junit: try OutputFile.prepare(junit, flag: "--junit"))
        let change = try changes.settings
        let workload = try connection.workload(playbook)
        let report = await rolloutReport(workload.hosts, policy: workload.policy, name: playbook, connection: connection.settings,
                                         check: check, diff: diff, change: change,
                                         record: change.record(playbook: playbook))
        let config = try AnsibleConfig.current()
        if config.retryFilesEnabled != false,
           let line = RetryFile.write(for: report, playbook: playbook, directory: config.retryFilesSavePath) {
            FileHandle.standardError.write(Data("postfleet: \(line)\n".utf8))
        }
        try finish(text: (diff ? report.diffText : "") + report.text, exitCode: report.exitCode,
                   files: [(files.json, report.json), (files.junit, { Data(report.junit.utf8) })])
    }
}

