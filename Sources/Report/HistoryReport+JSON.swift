import Engine
import Foundation

extension HistoryReport {
    /// One host's record of a run: how it ended there and what it changed.
    struct RecordJSON: Encodable {
        var host: String
        @ExplicitNull var result: String?
        var controller_lost: Bool
        @ExplicitNull var ended: String?
        var instances: [ChangeRecord.Instance]
        var lifecycle: [String]
        var tasks: [String]
        /// The files the run swapped in (after a failed run: the files it put back).
        @ExplicitNull var swapped: [ChangeRecord.Swap]?
    }

    struct RunJSON: Encodable {
        var run: String
        var time: String
        var user: String
        var controller: String
        var pid: Int32
        var command: String
        @ExplicitNull var playbook: String?
        @ExplicitNull var playbook_sha256: String?
        @ExplicitNull var restores: String?
        var records: [RecordJSON]
    }

    struct HostJSON: Encodable {
        /// Records shown (after --since).
        var records: Int
        /// Lines of the record that are not postfleet's JSON.
        var unreadable: Int
        @ExplicitNull var error: String?
        @ExplicitNull var phase: String?
        var unreachable: Bool
        var connect_attempts: Int
    }

    struct SummaryJSON: Encodable {
        var hosts: Int
        var hosts_read: Int
        var runs: Int
        var records: Int
        var unreadable: Int
    }

    struct DocumentJSON: Encodable {
        var schema: String
        @ExplicitNull var since: String?
        var runs: [RunJSON]
        var hosts: [String: HostJSON]
        var summary: SummaryJSON
        var exit_code: Int32
    }

    /// The report as JSON, schema `postfleet.history/1`: the runs oldest first, each with
    /// its hosts' records, and per host what was read.
    public func json() throws -> Data {
        let runs = self.runs.map { run in
            let r = run.first
            return RunJSON(
                run: run.run, time: r.time, user: r.user, controller: r.controller, pid: r.pid, command: r.command,
                playbook: r.playbook, playbook_sha256: r.playbookSHA256, restores: r.restores,
                records: run.hosts.map { host, record in
                    RecordJSON(host: host, result: record.result, controller_lost: record.controllerLost ?? false, ended: record.ended,
                               instances: record.instances, lifecycle: record.lifecycle, tasks: record.tasks, swapped: record.swapped)
                })
        }
        var out: [String: HostJSON] = [:]
        for host in hosts {
            out[host.host] = HostJSON(
                records: host.records?.records.filter(shown).count ?? 0, unreadable: host.records?.unreadable ?? 0,
                error: host.error?.description, phase: host.error?.phase.rawValue, unreachable: host.error?.isUnreachable ?? false,
                connect_attempts: host.connectAttempts)
        }
        let doc = DocumentJSON(
            schema: Self.schema, since: since.map(Self.timestamp), runs: runs, hosts: out,
            summary: SummaryJSON(hosts: hosts.count, hosts_read: hosts.filter { $0.records != nil }.count, runs: runs.count,
                                 records: runs.map(\.records.count).reduce(0, +),
                                 unreadable: hosts.map { $0.records?.unreadable ?? 0 }.reduce(0, +)),
            exit_code: exitCode)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(doc)
    }
}
