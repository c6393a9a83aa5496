import Engine
import Foundation
import SSH

/// The report of an ad-hoc command: each distinct output once, under the hosts that
/// printed it (as ClusterShell's clubak does), then a one-line recap.
public struct CommandReport: Sendable {
    public let outcomes: [CommandOutcome]
    public let seconds: Double

    public init(outcomes: [CommandOutcome], seconds: Double) {
        self.outcomes = outcomes
        self.seconds = seconds
    }

    public var ok: Int { outcomes.filter { $0.status == .ok }.count }
    public var failed: Int { outcomes.filter { $0.status == .failed }.count }
    public var unreachable: Int { outcomes.filter { $0.status == .unreachable }.count }

    /// 0 all ok; 2 any host failed; 4 hosts unreachable and none failed.
    public var exitCode: Int32 {
        ExitStatus.of(failed: failed > 0, unreachable: unreachable > 0).rawValue
    }

    /// What makes two hosts' outcomes the same block.
    private struct Key: Hashable {
        var status: HostStatus
        var stdout: [UInt8]
        var stderr: [UInt8]
        var exit: String
        var error: String
        var attempts: Int
    }

    private func key(_ o: CommandOutcome) -> Key {
        var exit = ""
        if let r = o.result, !r.succeeded {
            exit = r.exitSignal.map { "killed by signal \($0)" } ?? "exit status \(r.exitStatus.map(String.init) ?? "unknown")"
        }
        // An error names its host; group on the rest of it.
        let error = o.error.map { "\($0.phase.rawValue): \($0.message)" } ?? ""
        return Key(status: o.status, stdout: o.result?.stdout ?? [], stderr: o.result?.stderr ?? [], exit: exit, error: error,
                   attempts: o.connectAttempts)
    }

    /// Blocks of identical outcomes: successes first, then failures, then unreachable hosts.
    public var text: String {
        let rank: [HostStatus: Int] = [.ok: 0, .failed: 1, .unreachable: 2]
        let groups = OutcomeGroup.make(outcomes, host: \.host, key: key, rank: { rank[$0.status]! })

        var out = ""
        for group in groups {
            let (k, hosts) = (group.key, group.hosts)
            var title = "\(HostSet.fold(hosts)) (\(hosts.count))"
            if k.status == .unreachable { title += ": unreachable" } else if !k.exit.isEmpty { title += ": \(k.exit)" } else if k.status == .failed { title += ": failed" }
            if k.attempts > 1 { title += k.status == .unreachable ? " after \(k.attempts) attempts" : " (connected after \(k.attempts) attempts)" }
            let rule = String(repeating: "-", count: min(72, max(15, title.count)))
            out += "\(rule)\n\(title)\n\(rule)\n"
            out += block(k.stdout)
            if !k.stderr.isEmpty {
                out += "[stderr]\n" + block(k.stderr)
            }
            if !k.error.isEmpty { out += "error: \(k.error)\n" }
        }
        out += recap + "\n"
        return out
    }

    private func block(_ bytes: [UInt8]) -> String {
        guard !bytes.isEmpty else { return "" }
        let s = String(decoding: bytes, as: UTF8.self)
        return s.hasSuffix("\n") ? s : s + "\n"
    }

    public var recap: String {
        String(format: "ok=%d failed=%d unreachable=%d  (%d host%@ in %.2fs)",
               ok, failed, unreachable, outcomes.count, outcomes.count == 1 ? "" : "s", seconds)
    }

    // MARK: JSON

    struct HostJSON: Encodable {
        var status: HostStatus
        var exit_status: Int32?
        var signal: String?
        var stdout: String
        var stderr: String
        var error: String?
        var phase: String?
        var connect_attempts: Int
        var seconds: Double
    }

    struct SummaryJSON: Encodable {
        var ok: Int
        var failed: Int
        var unreachable: Int
        var seconds: Double
    }

    struct DocumentJSON: Encodable {
        var hosts: [String: HostJSON]
        var summary: SummaryJSON
    }

    /// `{"hosts": {NAME: {...}}, "summary": {...}}`, keys sorted.
    public func json() throws -> Data {
        var hosts: [String: HostJSON] = [:]
        for o in outcomes {
            hosts[o.host] = HostJSON(
                status: o.status,
                exit_status: o.result?.exitStatus,
                signal: o.result?.exitSignal,
                stdout: o.result?.stdoutText ?? "",
                stderr: o.result?.stderrText ?? "",
                error: o.error?.description,
                phase: o.error?.phase.rawValue,
                connect_attempts: o.connectAttempts,
                seconds: roundedSeconds(o.seconds))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(DocumentJSON(hosts: hosts, summary: SummaryJSON(ok: ok, failed: failed, unreachable: unreachable, seconds: roundedSeconds(seconds))))
    }
}
