import Engine
import Foundation

/// `postfleet history`: the hosts' change records read back and put together by run, oldest
/// first: who ran what, from which playbook, how it ended on each host, and the names of
/// what it changed (never a value: the record holds none). Hosts whose part of a run is the
/// same share a line (`mta[1-3]`).
public struct HistoryReport: Sendable {
    public let hosts: [HostRecordsRead]
    /// `--since`: records of runs that started before it are left out; nil: every record.
    public let since: Date?

    public static let schema = "postfleet.history/1"

    public init(hosts: [HostRecordsRead], since: Date? = nil) {
        self.hosts = hosts
        self.since = since
    }

    /// One run, as the hosts it changed recorded it.
    struct Run {
        var run: String
        /// The first host's record: who, when, which command and playbook (the same on every host).
        var first: ChangeRecord
        /// Each host's records of the run, hosts in the inventory's order.
        var hosts: [(host: String, record: ChangeRecord)]
    }

    /// Whether `record` is shown: it started at or after `--since`. A record whose time
    /// cannot be read is kept: leaving it out would hide a change.
    func shown(_ record: ChangeRecord) -> Bool {
        guard let since, let date = record.date else { return true }
        return date >= since
    }

    /// Every run, oldest first.
    var runs: [Run] {
        var runs: [Run] = []
        var index: [String: Int] = [:]
        for host in hosts {
            for record in host.records?.records ?? [] where shown(record) {
                if let i = index[record.run] {
                    runs[i].hosts.append((host.host, record))
                } else {
                    index[record.run] = runs.count
                    runs.append(Run(run: record.run, first: record, hosts: [(host.host, record)]))
                }
            }
        }
        // Run names start with their UTC start time; the offset keeps equal ones in order.
        return runs.enumerated().sorted { ($0.element.first.time, $0.element.run, $0.offset) < ($1.element.first.time, $1.element.run, $1.offset) }
            .map(\.element)
    }

    /// 0 every host read; 2 some host answered but could not be read; 4 only unreachable
    /// hosts. Failed runs in the record are history, not this command's failure.
    public var exitCode: Int32 { hosts.readExitCode }

    /// `ok`, `failed`, or `unknown` (no result written), and `(controller lost)`.
    static func result(_ r: ChangeRecord) -> String {
        (r.result ?? "unknown") + (r.controllerLost == true ? " (controller lost)" : "")
    }

    /// What a host's record says changed, one line per instance, then postmulti's
    /// operations and the tasks: `postfix-in: parameters myhostname,smtpd_banner; tables virtual[postmaster]; reload`.
    static func changes(_ r: ChangeRecord) -> [String] {
        var lines = r.instances.map { i -> String in
            var parts: [String] = []
            if !i.parameters.isEmpty { parts.append("parameters " + i.parameters.joined(separator: ",")) }
            if !i.services.isEmpty { parts.append("services " + i.services.joined(separator: ",")) }
            if !i.tables.isEmpty {
                parts.append("tables " + i.tables.keys.sorted().map { name in
                    let keys = i.tables[name] ?? []
                    return keys.isEmpty ? name : "\(name)[\(keys.joined(separator: ","))]"
                }.joined(separator: ","))
            }
            if !i.files.isEmpty { parts.append("files " + i.files.joined(separator: ",")) }
            if i.action != "none" || parts.isEmpty { parts.append(i.action) }
            return "\(i.name): " + parts.joined(separator: "; ")
        }
        lines += r.lifecycle
        if !r.tasks.isEmpty { lines.append("tasks: " + r.tasks.joined(separator: ", ")) }
        return lines.isEmpty ? ["nothing changed"] : lines
    }

    public var text: String {
        var out = ""
        let runs = self.runs
        for run in runs {
            let r = run.first
            out += "run \(run.run)  \(r.time)  \(r.user)@\(r.controller)\n"
            out += "  command:  \(r.command)\n"
            if let playbook = r.playbook {
                out += "  playbook: \(playbook)" + (r.playbookSHA256.map { " (sha256 \($0.prefix(16)))" } ?? "") + "\n"
            }
            if let restores = r.restores { out += "  restores: run \(restores)\n" }
            let groups = OutcomeGroup.make(run.hosts, host: { $0.host }, key: { [Self.result($0.record)] + Self.changes($0.record) }, rank: { _ in 0 })
            for group in groups {
                out += "  \(HostSet.fold(group.hosts)): \(group.key[0])\n"
                out += group.key.dropFirst().map { "    \($0)\n" }.joined()
            }
            out += "\n"
        }
        if runs.isEmpty { out += "No runs recorded\(since.map { " since \(Self.timestamp($0))" } ?? "").\n\n" }
        let warnings = hosts.compactMap { host -> String? in
            guard let n = host.records?.unreadable, n > 0 else { return nil }
            return "warning: \(host.host): \(n) line\(n == 1 ? "" : "s") of \(ChangeRecord.hostLog) could not be read (not postfleet's JSON)"
        }
        if !warnings.isEmpty { out += warnings.joined(separator: "\n") + "\n\n" }
        let failures = hosts.compactMap(\.failureLine)
        if !failures.isEmpty { out += "Not read:\n" + failures.joined(separator: "\n") + "\n\n" }
        let read = hosts.filter { $0.records != nil }.count
        let records = runs.map(\.hosts.count).reduce(0, +)
        out += "\(read) of \(hosts.count) host\(hosts.count == 1 ? "" : "s") read, \(runs.count) run\(runs.count == 1 ? "" : "s"), "
            + "\(records) host record\(records == 1 ? "" : "s")\(since.map { " since \(Self.timestamp($0))" } ?? "")\n"
        return out
    }

    /// `2026-12-01T10:00:00Z`.
    static func timestamp(_ date: Date) -> String { date.formatted(.iso8601) }
}
