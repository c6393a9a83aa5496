import Planning
import Foundation
import Playbook
import Postfix
import SSH
import ShellQuoting

/// One host's part of a run: where it is, and what the playbook wants there.
public struct HostWork: Sendable {
    public let endpoint: Endpoint
    /// The instances the plays that target the host list, present or absent.
    public let desired: [InstanceSpec]
    /// Its rendered files.
    public let files: [RenderedFile]
    /// The `tasks:` of the plays that target it, run in order once the instances converge.
    public let tasks: [PlayTask]
    /// What must hold after a change before the host counts as done; nil: nothing checked.
    public var health: HealthGate?

    public init(endpoint: Endpoint, desired: [InstanceSpec], files: [RenderedFile], tasks: [PlayTask] = [],
                health: HealthGate? = nil) {
        self.endpoint = endpoint
        self.desired = desired
        self.files = files
        self.tasks = tasks
        self.health = health
    }
}

public struct RolloutOptions: Sendable {
    public var connection: ConnectionOptions
    public var forks: Int
    /// Read facts and report the plan; change nothing.
    public var check: Bool
    /// Compute per-parameter, per-service and per-key differences (fetches the old text of
    /// changed tables: one more round trip on hosts where a table changes).
    public var diff: Bool
    /// How long the apply script may run on a host.
    public var applyTimeout: Duration
    /// How transient connection failures are retried.
    public var connectRetry: Backoff

    public init(connection: ConnectionOptions, forks: Int, check: Bool = false, diff: Bool = false,
                applyTimeout: Duration = .seconds(300), connectRetry: Backoff = Backoff()) {
        self.connection = connection
        self.forks = forks
        self.check = check
        self.diff = diff
        self.applyTimeout = applyTimeout
        self.connectRetry = connectRetry
    }
}

/// Converges every host to what the playbook wants, at most `forks` at once: facts, plan,
/// then one apply script per host that has something to do. `finished` is called as each
/// host ends (for live progress).
public func rollout(_ work: [HostWork], options: RolloutOptions,
                    finished: (@Sendable (HostRunResult) -> Void)? = nil) async -> [HostRunResult] {
    await fanOut(work, limit: options.forks) { item in
        let result = await converge(item, options: options)
        finished?(result)
        return result
    }
}

/// A name for this run's stage directories and backups: UTC time plus a random suffix, so
/// two runs in the same second do not share backups.
public func runIdentifier(_ date: Date = Date()) -> String {
    runTimestamp(date) + "-" + String(UInt16.random(in: .min ... .max), radix: 16)
}

/// `20261125T014456Z`: UTC, sortable, safe in a file name.
public func runTimestamp(_ date: Date) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
    return f.string(from: date)
}

func converge(_ work: HostWork, options: RolloutOptions) async -> HostRunResult {
    let clock = ContinuousClock()
    let start = clock.now
    var result = HostRunResult(host: work.endpoint.name, steps: [])
    let outcome = await withSession(work.endpoint, options: options.connection, backoff: options.connectRetry) { session, attempts in
        if attempts > 1 {
            result.steps.append(StepResult(action: "connected", status: .ok, attempts: attempts))
        }
        try await converge(work, on: session, options: options, into: &result)
    }
    result.connectAttempts = outcome.attempts
    result.connectionError = outcome.error
    result.seconds = (clock.now - start).seconds
    return result
}

