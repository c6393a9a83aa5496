import Foundation
import Playbook

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

    /// A `maxFailPercentage` outside 0...100 is brought into it, NaN to 0 (stop at the first
    /// failure): a playbook's and a flag's are checked already (``Limits/failPercentage``).
    public init(maxFailPercentage: Double? = nil, anyErrorsFatal: Bool = false, unreachableCountsAsFailure: Bool = true) {
        self.maxFailPercentage = maxFailPercentage.map { $0.isNaN ? 0 : min(max($0, 0), 100) }
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
