import Foundation
import Playbook
import SSH

/// How a rolling run cuts its hosts into batches: Ansible's `serial`, exactly.
///
/// - A count is that many hosts; a percentage is of all the play's hosts (not of those
///   left), rounded down, and at least 1.
/// - A list is a ramp: each batch takes the next size, and the last size repeats until
///   no host is left (`[1, 5, "25%"]`: a canary, then 5, then quarters).
/// - No `serial`: one batch of every host.
/// The hosts keep their order; every host is in exactly one batch.
public enum Batches {
    /// The number of hosts `size` means for a play of `total` hosts.
    public static func count(_ size: Policy.BatchSize, of total: Int) -> Int {
        switch size {
        case let .count(n): return max(1, n)
        case let .percent(p): return max(1, total * p / 100)
        }
    }

    public static func split<Host>(_ hosts: [Host], serial: [Policy.BatchSize]) -> [[Host]] {
        guard !serial.isEmpty else { return hosts.isEmpty ? [] : [hosts] }
        var batches: [[Host]] = []
        var start = 0
        var item = 0
        while start < hosts.count {
            let size = count(serial[item], of: hosts.count)
            let end = min(hosts.count, start + size)
            batches.append(Array(hosts[start..<end]))
            start = end
            item = min(item + 1, serial.count - 1)
        }
        return batches
    }
}

/// When a rolling run stops before its next batch, as Ansible decides it.
///
/// A batch's failures are its failed hosts, plus its unreachable hosts unless the policy
/// says they do not count (they are reported apart either way). The run stops when:
/// - `any_errors_fatal` is set and one host failed;
/// - `max_fail_percentage` is set and the failed share of the batch *exceeds* it (so 0
///   stops at the first failure, and 100 never stops on its own);
/// - no host of the batch succeeded: all failed or were unreachable (Ansible stops then,
///   whatever the policy says, and so does postfleet).
/// (Ansible's own `max_fail_percentage` counts failed hosts only; postfleet counts
/// unreachable ones too by default, because a host that cannot be reached in the middle of
/// a rolling restart may be a host that did not come back.)
public struct FailureThreshold: Sendable, Equatable {
    public var maxFailPercentage: Double?
    public var anyErrorsFatal: Bool
    public var unreachableCountsAsFailure: Bool

    public init(maxFailPercentage: Double? = nil, anyErrorsFatal: Bool = false, unreachableCountsAsFailure: Bool = true) {
        self.maxFailPercentage = maxFailPercentage
        self.anyErrorsFatal = anyErrorsFatal
        self.unreachableCountsAsFailure = unreachableCountsAsFailure
    }

    public init(_ policy: Policy) {
        self.init(maxFailPercentage: policy.maxFailPercentage, anyErrorsFatal: policy.anyErrorsFatal ?? false,
                  unreachableCountsAsFailure: policy.unreachableCountsAsFailure ?? true)
    }

    /// The failures that count for a batch with these outcomes.
    public func failures(failed: Int, unreachable: Int) -> Int {
        failed + (unreachableCountsAsFailure ? unreachable : 0)
    }

    /// Whether the run must stop after a batch of `batchSize` hosts with these outcomes.
    public func isBreached(batchSize: Int, failed: Int, unreachable: Int) -> Bool {
        breach(batchSize: batchSize, failed: failed, unreachable: unreachable) != nil
    }

    /// Why the run must stop after such a batch, or nil when it goes on.
    public func breach(batchSize: Int, failed: Int, unreachable: Int) -> String? {
        guard batchSize > 0 else { return nil }
        let outcome = "\(failed) failed and \(unreachable) unreachable of \(batchSize) host\(batchSize == 1 ? "" : "s")"
        let counted = failures(failed: failed, unreachable: unreachable)
        if counted > 0, anyErrorsFatal { return "any_errors_fatal (\(outcome))" }
        if counted > 0, let limit = maxFailPercentage, Double(counted) / Double(batchSize) > limit / 100 {
            let share = (Double(counted) / Double(batchSize) * 1000).rounded() / 10
            return "\(share.formatted())% of the batch failed, more than max_fail_percentage \(limit.formatted()) (\(outcome))"
        }
        if failed + unreachable >= batchSize { return "no host of the batch succeeded (\(outcome))" }
        return nil
    }
}

