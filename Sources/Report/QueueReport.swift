import Engine
import Foundation
import Postfix

/// `postfleet queue`: every instance's queues across the fleet, the deferral reasons and
/// recipient domains over all of them; with an action, what was selected and done where.
public struct QueueReport: Sendable {
    public let hosts: [HostQueues]
    public let request: QueueRequest
    /// How many reasons and domains the text shows.
    public var top = 10

    public static let schema = "postfleet.queue/1"

    public init(hosts: [HostQueues], request: QueueRequest) {
        self.hosts = hosts
        self.request = request
    }

    /// 0 every host read (and acted on); 2 some host or instance failed; 4 only unreachable hosts.
    public var exitCode: Int32 {
        let failed = hosts.contains { $0.failed && !($0.error?.isUnreachable ?? false) }
        return ExitStatus.of(failed: failed, unreachable: hosts.contains { $0.error != nil }).rawValue
    }

    // MARK: Fleet totals

    /// Every instance's summary merged (bounded as each is).
    public var fleet: QueueSummary {
        var total = QueueSummary(now: hosts.map(\.now).max() ?? 0)
        for host in hosts {
            for instance in host.instances { total.merge(instance.summary) }
        }
        return total
    }

    /// A normalized reason, the recipients delayed for it and the hosts where it was seen.
    public struct Reason: Sendable, Hashable {
        public var text: String
        public var recipients: Int
        public var hosts: [String]
    }

    /// Every reason across the fleet, the most recipients first.
    public var reasons: [Reason] {
        var counts: [String: (Int, [String])] = [:]
        for host in hosts {
            var here: [String: Int] = [:]
            for instance in host.instances {
                for (reason, n) in instance.summary.reasons { here[reason, default: 0] += n }
            }
            for (reason, n) in here {
                counts[reason, default: (0, [])].0 += n
                counts[reason, default: (0, [])].1.append(host.host)
            }
        }
        return counts.map { Reason(text: $0.key, recipients: $0.value.0, hosts: $0.value.1) }
            .sorted { ($0.recipients, $1.text) > ($1.recipients, $0.text) }
    }

    // MARK: Text

    public var text: String {
        var out = request.action == nil ? queueTable() : actionTable()
        for host in hosts where host.error != nil || host.listFailure != nil {
            if let e = host.error {
                let attempts = host.connectAttempts > 1 ? " (after \(host.connectAttempts) attempts)" : ""
                out += "\(host.host): \(e.isUnreachable ? "unreachable" : "failed"): \(e.phase.rawValue): \(e.message)\(attempts)\n"
            } else if let failure = host.listFailure {
                out += "\(host.host): failed: queue: \(failure)\n"
            }
        }
        for host in hosts {
            for instance in host.instances {
                if let failure = instance.failure { out += "\(host.host) \(instance.name): failed: postqueue -c \(instance.instance.configDirectory) -j: \(failure)\n" }
                if let outcome = host.outcomes?[instance.instance.configDirectory] {
                    if let failure = outcome.failure { out += "\(host.host) \(instance.name): failed: \(request.action?.rawValue ?? ""): \(failure)\n" }
                    if !outcome.notDone.isEmpty {
                        out += "\(host.host) \(instance.name): failed: \(outcome.notDone.count) not \(request.action?.done ?? "done"): \(outcome.notDone.prefix(5).joined(separator: " "))\n"
                    }
                }
            }
        }
        if request.action == nil {
            out += reasonsText() + domainsText()
        }
        out += summaryLine()
        return out
    }

    private func queueTable() -> String {
        let header = ["HOST", "INSTANCE", "INCOMING", "ACTIVE", "DEFERRED", "HOLD", "SIZE", "OLDEST"]
        let rows = hosts.filter { $0.error == nil && $0.listFailure == nil }.map { host in
            (host.host, host.instances.map { instance -> [String] in
                let s = instance.summary
                func n(_ q: QueueName) -> String { String(s.queues[q]?.messages ?? 0) }
                // postqueue -j lists new mail in maildrop as well as incoming: both count as incoming.
                let incoming = (s.queues[.incoming]?.messages ?? 0) + (s.queues[.maildrop]?.messages ?? 0)
                return [instance.name, String(incoming), n(.active), n(.deferred), n(.hold),
                        Self.size(s.bytes), s.oldestAge.map(Self.age) ?? "-"]
            })
        }
        // The fullest queues first.
        return GroupedTable.grouped(header, rows) { rows in rows.reduce(0) { sum, row in sum + row[1...4].reduce(0) { $0 + (Int($1) ?? 0) } } }
    }

