import ArgumentParser
import Fleet
import Foundation
import Report

/// `postfleet history`: the hosts' change records, run by run.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what runs changed on each host, run by run, from the hosts' change records.",
        discussion: """
            One round trip per host: /var/log/postfleet.log (and the rotated .1 before it), \
            where every change appends one line. Per run, oldest first: who ran it from where, \
            the command, the playbook and its SHA-256, the run it restored; per host its result \
            (ok, failed, unknown; "controller lost" when the controller was gone before the end) \
            and the names of what changed: per instance its main.cf parameters, master.cf \
            services, table keys, files and action. Hosts with the same part in a run share a \
            line. Never a value: the record holds names only. Changes nothing and takes no host lock.

            Exit status: 0 every host read; 2 some host could not be read; 4 only unreachable \
            hosts; 1 bad input (nothing contacted).
            """
    )

    @OptionGroup var connection: ConnectionFlags

    @Option(name: .customLong("since"), help: "Only runs started since: an age (30m, 12h, 2d, 1w) or a UTC date (2026-12-01, 2026-12-01T10:00:00Z).")
    var since: String?

    @Option(name: .customLong("json"), help: "Also write the report as JSON (schema postfleet.history/1) to this file.")
    var json: String?

    func run() async throws {
        let output = try OutputFile.prepare(json, flag: "--json")
        let from = try since.map { (text) throws(InputError) in try historySince(text) }
        let report = await historyReport(on: try connection.targets(), connection: connection.settings, since: from)
        try finish(text: report.text, exitCode: report.exitCode, files: [(output, report.json)])
    }
}
