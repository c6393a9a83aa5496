import Playbook

/// Exponential backoff with full jitter: before try `n + 1`, after `n` failed tries, wait a
/// uniformly random time from zero to `min(cap, base × 2^(n−1))`. Full jitter spreads the
/// retries of many hosts that failed at the same moment (a switch, a restarted bastion)
/// instead of sending them back in waves.
public struct Backoff: Sendable, Equatable {
    /// Tries in all, the first included; 1 means no retry.
    public var attempts: Int
    public var base: Duration
    public var cap: Duration

    /// `attempts` is brought into ``Limits/attempts``, so no caller retries "forever".
    public init(attempts: Int = 3, base: Duration = .milliseconds(500), cap: Duration = .seconds(8)) {
        self.attempts = min(max(attempts, Limits.attempts.lowerBound), Limits.attempts.upperBound)
        self.base = base
        self.cap = cap
    }

    /// From a policy's `retries:`; its absent values keep the defaults.
    public init(_ retries: Policy.Retries) {
        let defaults = Backoff()
        self.init(attempts: retries.attempts, base: retries.delay ?? defaults.base, cap: retries.maxDelay ?? defaults.cap)
    }

    /// The longest wait after `failures` failed tries (at least 1). The doubling stops at
    /// `cap`, so it cannot overflow whatever `base` and `failures` are.
    public func ceiling(after failures: Int) -> Duration {
        var grown = base
        for _ in 0..<min(max(failures, 1) - 1, 64) {
            guard grown < cap else { break }
            grown = grown * 2
        }
        return grown < cap ? grown : cap
    }

    /// The wait after `failures` failed tries, drawn from `random`.
    public func delay(after failures: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let ceiling = ceiling(after: failures)
        let (seconds, attoseconds) = ceiling.components
        guard seconds >= 0 else { return .zero }
        // Saturating: a ceiling past 292 years of nanoseconds draws from all of Int64.
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (sum, overflowAgain) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        let nanoseconds = overflow || overflowAgain ? Int64.max : sum
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
