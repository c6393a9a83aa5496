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
        var rows = [["HOST", "INSTANCE", "GROUP", "ENABLED", "RUNNING", "QUEUE", "CONFIG"]]
        for host in hosts {
            for i in host.facts?.instances ?? [] {
                rows.append([host.host, i.name ?? PostfixInstance.defaultName, i.group ?? "-", i.enabled ? "yes" : "no",
                             i.running ? "yes" : "no", i.queuedMessages.map(String.init) ?? "?", i.configDirectory])
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

    struct InstanceJSON: Encodable {
        var name: String
        var group: String?
        var enabled: Bool
        var running: Bool
        var master_pid: Int?
        var queue: Int?
        var config_directory: String
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
                                 master_pid: $0.masterPID, queue: $0.queuedMessages, config_directory: $0.configDirectory)
                },
                error: host.error?.description, phase: host.error?.phase.rawValue, connect_attempts: host.connectAttempts)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(["hosts": out])
    }
}
