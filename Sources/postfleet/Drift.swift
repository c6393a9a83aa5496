import ArgumentParser
import Fleet
import Report

/// `postfleet drift`: what differs between every host and the playbook; changes nothing.
struct Drift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what differs between every host and a playbook: instances, parameters, services, tables.",
        discussion: """
            The inventory, the playbook and every template are loaded and rendered for every \
            selected host first, as for run; any mistake prints FILE:LINE:COL: error: ... and exits \
            1 with no host contacted. Then, per host: the facts run reads (one round trip), and \
            one more to read the tables whose source differs, for per-key differences. Nothing \
            is changed on any host. Printed per host and instance: instances missing, disabled, \
            in another group, not running, or present when the playbook says absent; main.cf \
            parameters, master.cf services and table keys, as run --diff shows them (+ only in \
            the playbook, - only on the host, ~ live -> playbook); files that differ in text \
            only. Instances the playbook does not mention and its tasks are not compared.
            Exit status: 0 no host drifted (every host checked); 2 some host drifted, or was \
            reached but could not be checked; 4 hosts were unreachable and none drifted; 1 bad \
            input (no host contacted).
            """
    )

    @Argument(help: "The playbook file.")
    var playbook: String

    @OptionGroup var connection: ConnectionFlags

    @Option(name: .customLong("json"), help: "Also write the report as JSON (schema postfleet.drift/1) to this file.")
    var json: String?

    func run() async throws {
        let output = try OutputFile.prepare(json, flag: "--json")
        let workload = try connection.workload(playbook)
        let report = await driftReport(workload, playbook: playbook, connection: connection.settings)
        try finish(text: report.text, exitCode: report.exitCode, files: [(output, report.json)])
    }
}