/// Exponential backoff with full jitter: before try `n + 1`, after `n` failed tries, wait a
/// uniformly random time from zero to `min(cap, base × 2^(n−1))`. Full jitter spreads the
/// retries of many hosts that failed at the same moment (a switch, a restarted bastion)
/// instead of sending them back in waves.
public struct Backoff: Sendable, Equatable {
    /// Tries in all, the first included; 1 means no retry.
    public var attempts: Int
    public var base: Duration
    public var cap: Duration

    public init(attempts: Int = 3, base: Duration = .milliseconds(500), cap: Duration = .seconds(8)) {
        self.attempts = max(1, attempts)
        self.base = base
        self.cap = cap
    }

    /// From a policy's `retries:`; its absent values keep the defaults.
    public init(_ retries: Policy.Retries) {
        let defaults = Backoff()
        self.init(attempts: retries.attempts, base: retries.delay ?? defaults.base, cap: retries.maxDelay ?? defaults.cap)
    }

    /// The longest wait after `failures` failed tries (at least 1).
    public func ceiling(after failures: Int) -> Duration {
        let exponent = min(max(failures - 1, 0), 30)
        let grown = base * (1 << exponent)
        return grown < cap ? grown : cap
    }

    /// The wait after `failures` failed tries, drawn from `random`.
    public func delay(after failures: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let ceiling = ceiling(after: failures)
        let (seconds, attoseconds) = ceiling.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds, using: &random))
    }

    /// Runs `body` (given the try number, from 1) until it succeeds, it throws an error
    /// `isRetryable` refuses, or `attempts` tries have failed; waits `delay(after:)` between
    /// tries with `sleep`. Returns the result and the number of tries it took; rethrows the
    /// last error.
    public func run<T>(
        isRetryable: (any Error) -> Bool,
        sleep: (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        _ body: (Int) async throws -> T
    ) async throws -> (value: T, attempts: Int) {
        var generator = SystemRandomNumberGenerator()
        var attempt = 1
        while true {
            do {
                return (try await body(attempt), attempt)
            } catch {
                guard attempt < attempts, isRetryable(error) else { throw error }
                try await sleep(delay(after: attempt, using: &generator))
                attempt += 1
            }
        }
    }
}

/// A run that went batch by batch, and where it stopped if it did.
public struct RollingOutcome: Sendable {
    /// Every host that was started, batch by batch, in the order of `work`.
    public var results: [HostRunResult]
    /// The hosts of every batch, those that ran and those that did not.
    public var batches: [[String]]
    /// Set when a batch breached the policy and later batches were not started.
    public var stop: Stop?

    public struct Stop: Sendable, Equatable {
        /// The batch (from 1) after which the run stopped.
        public var afterBatch: Int
        public var reason: String
        /// The hosts of the later batches: not contacted.
        public var notStarted: [String]
        /// The hosts of the stopped batch whose changes `rollback_on_failure` undid.
        public var rolledBack: [String] = []
    }
}

/// Converges the hosts batch by batch as `policy` says (`serial`, `pause`,
/// `max_fail_percentage`, `any_errors_fatal`): each batch at most `options.forks` at once,
/// and after a batch that breaches the threshold, no later host is contacted. Without a
/// policy it is ``rollout(_:options:finished:)`` in one batch.
public func rollingRollout(_ work: [HostWork], options: RolloutOptions, policy: Policy?,
                           finished: (@Sendable (HostRunResult) -> Void)? = nil) async -> RollingOutcome {
    let policy = policy ?? Policy()
    let batches = Batches.split(work, serial: policy.serial)
    let threshold = FailureThreshold(policy)
    var outcome = RollingOutcome(results: [], batches: batches.map { $0.map(\.endpoint.name) }, stop: nil)
    for (index, batch) in batches.enumerated() {
        if index > 0, let pause = policy.pause, pause > .zero {
            try? await Task.sleep(for: pause)
        }
        var results = await rollout(batch, options: options, finished: finished)
        let failed = results.filter { $0.status == .failed }.count
        let unreachable = results.filter { $0.status == .unreachable }.count
        guard let reason = threshold.breach(batchSize: batch.count, failed: failed, unreachable: unreachable) else {
            outcome.results += results
            continue
        }
        var stop = RollingOutcome.Stop(afterBatch: index + 1, reason: reason,
                                       notStarted: batches[(index + 1)...].flatMap { $0 }.map(\.endpoint.name))
        if policy.rollbackOnFailure == true, !options.check {
            (results, stop.rolledBack) = await revertChanges(results, work: batch, options: options)
        }
        outcome.results += results
        if !stop.notStarted.isEmpty || !stop.rolledBack.isEmpty { outcome.stop = stop }
        break
    }
    return outcome
}
