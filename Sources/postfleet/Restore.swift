import ArgumentParser
import Fleet
import Foundation
import Report

/// `postfleet restore --run RUN`: put hosts' files back to what an earlier run left.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put hosts' configuration files back to what an earlier run left, as a checked change.",
        discussion: """
            For each host, the change record (/var/log/postfleet.log) says which runs came after \
            RUN and which files each swapped; each such file goes back to the backup \
            FILE.postfleet-LATER that the first of them kept, which holds the file as RUN left it. \
            It is a change like any other: the host lock, --check and --diff, the staged \
            postfix check, an atomic swap with new backups, a reload or restart only where the \
            restored files need one, and a change record naming the run restored. Instances \
            created or destroyed since are not undone. A host whose needed backup was pruned, or \
            that does not know RUN, fails with the reason and is not changed.

            Exit status: as postfleet run (0 ok, 2 a host failed, 4 only unreachable hosts, 1 bad \
            input with nothing contacted).
            """
    )

    @OptionGroup var connection: ConnectionFlags

    @OptionGroup(title: "Changing hosts") var changes: ChangeFlags

    @Option(name: .customLong("run"), help: "The run whose files go back, as postfleet history and backups show it (20261206T121044Z-37fb).")
    var run: String

    @Flag(name: .customLong("check"), help: "Read and report what would change; change nothing.")
    var check = false

    @Flag(name: .customLong("diff"), help: "Show what changes per main.cf parameter, master.cf service and file.")
    var diff = false

    @Option(name: .customLong("json"), help: "Also write the report as JSON (schema postfleet.run/1) to this file.")
    var json: String?

    func validate() throws {
        guard isRunName(run) else {
            throw ValidationError("--run \(run) is not a run name; postfleet history and postfleet backups show them (20261206T121044Z-37fb)")
        }
    }

    func run() async throws {
        let output = try OutputFile.prepare(json, flag: "--json")
        let change = try changes.settings
        let report = await restoreReport(run: run, on: try connection.targets(), connection: connection.settings, check: check,
                                         diff: diff, change: change)
        try finish(text: (diff ? report.diffText : "") + report.text, exitCode: report.exitCode, files: [(output, report.json)])
    }
}
