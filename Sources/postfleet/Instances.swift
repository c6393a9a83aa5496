import ArgumentParser
import Fleet
import Report

/// `postfleet instances`: every selected host's Postfix instances in one table.
struct Instances: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every host's Postfix instances: name, group, enabled, running, queue size.",
        discussion: """
            One round trip per host (the facts postfleet run reads, with every queue counted by \
            postqueue -j): the instances postmulti -l lists, whether each master runs, and how \
            many messages each queue holds. Changes nothing. Exit status: 0 every host read; 2 some \
            host's facts could not be read; 4 hosts were unreachable and none failed; 1 bad input.
            """
    )

    @OptionGroup var connection: ConnectionFlags

    @Option(name: .customLong("json"), help: "Also write the table as JSON to this file.")
    var json: String?

    func run() async throws {
        let output = try OutputFile.prepare(json, flag: "--json")
        let report = await instancesReport(on: try connection.targets(), connection: connection.settings)
        try finish(text: report.text, exitCode: report.exitCode, files: [(output, report.json)])
    }
}
