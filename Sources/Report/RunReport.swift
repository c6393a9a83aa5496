import Planning
import Engine
import Foundation
import SSH

/// The report of a run: what each host and instance went through, hosts with the same
/// outcome grouped, failures with their stderr, then a PLAY RECAP as Ansible prints it.
public struct RunReport: Sendable {
    public let playbook: String
    public let results: [HostRunResult]
    public let seconds: Double
    public let checkMode: Bool

    /// The batches of a rolling run (one batch when the run had no `serial`).
    public let batches: [[String]]
    /// Where a rolling run stopped, when a batch breached its policy.
    public let stop: RolloutOutcome.Stop?

    public init(playbook: String, results: [HostRunResult], seconds: Double, checkMode: Bool = false,
                batches: [[String]] = [], stop: RolloutOutcome.Stop? = nil) {
        self.playbook = playbook
        self.results = results
        self.seconds = seconds
        self.checkMode = checkMode
        self.batches = batches
        self.stop = stop
    }

    public func count(_ status: RunHostStatus) -> Int { results.filter { $0.status == status }.count }

    /// 0 all ok or changed; 2 any failed, or a rolling run stopped; 4 only unreachable.
    public var exitCode: Int32 {
        ExitStatus.of(failed: count(.failed) > 0 || stop != nil, unreachable: count(.unreachable) > 0).rawValue
    }

    // MARK: Text

    /// A host's outcome without timings: equal outcomes print once.
    private func signature(_ r: HostRunResult) -> [String] {
        var lines = ["status \(r.status.rawValue)"]
        if let e = r.connectionError { lines.append("error \(e.phase.rawValue): \(e.message)") }
        lines.append("attempts \(r.connectAttempts)")
        if r.initSystem == "systemd" { lines.append("init systemd") }
        for s in r.steps { lines.append("\(s.instance ?? "")|\(s.action)|\(s.status.rawValue)|\(s.message ?? "")|\(s.stderr ?? "")|\(s.attempts)") }
        return lines
    }

    public var text: String {
        let rank: [RunHostStatus: Int] = [.ok: 0, .changed: 1, .failed: 2, .unreachable: 3]
        let groups = OutcomeGroup.make(results, host: \.host, key: signature, rank: { rank[$0.status]! })

        var out = ""
        for g in groups {
            let r = g.sample
            var title = "\(HostSet.fold(g.hosts)) (\(g.hosts.count)): \(checkMode && r.status == .changed ? "would change" : r.status.rawValue)"
            if r.initSystem == "systemd" { title += " (systemd)" }
            out += title + "\n"
            if let e = r.connectionError {
                out += "  \(e.phase.rawValue): \(e.message)" + (r.connectAttempts > 1 ? " (after \(r.connectAttempts) attempts)" : "") + "\n"
            } else if r.connectAttempts > 1 {
                out += "  connected after \(r.connectAttempts) attempts\n"
            }
            // Per instance, the steps that did something, in order.
            var order: [String] = []
            var byInstance: [String: [StepResult]] = [:]
            for s in r.steps where s.status != .ok {
                let key = s.instance ?? "(host)"
                if byInstance[key] == nil { order.append(key) }
                byInstance[key, default: []].append(s)
            }
            let width = order.map(\.count).max() ?? 0
            for instance in order {
                let steps = byInstance[instance]!
                let words = steps.map { s -> String in
                    var w = s.action
                    if s.status == .failed { w = "FAILED: " + w }
                    if s.status == .skipped { w = "skipped: " + w }
                    if s.attempts > 1 { w += " (\(s.attempts) attempts)" }
                    return w
                }
                out += "  " + instance.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + words.joined(separator: ", ") + "\n"
                for s in steps where s.status == .failed {
                    if let m = s.message { out += "    " + m + "\n" }
                    if let e = s.stderr?.trimmingCharacters(in: .whitespacesAndNewlines), !e.isEmpty {
                        out += e.split(separator: "\n").map { "    | " + $0 }.joined(separator: "\n") + "\n"
                    }
                }
            }
        }
        if let stop {
            // Which hosts were done, which failed, which were never contacted.
            let done = results.filter { $0.status == .ok || $0.status == .changed }.map(\.host)
            let failed = results.filter { $0.status == .failed }.map(\.host)
            let unreachable = results.filter { $0.status == .unreachable }.map(\.host)
            out += "\nSTOPPED after batch \(stop.afterBatch) of \(batches.count): \(stop.reason)\n"
            for (label, hosts) in [("done", done), ("failed", failed), ("unreachable", unreachable), ("not started", stop.notStarted),
                                   ("rolled back", stop.rolledBack)]
            where !hosts.isEmpty {
                out += "  \(label): \(HostSet.fold(hosts)) (\(hosts.count))\n"
            }
        }
        out += "\n" + recap
        return out
    }