    private func actionTable() -> String {
        let action = request.action!
        let header = request.check
            ? ["HOST", "INSTANCE", "SELECTED", "FIRST IDS"]
            : ["HOST", "INSTANCE", "SELECTED", action.done.uppercased(), "GONE", "NOT " + action.done.uppercased()]
        let rows = hosts.filter { $0.error == nil && $0.listFailure == nil }.map { host in
            (host.host, host.instances.map { instance -> [String] in
                let ids = host.selected[instance.instance.configDirectory] ?? []
                if request.check {
                    let first = ids.prefix(5).joined(separator: " ") + (ids.count > 5 ? " ..." : "")
                    return [instance.name, String(ids.count), first.isEmpty ? "-" : first]
                }
                let o = host.outcomes?[instance.instance.configDirectory]
                return [instance.name, String(ids.count), String(o?.done ?? 0), String(o?.gone ?? 0), String(o?.notDone.count ?? 0)]
            })
        }
        return GroupedTable.grouped(header, rows) { rows in rows.reduce(0) { $0 + (Int($1[1]) ?? 0) } }
    }

    private func reasonsText() -> String {
        let all = reasons
        guard !all.isEmpty else { return "" }
        var out = "\nDeferral reasons (recipients, hosts)\(all.count > top ? ", top \(top) of \(all.count)" : ""):\n"
        let width = all.prefix(top).map { String($0.recipients).count }.max() ?? 0
        for reason in all.prefix(top) {
            let count = String(reason.recipients)
            out += "  \(String(repeating: " ", count: width - count.count))\(count)  \(reason.hosts.count) host\(reason.hosts.count == 1 ? "" : "s") (\(HostSet.fold(reason.hosts)))  \(reason.text)\n"
        }
        return out
    }

    private func domainsText() -> String {
        let domains = fleet.domains.map { ($0.key, $0.value) }.sorted { ($0.1.reduce(0, +), $1.0) > ($1.1.reduce(0, +), $0.0) }
        guard !domains.isEmpty else { return "" }
        var table = [["DOMAIN", "TOTAL"] + QueueSummary.ageBuckets.map(String.init) + ["\(QueueSummary.ageBuckets.last!)+"]]
        for (domain, ages) in domains.prefix(top) {
            table.append([domain, String(ages.reduce(0, +))] + ages.map(String.init))
        }
        let title = "\nRecipient domains by age in minutes (as qshape)\(domains.count > top ? ", top \(top) of \(domains.count)" : ""):\n"
        return title + GroupedTable.columns(table).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
    }

    private func summaryLine() -> String {
        let read = hosts.filter { $0.error == nil && $0.listFailure == nil }
        let instances = read.reduce(0) { $0 + $1.instances.count }
        var line = "\n\(read.count) of \(hosts.count) host\(hosts.count == 1 ? "" : "s") read, \(instances) instance\(instances == 1 ? "" : "s")"
        if let action = request.action {
            let selected = hosts.reduce(0) { $0 + $1.selected.values.reduce(0) { $0 + $1.count } }
            line += ", \(selected) message\(selected == 1 ? "" : "s") selected"
            if request.check {
                line += "; --check: nothing \(action.done)"
            } else {
                let outcomes = hosts.flatMap { $0.outcomes.map { Array($0.values) } ?? [] }
                line += ", \(outcomes.reduce(0) { $0 + $1.done }) \(action.done), \(outcomes.reduce(0) { $0 + $1.gone }) gone"
                let notDone = outcomes.reduce(0) { $0 + $1.notDone.count }
                if notDone > 0 { line += ", \(notDone) not \(action.done)" }
            }
        } else {
            let total = fleet
            line += ", \(total.messages) message\(total.messages == 1 ? "" : "s") (\(Self.size(total.bytes)))"
            // New mail in maildrop counts as incoming, as in the table.
            var queues = total.queues
            if let maildrop = queues.removeValue(forKey: .maildrop) {
                queues[.incoming, default: .init()].messages += maildrop.messages
                queues[.incoming, default: .init()].bytes += maildrop.bytes
            }
            let parts = QueueName.allCases.compactMap { q in queues[q].map { "\($0.messages) \(q.rawValue)" } }
            if !parts.isEmpty { line += ": " + parts.joined(separator: ", ") }
        }
        let failed = hosts.filter { $0.failed && !($0.error?.isUnreachable ?? false) }.count
        let unreachable = hosts.filter { $0.error?.isUnreachable ?? false }.count
        if failed > 0 { line += "; \(failed) failed" }
        if unreachable > 0 { line += "; \(unreachable) unreachable" }
        return line + "\n"
    }

    /// `0`, `950 B`, `12.3 kB`, `4.5 MB`, `1.2 GB`.
    static func size(_ bytes: Int64) -> String {
        if bytes < 1000 { return bytes == 0 ? "0" : "\(bytes) B" }
        let units = ["kB", "MB", "GB", "TB"]
        var value = Double(bytes) / 1000
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return String(format: value < 10 ? "%.1f %@" : "%.0f %@", value, units[unit])
    }

    /// `45s`, `12m`, `3h05m`, `2d04h`.
    static func age(_ seconds: Int64) -> String {
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" }
        if seconds < 86400 { return "\(seconds / 3600)h" + String(format: "%02dm", Int(seconds % 3600 / 60)) }
        return "\(seconds / 86400)d" + String(format: "%02dh", Int(seconds % 86400 / 3600))
    }
}
