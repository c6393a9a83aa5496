import Foundation
import Playbook
import SSH

/// A rollout that went batch by batch, and where it stopped if it did.
public struct RolloutOutcome: Sendable {
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

/// Converges every host to what the playbook wants, batch by batch as `policy` says
/// (`serial`, `pause`, `max_fail_percentage`, `any_errors_fatal`; no policy: one batch):
/// each batch at most `options.forks` hosts at once, and after a batch that breaches the
/// threshold, no later host is contacted (and with `rollback_on_failure` the batch's
/// changes are undone). Per host: facts, plan, then one apply script if there is anything
/// to do. `finished` is called as each host ends (for live progress).
public func rollout(_ work: [HostWork], options: RolloutOptions, policy: Policy?,
                    finished: (@Sendable (HostRunResult) -> Void)? = nil) async -> RolloutOutcome {
    let policy = policy ?? Policy()
    let batches = Batches.split(work, serial: policy.serial)
    let threshold = FailureThreshold(policy)
    var outcome = RolloutOutcome(results: [], batches: batches.map { $0.map(\.endpoint.name) }, stop: nil)
    for (index, batch) in batches.enumerated() {
        if index > 0, let pause = policy.pause, pause > .zero {
            try? await Task.sleep(for: pause)
        }
        let converged = await fanOut(batch, limit: options.forks) { item in
            let host = await converge(item, options: options)
            finished?(host.result)
            return host
        }
        var results = converged.map(\.result)
        let failed = results.filter { $0.status == .failed }.count
        let unreachable = results.filter { $0.status == .unreachable }.count
        guard let reason = threshold.breach(batchSize: batch.count, failed: failed, unreachable: unreachable) else {
            outcome.results += results
            continue
        }
        var stop = RolloutOutcome.Stop(afterBatch: index + 1, reason: reason,
                                       notStarted: batches[(index + 1)...].flatMap { $0 }.map(\.endpoint.name))
        if policy.rollbackOnFailure == true, !options.check {
            (results, stop.rolledBack) = await revertChanges(converged, work: batch, options: options)
        }
        outcome.results += results
        if !stop.notStarted.isEmpty || !stop.rolledBack.isEmpty { outcome.stop = stop }
        break
    }
    return outcome
}
