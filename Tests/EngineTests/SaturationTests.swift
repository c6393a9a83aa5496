import Engine
import Playbook
import Postfix
import SSH
import Testing

/// The arithmetic that grows a user's numbers — backoff doubling, a batch's end, a deadline,
/// seconds for a shell — saturates instead of trapping, even for values no loader lets
/// through (Int.max, Int64.max seconds, NaN): the limits are checked where numbers are read
/// (NumberLimitTests), and this is the second line.
@Suite struct SaturationTests {
    @Test func backoffAttemptsStayWithinTheLimits() {
        #expect(Backoff(attempts: .max).attempts == Limits.attempts.upperBound)
        #expect(Backoff(attempts: .min).attempts == 1)
        #expect(Backoff(Policy.Retries(attempts: .max)).attempts == 100)
    }

    @Test func backoffDoublingStopsAtTheCap() {
        let huge = Backoff(attempts: 100, base: .seconds(Int64.max), cap: .seconds(Int64.max))
        for failures in [Int.min, -1, 0, 1, 2, 63, 64, 65, Int.max] {
            #expect(huge.ceiling(after: failures) == .seconds(Int64.max), "\(failures)")
        }
        let small = Backoff(attempts: 100, base: .nanoseconds(1), cap: .seconds(Int64.max))
        #expect(small.ceiling(after: Int.max) <= .seconds(Int64.max))
        #expect(Backoff().ceiling(after: .max) == .seconds(8))
        #expect(Backoff().ceiling(after: 1) == .milliseconds(500))
        #expect(Backoff().ceiling(after: 3) == .seconds(2))
    }

    @Test func backoffDelayOfAHugeCeilingIsDrawnWithoutOverflow() {
        var random = SystemRandomNumberGenerator()
        let huge = Backoff(attempts: 100, base: .seconds(Int64.max), cap: .seconds(Int64.max))
        for _ in 0..<100 {
            let delay = huge.delay(after: 5, using: &random)
            #expect(delay >= .zero && delay <= .nanoseconds(Int64.max))
        }
        #expect(Backoff(attempts: 2, base: .seconds(-5), cap: .seconds(-1)).delay(after: 1, using: &random) == .zero)
    }

    @Test func batchesOfAnySize() {
        let hosts = Array(0..<10)
        #expect(Batches.split(hosts, serial: [.count(1), .count(.max)]) == [[0], Array(1..<10)])
        #expect(Batches.split(hosts, serial: [.count(.min)]).count == 10)
        #expect(Batches.split(hosts, serial: [.percent(.max)]) == [hosts])
        #expect(Batches.split(hosts, serial: [.percent(.min)]).count == 10)
        #expect(Batches.count(.percent(.max), of: .max) == .max)
    }

    @Test func aFailPercentageOutOfRangeIsBroughtIntoIt() {
        #expect(FailureThreshold(maxFailPercentage: .nan).maxFailPercentage == 0)
        #expect(FailureThreshold(maxFailPercentage: .infinity).maxFailPercentage == 100)
        #expect(FailureThreshold(maxFailPercentage: -.infinity).maxFailPercentage == 0)
        #expect(FailureThreshold(maxFailPercentage: .nan).isBreached(batchSize: 10, failed: 1, unreachable: 0))
        #expect(FailureThreshold(maxFailPercentage: .infinity).breach(batchSize: .max, failed: 1, unreachable: 0) == nil)
    }

    @Test func healthGateScriptWithHugeDurations() {
        var gate = HealthGate(target: .all)
        gate.deadline = .seconds(Int64.max)
        gate.interval = .seconds(Int64.max)
        gate.bannerTimeout = .seconds(Int64.max)
        gate.passes = .max
        #expect(gate.script.contains("1000000000"))
    }

    @Test func deadlinesAndHostTimeoutsSaturate() {
        #expect(Deadline.after(.seconds(Int64.max)) == .distantFuture)
        #expect(Deadline.after(.seconds(-5)) <= Deadline.after(.zero))
        let command = Session.boundedOnTheHost("true", timeout: .seconds(Int64.max))
        #expect(command.contains("timeout -k 2 1000000002 "), "\(command)")
    }
}