    /// `--diff`: per host, per instance, what changes (or would change): main.cf parameters,
    /// master.cf services and table keys, as `+` added, `-` removed, `~` changed.
    public var diffText: String {
        var out = ""
        for r in results where !r.diff.isEmpty {
            out += "--- \(r.host)\n"
            for d in r.diff {
                var section: String?
                for entry in d.entries {
                    let name = entry.section.description
                    if name != section {
                        out += "  \(d.instance) \(name):\n"
                        section = name
                    }
                    out += "    " + entry.line + "\n"
                }
            }
        }
        return out.isEmpty ? "" : out + "\n"
    }

    /// Past this many hosts, the recap folds hosts with the same counts into one line.
    public static let recapPerHostLimit = 50

    /// `PLAY RECAP` with one line per host, as Ansible prints it; past
    /// ``recapPerHostLimit`` hosts, one line per set of hosts with the same counts
    /// (`mta[1-249] (249)`), failed and unreachable ones first, so 1,000 hosts that all
    /// did the same thing are one line, not 1,000.
    public var recap: String {
        let rows: [(host: String, counts: String, rank: Int)] = results.map { r in
            let c = r.counts
            let unreachable = r.status == .unreachable ? 1 : 0
            let counts = ": ok=\(c.ok)".padding(toLength: 10, withPad: " ", startingAt: 0)
                + " changed=\(c.changed)".padding(toLength: 14, withPad: " ", startingAt: 0)
                + " unreachable=\(unreachable)".padding(toLength: 18, withPad: " ", startingAt: 0)
                + " failed=\(c.failed)".padding(toLength: 12, withPad: " ", startingAt: 0)
                + " skipped=\(c.skipped)\n"
            return (r.host, counts, c.failed > 0 || unreachable > 0 ? 0 : c.changed > 0 ? 1 : 2)
        }
        let lines: [(names: String, counts: String)]
        if rows.count <= Self.recapPerHostLimit {
            lines = rows.map { ($0.host, $0.counts) }
        } else {
            lines = OutcomeGroup.make(rows, host: \.host, key: \.counts, rank: \.rank)
                .map { ("\(HostSet.fold($0.hosts)) (\($0.hosts.count))", $0.key) }
        }
        let width = max(26, (lines.map(\.names.count).max() ?? 0) + 1)
        var out = "PLAY RECAP " + String(repeating: "*", count: 60) + "\n"
        for line in lines {
            out += line.names.padding(toLength: width, withPad: " ", startingAt: 0) + line.counts
        }
        out += String(format: "%d host%@: %d ok, %d changed, %d failed, %d unreachable in %.2fs\n",
                      results.count, results.count == 1 ? "" : "s",
                      count(.ok), count(.changed), count(.failed), count(.unreachable), seconds)
        return out
    }

    // MARK: JSON

    /// The JSON schema's identifier; bump on incompatible change.
    public static let schema = "postfleet.run/1"

    struct StepJSON: Encodable {
        var action: String
        var instance: String?
        var status: StepStatus
        var seconds: Double
        var attempts: Int
        var message: String?
        var stderr: String?
    }

    struct InstanceJSON: Encodable {
        var actions: [String]
    }

    struct HostJSON: Encodable {
        var status: RunHostStatus
        var instances: [String: InstanceJSON]
        var steps: [StepJSON]
        var error: String?
        var phase: String?
        var connectAttempts: Int
        var seconds: Double
        /// `systemd` or `postfix`: how the host's instances were driven (absent when its
        /// facts were not read).
        var initSystem: String?