private func converge(_ work: HostWork, on session: Session, options: RolloutOptions, into result: inout HostRunResult) async throws {
    let clock = ContinuousClock()
    var t = clock.now
    let facts = try await gatherFacts(session, files: HostPlan.watchedPaths(work.files), modes: HostPlan.secretPaths(work.files),
                                      queues: .only(HostPlan.queuesToCount(work.desired)))
    result.steps.append(StepResult(action: "gathered facts", status: .ok, seconds: (clock.now - t).seconds))

    // For --diff, the old text of each table whose source changed, read before planning.
    let changedTables = options.diff ? HostPlan.changedTables(work.files, facts: facts) : []
    let oldTables = changedTables.isEmpty ? [:] : try await readFiles(changedTables, on: session)
    let plan = HostPlan.make(desired: work.desired, files: work.files, facts: facts, oldTables: oldTables)
    result.diff = plan.instances.filter { !$0.diff.isEmpty }.map { InstanceDiff(instance: $0.instance.name, entries: $0.diff) }

    guard plan.refusals.isEmpty else {
        result.steps.append(StepResult(action: "plan", status: .failed, message: plan.refusals.joined(separator: "; ")))
        return
    }
    let inSync = plan.instances.filter(\.isEmpty).map { StepResult(action: "in sync", instance: $0.instance.name, status: .ok) }
    let script = try ApplyScript(plan: plan, tasks: work.tasks, id: runIdentifier())
    if options.check || (plan.isEmpty && work.tasks.isEmpty) {
        // The plan, step by step, as the apply script would report it.
        result.steps += script.steps.filter { $0.changes && !$0.isRecovery }
            .map { StepResult(action: $0.action, instance: $0.instance, status: .changed) }
        result.steps += inSync
        return
    }

    t = clock.now
    // Not killed on the host at the timeout: the script ignores a lost connection and ends
    // converged or put back as it was, and a TERM half-way would leave neither.
    let run = try await session.exec(script.script, stdin: script.archive, timeout: options.applyTimeout, boundOnHost: false)
    let (steps, completed) = script.results(stdout: run.stdoutText)
    result.steps += steps + inSync
    if !completed {
        result.steps.append(StepResult(action: "apply", status: .failed, seconds: (clock.now - t).seconds,
                                       message: "the apply script ended early (\(run.failureSummary))",
                                       stderr: run.stderrText.isEmpty ? nil : run.stderrText))
    } else if !steps.contains(where: { $0.status == .failed }) {
        // It ended well: what it changed can be undone later. (After a failure the script
        // has already put everything back, and its backups are used up.)
        result.revert = script.revert
    }
    // A host that changed is done only once its instances are healthy.
    if let gate = work.health, result.status == .changed {
        result.steps.append(try await gate.run(on: session))
    }
}

/// The text of `paths` on the host (a missing file reads as empty), in one round trip.
func readFiles(_ paths: [String], on session: Session) async throws -> [String: String] {
    let marker = "@@postfleet-file "
    let script = paths.map { "printf '\\n%s%s\\n' \(Shell.quote(marker)) \(Shell.quote($0)); cat -- \(Shell.quote($0)) 2>/dev/null" }
        .joined(separator: "\n")
    let output = try await session.exec(script).stdoutText
    var files: [String: String] = [:]
    var current: String?
    var lines: [Substring] = []
    func flush() {
        if let current { files[current] = lines.joined(separator: "\n") }
    }
    for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix(marker) {
            flush()
            current = String(line.dropFirst(marker.count))
            lines = []
        } else {
            lines.append(line)
        }
    }
    flush()
    return files
}

/// Runs each host's `revert` (``HostRunResult/revert``), where it has one, at most
/// `options.forks` at once, and adds the outcome to its steps; returns the hosts put back.
/// `results` are `work`'s, in the same order.
func revertChanges(_ results: [HostRunResult], work: [HostWork], options: RolloutOptions) async -> (results: [HostRunResult], reverted: [String]) {
    let action = "rolled back to the previous configuration (rollback_on_failure)"
    let updated: [HostRunResult] = await fanOut(Array(zip(results, work)), limit: options.forks) { result, work in
        guard let revert = result.revert else { return result }
        var result = result
        let clock = ContinuousClock()
        let start = clock.now
        let run = await withSession(work.endpoint, options: options.connection, backoff: options.connectRetry) { session, _ in
            try await session.exec(revert, timeout: options.applyTimeout, boundOnHost: false)
        }
        let (ok, output) = run.value.map { ApplyScript.revertOutcome($0.stdoutText) } ?? (false, "")
        result.steps.append(StepResult(action: action, status: ok ? .changed : .failed, seconds: (clock.now - start).seconds,
                                       message: ok ? nil : run.error.map { "\($0)" } ?? "putting the previous configuration back failed",
                                       stderr: ok || output.isEmpty ? nil : output))
        return result
    }
    let reverted = updated.filter { $0.steps.last?.action == action && $0.steps.last?.status == .changed }.map(\.host)
    return (updated, reverted)
}
