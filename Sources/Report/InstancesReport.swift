import Engine
import Foundation
import Postfix
import SSH

/// `postfleet instances`: one table of every host's instances, then the hosts that could
/// not be read.
public struct InstancesReport: Sendable {
    public let hosts: [HostInstances]

    public init(hosts: [HostInstances]) {
        self.hosts = hosts
    }

    /// 0 every host read; 2 some host answered but its facts could not be read; 4 only
    /// unreachable hosts.
    public var exitCode: Int32 {
        let failed = hosts.contains { $0.error.map { !$0.isUnreachable } ?? false }
        return ExitStatus.of(failed: failed, unreachable: hosts.contains { $0.error != nil }).rawValue
    }

    public var text: String {
        // The UNIT column only where some host's Postfix systemd runs.
        let units = hosts.contains { $0.facts?.systemdControlled ?? false }
        var rows = [["HOST", "INSTANCE", "GROUP", "ENABLED", "RUNNING", "QUEUE"] + (units ? ["UNIT"] : []) + ["CONFIG"]]
        for host in hosts {
            for i in host.facts?.instances ?? [] {
                rows.append([host.host, i.name ?? PostfixInstance.defaultName, i.group ?? "-", i.enabled ? "yes" : "no",
                             i.running ? "yes" : "no", i.queuedMessages.map(String.init) ?? "?"]
                            + (units ? [Self.unitCell(i)] : []) + [i.configDirectory])
            }
        }
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        var out = rows.map { row in
            row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
        for host in hosts {
            guard let e = host.error else { continue }
            let attempts = host.connectAttempts > 1 ? " (after \(host.connectAttempts) attempts)" : ""
            out += "\(host.host): \(e.isUnreachable ? "unreachable" : "failed"): \(e.phase.rawValue): \(e.message)\(attempts)\n"
        }
        let read = hosts.filter { $0.facts != nil }
        out += "\(read.count) of \(hosts.count) host\(hosts.count == 1 ? "" : "s") read, \(read.map { $0.facts!.instances.count }.reduce(0, +)) instances\n"
        return out
    }

    /// `postfix@NAME active`, `postfix@NAME failed, master outside it`, or `-` (no unit).
    static func unitCell(_ i: InstanceFacts) -> String {
        guard let unit = i.unit else { return "-" }
        return unit + " " + (i.unitState ?? "?") + (i.runsOutsideUnit ? ", master outside it" : "")
    }

    struct InstanceJSON: Encodable {
        var name: String
        var group: String?
        var enabled: Bool
        var running: Bool
        var master_pid: Int?
        var queue: Int?
        var config_directory: String
        /// systemd hosts only: the unit, its ActiveState, the master's cgroup, and whether
        /// the master runs outside the unit.
        var unit: String?
        var unit_state: String?
        var master_cgroup: String?
        var outside_unit: Bool?
    }

    struct HostJSON: Encodable {
        var postfix_version: String?
        var instances: [InstanceJSON]
        var error: String?
        var phase: String?
        var connect_attempts: Int
    }

    /// `{"hosts": {NAME: {"instances": [...], ...}}}`, keys sorted.
    public func json() throws -> Data {
        var out: [String: HostJSON] = [:]
        for host in hosts {
            out[host.host] = HostJSON(
                postfix_version: host.facts?.postfixVersion,
                instances: (host.facts?.instances ?? []).map {
                    InstanceJSON(name: $0.name ?? PostfixInstance.defaultName, group: $0.group, enabled: $0.enabled, running: $0.running,
                                 master_pid: $0.masterPID, queue: $0.queuedMessages, config_directory: $0.configDirectory,
                                 unit: $0.unit, unit_state: $0.unitState, master_cgroup: $0.masterCgroup,
                                 outside_unit: $0.unit == nil ? nil : $0.runsOutsideUnit)
                },
                error: host.error?.description, phase: host.error?.phase.rawValue, connect_attempts: host.connectAttempts)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(["hosts": out])
    }
}