        enum CodingKeys: String, CodingKey {
            case status, instances, steps, error, phase, seconds
            case connectAttempts = "connect_attempts"
            case initSystem = "init"
        }
    }

    struct SummaryJSON: Encodable {
        var ok, changed, failed, unreachable: Int
        var seconds: Double
    }

    struct StopJSON: Encodable {
        var after_batch: Int
        var reason: String
        var not_started: [String]
        var rolled_back: [String]
    }

    struct DocumentJSON: Encodable {
        var schema: String
        var playbook: String
        var check: Bool
        var hosts: [String: HostJSON]
        var batches: [[String]]
        var stopped: StopJSON?
        var summary: SummaryJSON
    }

    public func json() throws -> Data {
        var hosts: [String: HostJSON] = [:]
        for r in results {
            var instances: [String: InstanceJSON] = [:]
            for s in r.steps {
                guard let i = s.instance else { continue }
                var entry = instances[i] ?? InstanceJSON(actions: [])
                if s.status == .changed { entry.actions.append(s.action) }
                instances[i] = entry
            }
            hosts[r.host] = HostJSON(
                status: r.status, instances: instances,
                steps: r.steps.map { StepJSON(action: $0.action, instance: $0.instance, status: $0.status, seconds: roundedSeconds($0.seconds),
                                              attempts: $0.attempts, message: $0.message, stderr: $0.stderr) },
                error: r.connectionError?.description, phase: r.connectionError?.phase.rawValue,
                connectAttempts: r.connectAttempts, seconds: roundedSeconds(r.seconds), initSystem: r.initSystem)
        }
        let doc = DocumentJSON(schema: Self.schema, playbook: playbook, check: checkMode, hosts: hosts,
                               batches: batches.isEmpty ? [results.map(\.host)] : batches,
                               stopped: stop.map { StopJSON(after_batch: $0.afterBatch, reason: $0.reason, not_started: $0.notStarted, rolled_back: $0.rolledBack) },
                               summary: SummaryJSON(ok: count(.ok), changed: count(.changed), failed: count(.failed),
                                                    unreachable: count(.unreachable), seconds: roundedSeconds(seconds)))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(doc)
    }

    // MARK: JUnit

    /// One test case per host and step (and one for an unreachable host), for CI systems.
    public var junit: String {
        func esc(_ s: String) -> String {
            var out = ""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&quot;"
                case "\n", "\t": out.unicodeScalars.append(scalar)
                default:
                    // XML 1.0 forbids most control characters even escaped.
                    if scalar.value < 0x20 { out += "?" } else { out.unicodeScalars.append(scalar) }
                }
            }
            return out
        }
        var cases: [String] = []
        var failures = 0, skipped = 0
        for r in results {
            if let e = r.connectionError {
                failures += 1
                cases.append("    <testcase classname=\"\(esc(r.host))\" name=\"connect\" time=\"\(roundedSeconds(r.seconds))\"><failure message=\"\(esc(e.phase.rawValue + ": " + e.message))\"/></testcase>")
            }
            for s in r.steps {
                let name = esc((s.instance.map { "\($0): " } ?? "") + s.action)
                var body = ""
                switch s.status {
                case .failed:
                    failures += 1
                    body = "<failure message=\"\(esc(s.message ?? "failed"))\">\(esc(s.stderr ?? ""))</failure>"
                case .skipped:
                    skipped += 1
                    body = "<skipped/>"
                case .ok, .changed:
                    break
                }
                cases.append("    <testcase classname=\"\(esc(r.host))\" name=\"\(name)\" time=\"\(roundedSeconds(s.seconds))\">\(body)</testcase>")
            }
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites>
              <testsuite name="postfleet \(esc(playbook))" tests="\(cases.count)" failures="\(failures)" skipped="\(skipped)" time="\(roundedSeconds(seconds))">
            \(cases.joined(separator: "\n"))
              </testsuite>
            </testsuites>

            """
    }
}
