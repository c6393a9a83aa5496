import ArgumentParser
import Engine
import Foundation
import Report
import SSH

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
        let hosts = try connection.selectedHosts().hosts
        let defaults = try connection.defaults(for: hosts)
        let endpoints = hosts.map { Endpoint($0, defaults: defaults) }
        connection.warnIfUnchecked(endpoints)
        let found = await listInstances(on: endpoints, options: connection.connectionOptions,
                                        forks: connection.forkCount(hosts: endpoints.count), connectRetry: connection.connectRetry())
        let report = InstancesReport(hosts: found)
        FileHandle.standardOutput.write(Data(report.text.utf8))
        try writeReport(json) { try report.json() }
        throw ExitCode(report.exitCode)
    }
}
