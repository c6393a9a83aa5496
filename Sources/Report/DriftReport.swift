import Planning
import Engine
import Foundation
import SSH

/// `postfleet drift`: per host and instance, what differs from the playbook (as `run
/// --diff` shows it), then each host's outcome and a recap line.
public struct DriftReport: Sendable {
    public let playbook: String
    public let hosts: [HostDrift]
    public let seconds: Double

    public init(playbook: String, hosts: [HostDrift], seconds: Double) {
        self.playbook = playbook
        self.hosts = hosts
        self.seconds = seconds
    }

    public func count(_ status: HostDrift.Status) -> Int { hosts.filter { $0.status == status }.count }

    /// 0 no host drifted (every one checked); 2 some host drifted, or was reached but could
    /// not be checked; 4 hosts were unreachable and none drifted.
    public var exitCode: Int32 {
        ExitStatus.of(failed: count(.drifted) > 0 || count(.failed) > 0, unreachable: count(.unreachable) > 0).rawValue
    }

    // MARK: Text

    /// One instance's differences as lines, with `run --diff`'s wording: state first
    /// (`  postfix-in: not running (run would start it)`), files that differ in text only,
    /// then per section (`  postfix-in main.cf:`) the entries (`    ~ name = live -> playbook`).
    static func lines(_ d: InstanceDrift) -> [String] {
        var out = d.state.map { "  \(d.instance): \($0.message)" }
        out += d.files.map { "  \(d.instance): \($0.message)" }
        var section: String?
        for entry in d.entries {
            let name = entry.section.description
            if name != section {
                out.append("  \(d.instance) \(name):")
                section = name
            }
            out.append("    " + entry.line)
        }
        return out
    }

    /// The differences of the drifted hosts, hosts with the same differences once
    /// (`--- mta[1-3]`).
    public var driftText: String {
        let drifted = hosts.filter { $0.status == .drifted }
        guard !drifted.isEmpty else { return "" }
        let groups = OutcomeGroup.make(drifted, host: \.host, key: { $0.instances.flatMap(Self.lines) }, rank: { _ in 0 })
        var out = "Drift (+ only in the playbook, - only on the host, ~ live -> playbook):\n"
        for g in groups {
            out += "--- \(HostSet.fold(g.hosts))\n"
            out += g.key.map { $0 + "\n" }.joined()
        }
        return out + "\n"
    }

    /// Per host, in a word, and why a host could not be checked; hosts with the same outcome
    /// once: drifted first, then in sync, failed, unreachable.
    public var summaryText: String {
        let rank: [HostDrift.Status: Int] = [.drifted: 0, .inSync: 1, .failed: 2, .unreachable: 3]
        let groups = OutcomeGroup.make(hosts, host: \.host, key: { h -> [String] in
            var key = [h.status.rawValue]
            if h.status == .drifted {
                key += h.instances.map { "\($0.instance): \(Self.summary($0))" }
            }
            if !h.unlisted.isEmpty { key.append("unlisted: \(h.unlisted)") }
            if let e = h.error { key.append("\(e.phase.rawValue): \(e.message)") }
            return key
        }, rank: { rank[$0.status]! })
        var out = ""
        for g in groups {
            let h = g.sample
            let word = switch h.status {
            case .inSync: "no drift"
            case .drifted: "drifted"
            case .failed: "failed"
            case .unreachable: "unreachable"
            }
            out += "\(HostSet.fold(g.hosts)) (\(g.hosts.count)): \(word)\n"
            let width = h.instances.map(\.instance.count).max() ?? 0
            for i in h.instances {
                out += "  " + i.instance.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + Self.summary(i) + "\n"
            }
            if !h.unlisted.isEmpty {
                out += "  not in the playbook (run leaves \(h.unlisted.count == 1 ? "it" : "them") alone): \(h.unlisted.joined(separator: ", "))\n"
            }
            if let e = h.error {
                let attempts = h.connectAttempts > 1 ? " (after \(h.connectAttempts) attempts)" : ""
                out += "  \(e.phase.rawValue): \(e.message)\(attempts)\n"
            }
        }
        return out
    }

