import ArgumentParser
import Fleet
import Report

/// `postfleet backups`: the backups each run kept of the files it swapped, per host.
struct Backups: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the backups runs kept of each host's configuration files, newest first.",
        discussion: """
            One round trip per host: every FILE.postfleet-RUN beside the live files of each \
            instance's configuration directory, the copy of FILE a run kept just before it \
            swapped the file. Per host, instance and file: when the run started, the run, the \
            backup's size in bytes, newest first; postfleet restore --run RUN goes back to them. \
            Changes nothing and takes no host lock.

            Exit status: 0 every host read; 2 some host could not be read; 4 only unreachable \
            hosts; 1 bad input (nothing contacted).
            """
    )

    @OptionGroup var connection: ConnectionFlags

    @Option(name: .customLong("instance"), help: "Only this instance's files (default, postfix-in, ...).")
    var instance: String?

    @Option(name: .customLong("json"), help: "Also write the report as JSON (schema postfleet.backups/1) to this file.")
    var json: String?

    func run() async throws {
        let output = try OutputFile.prepare(json, flag: "--json")
        let report = await backupsReport(on: try connection.targets(), connection: connection.settings, instance: instance)
        try finish(text: report.text, exitCode: report.exitCode, files: [(output, report.json)])
    }
}