    /// `not running, main.cf: 1 parameter, virtual: 2 keys, generic.cdb missing`.
    static func summary(_ d: InstanceDrift) -> String {
        var words = d.state.map(\.short)
        var sections: [String] = []
        var counts: [String: Int] = [:]
        var units: [String: String] = [:]
        for entry in d.entries {
            let name = entry.section.description
            if counts[name] == nil { sections.append(name) }
            counts[name, default: 0] += 1
            switch entry.section {
            case .mainCF: units[name] = "parameter"
            case .masterCF: units[name] = "service"
            case .table: units[name] = "key"
            case .file: units[name] = "change"
            }
        }
        for name in sections {
            let n = counts[name]!
            words.append("\(name): \(n) \(units[name]!)\(n == 1 ? "" : "s")")
        }
        for note in d.files {
            switch note {
            case .textOnly: words.append("\(note.file): text only")
            case .missing, .indexMissing: words.append("\(note.file) missing")
            case .differs: words.append("\(note.file) differs")
            }
        }
        return words.joined(separator: ", ")
    }

    /// `3 hosts: 1 in sync, 1 drifted, 0 failed, 1 unreachable in 0.41s`.
    public var recap: String {
        String(format: "%d host%@: %d in sync, %d drifted, %d failed, %d unreachable in %.2fs\n",
               hosts.count, hosts.count == 1 ? "" : "s",
               count(.inSync), count(.drifted), count(.failed), count(.unreachable), seconds)
    }

    public var text: String {
        driftText + summaryText + recap
    }

    // MARK: JSON

    /// The JSON schema's identifier; bump on incompatible change.
    public static let schema = "postfleet.drift/1"

    struct StateJSON: Encodable {
        var kind: String
        @ExplicitNull var live: String?
        @ExplicitNull var playbook: String?
        var message: String
        var blockers: [String]?
    }

    struct DifferenceJSON: Encodable {
        var section: String
        var key: String
        /// added (only in the playbook), removed (only on the host), changed.
        var change: String
        @ExplicitNull var live: String?
        @ExplicitNull var playbook: String?
        var line: String
    }

    struct FileJSON: Encodable {
        var file: String
        var kind: String
        var message: String
    }

    struct InstanceJSON: Encodable {
        var state: [StateJSON]
        var differences: [DifferenceJSON]
        var files: [FileJSON]
    }

    struct HostJSON: Encodable {
        var status: HostDrift.Status
        var instances: [String: InstanceJSON]
        var unlisted: [String]
        @ExplicitNull var error: String?
        @ExplicitNull var phase: String?
        var connect_attempts: Int
        var seconds: Double
    }

    struct SummaryJSON: Encodable {
        var in_sync, drifted, failed, unreachable: Int
        var seconds: Double
    }

    struct DocumentJSON: Encodable {
        var schema: String
        var playbook: String
        var hosts: [String: HostJSON]
        var summary: SummaryJSON
    }

    static func json(_ d: InstanceDrift) -> InstanceJSON {
        InstanceJSON(
            state: d.state.map {
                var blockers: [String]?
                if case let .present(b) = $0 { blockers = b }
                return StateJSON(kind: $0.kind, live: $0.live, playbook: $0.playbook, message: $0.message, blockers: blockers)
            },
            differences: d.entries.map {
                DifferenceJSON(section: $0.section.description, key: $0.key,
                               change: $0.old == nil ? "added" : $0.new == nil ? "removed" : "changed",
                               live: $0.old, playbook: $0.new, line: $0.line)
            },
            files: d.files.map { FileJSON(file: $0.file, kind: $0.kind, message: $0.message) })
    }

    /// Schema `postfleet.drift/1`: `hosts.NAME.status` (`in_sync`, `drifted`, `failed`,
    /// `unreachable`), `hosts.NAME.instances.INSTANCE` with `state[]`, `differences[]`
    /// (`section`, `key`, `change`, `live`, `playbook`) and `files[]`; keys sorted.
    public func json() throws -> Data {
        var out: [String: HostJSON] = [:]
        for h in hosts {
            out[h.host] = HostJSON(status: h.status,
                                   instances: Dictionary(h.instances.map { ($0.instance, Self.json($0)) }, uniquingKeysWith: { a, _ in a }),
                                   unlisted: h.unlisted, error: h.error?.description, phase: h.error?.phase.rawValue,
                                   connect_attempts: h.connectAttempts, seconds: roundedSeconds(h.seconds))
        }
        let doc = DocumentJSON(schema: Self.schema, playbook: playbook, hosts: out,
                               summary: SummaryJSON(in_sync: count(.inSync), drifted: count(.drifted), failed: count(.failed),
                                                    unreachable: count(.unreachable), seconds: roundedSeconds(seconds)))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(doc)
    }
}
