import Engine
import Foundation
import Playbook
import Postfix
import SSH
import Testing

/// Batch sizing, failure thresholds and backoff: the pure rules of a rolling run.
@Suite struct RollingTests {
    let twenty = (1...20).map { "mta\($0)" }

    func sizes(_ hosts: Int, _ serial: [Policy.BatchSize]) -> [Int] {
        Batches.split(Array(0..<hosts), serial: serial).map(\.count)
    }

    @Test func countsCutTheHostsInOrder() {
        #expect(sizes(10, [.count(2)]) == [2, 2, 2, 2, 2])
        #expect(sizes(10, [.count(3)]) == [3, 3, 3, 1])
        #expect(sizes(3, [.count(5)]) == [3])
        let batches = Batches.split(twenty, serial: [.count(8)])
        #expect(batches.flatMap { $0 } == twenty, "every host once, in order")
    }

    @Test func percentagesAreOfAllHostsRoundedDownAndAtLeastOne() {
        #expect(sizes(10, [.percent(30)]) == [3, 3, 3, 1])
        #expect(sizes(10, [.percent(33)]) == [3, 3, 3, 1])  // 3.3 -> 3
        #expect(sizes(10, [.percent(5)]) == Array(repeating: 1, count: 10))  // 0.5 -> 0 -> 1
        #expect(sizes(7, [.percent(50)]) == [3, 3, 1])
        #expect(sizes(7, [.percent(100)]) == [7])
        #expect(Batches.count(.percent(25), of: 40) == 10)
    }

    @Test func aRampRepeatsItsLastSize() {
        // The issue's example: a canary, then 5, then quarters of all 20 hosts.
        #expect(sizes(20, [.count(1), .count(5), .percent(25)]) == [1, 5, 5, 5, 4])
        #expect(sizes(4, [.count(1), .count(5), .percent(25)]) == [1, 3])
        #expect(sizes(2, [.count(1), .count(1), .count(10)]) == [1, 1])
    }

    @Test func noSerialIsOneBatchAndNoHostsNoBatch() {
        #expect(sizes(20, []) == [20])
        #expect(sizes(0, [.count(2)]) == [])
        #expect(sizes(0, []) == [])
    }

    @Test func maxFailPercentageMustBeExceeded() {
        let zero = FailureThreshold(maxFailPercentage: 0)
        #expect(!zero.isBreached(batchSize: 2, failed: 0, unreachable: 0))
        #expect(zero.isBreached(batchSize: 2, failed: 1, unreachable: 0))
        let half = FailureThreshold(maxFailPercentage: 50)
        #expect(!half.isBreached(batchSize: 4, failed: 2, unreachable: 0), "50% is not more than 50%")
        #expect(half.isBreached(batchSize: 4, failed: 3, unreachable: 0))
        let all = FailureThreshold(maxFailPercentage: 100)
        #expect(!all.isBreached(batchSize: 4, failed: 3, unreachable: 0))
    }

    @Test func aWhollyFailedBatchStopsTheRunWhateverThePolicy() {
        let none = FailureThreshold()
        #expect(!none.isBreached(batchSize: 4, failed: 3, unreachable: 0))
        #expect(none.isBreached(batchSize: 4, failed: 4, unreachable: 0))
        #expect(none.isBreached(batchSize: 4, failed: 2, unreachable: 2))
        #expect(FailureThreshold(maxFailPercentage: 100).isBreached(batchSize: 4, failed: 4, unreachable: 0))
    }

    @Test func theReasonNamesThePolicyThatStoppedTheRun() {
        #expect(FailureThreshold(maxFailPercentage: 0).breach(batchSize: 1, failed: 1, unreachable: 0)
                == "100% of the batch failed, more than max_fail_percentage 0 (1 failed and 0 unreachable of 1 host)")
        #expect(FailureThreshold(maxFailPercentage: 25).breach(batchSize: 3, failed: 1, unreachable: 0)
                == "33.3% of the batch failed, more than max_fail_percentage 25 (1 failed and 0 unreachable of 3 hosts)")
        #expect(FailureThreshold().breach(batchSize: 2, failed: 1, unreachable: 1)
                == "no host of the batch succeeded (1 failed and 1 unreachable of 2 hosts)")
        #expect(FailureThreshold(anyErrorsFatal: true).breach(batchSize: 4, failed: 1, unreachable: 0)?.hasPrefix("any_errors_fatal") == true)
        #expect(FailureThreshold().breach(batchSize: 4, failed: 1, unreachable: 0) == nil)
    }

    @Test func anyErrorsFatalStopsAtTheFirstFailure() {
        let fatal = FailureThreshold(anyErrorsFatal: true)
        #expect(fatal.isBreached(batchSize: 10, failed: 1, unreachable: 0))
        #expect(!fatal.isBreached(batchSize: 10, failed: 0, unreachable: 0))
    }

    @Test func unreachableHostsCountUnlessThePolicySaysNot() {
        let counted = FailureThreshold(maxFailPercentage: 0)
        #expect(counted.isBreached(batchSize: 3, failed: 0, unreachable: 1))
        var policy = Policy()
        policy.maxFailPercentage = 0
        policy.unreachableCountsAsFailure = false
        let apart = FailureThreshold(policy)
        #expect(!apart.isBreached(batchSize: 3, failed: 0, unreachable: 1))
        #expect(apart.isBreached(batchSize: 3, failed: 0, unreachable: 3), "no host of the batch succeeded")
        #expect(!FailureThreshold(unreachableCountsAsFailure: false).isBreached(batchSize: 3, failed: 1, unreachable: 1))
        #expect(apart.isBreached(batchSize: 3, failed: 1, unreachable: 2))
    }

    @Test func backoffGrowsExponentiallyUpToItsCap() {
        let backoff = Backoff(attempts: 6, base: .milliseconds(500), cap: .seconds(8))
        #expect((1...7).map { backoff.ceiling(after: $0) }
                == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8), .seconds(8)])
        #expect(backoff.ceiling(after: 1000) == .seconds(8))
        var retries = Policy.Retries(attempts: 4)
        retries.delay = .seconds(1)
        #expect(Backoff(retries) == Backoff(attempts: 4, base: .seconds(1), cap: .seconds(8)))
    }

    @Test func backoffJitterIsFullAndWithinTheCeiling() {
        let backoff = Backoff(attempts: 5, base: .seconds(1), cap: .seconds(4))
        var random = SplitMix64(seed: 42)
        for failures in 1...4 {
            let ceiling = backoff.ceiling(after: failures)
            let draws = (0..<500).map { _ in backoff.delay(after: failures, using: &random) }
            #expect(draws.allSatisfy { $0 >= .zero && $0 <= ceiling })
            // Full jitter: the draws spread over the whole range, not around the ceiling.
            #expect(draws.min()! < ceiling / 10 && draws.max()! > ceiling * 9 / 10)
        }
    }

    struct Flaky: Error { let transient: Bool }

    @Test func retriesUntilSuccessAndCountsTries() async throws {
        var slept: [Duration] = []
        let backoff = Backoff(attempts: 5, base: .milliseconds(100), cap: .seconds(1))
        let (value, attempts) = try await backoff.run(isRetryable: { ($0 as? Flaky)?.transient == true },
                                                      sleep: { slept.append($0) }) { attempt in
            if attempt < 3 { throw Flaky(transient: true) }
            return "connected on try \(attempt)"
        }
        #expect(value == "connected on try 3" && attempts == 3)
        #expect(slept.count == 2 && slept[0] <= .milliseconds(100) && slept[1] <= .milliseconds(200))
    }

    @Test func aPermanentErrorIsNotRetriedAndTriesAreBounded() async throws {
        let backoff = Backoff(attempts: 4, base: .milliseconds(1), cap: .milliseconds(1))
        var tries = 0
        await #expect(throws: Flaky.self) {
            _ = try await backoff.run(isRetryable: { ($0 as? Flaky)?.transient == true }, sleep: { _ in }) { _ in
                tries += 1
                throw Flaky(transient: false)
            }
        }
        #expect(tries == 1)
        tries = 0
        await #expect(throws: Flaky.self) {
            _ = try await backoff.run(isRetryable: { _ in true }, sleep: { _ in }) { _ in
                tries += 1
                throw Flaky(transient: true)
            }
        }
        #expect(tries == 4)
    }

    @Test func onlyTransientConnectionFailuresAreRetryable() {
        func error(_ phase: SSHError.Phase, _ code: SSHError.Code) -> SSHError {
            SSHError(host: "mta1", address: "198.18.0.1", port: 22, phase: phase, code: code, message: "")
        }
        #expect(error(.connect, .connectionRefused).isTransient)
        #expect(error(.connect, .timeout).isTransient)
        #expect(error(.handshake, .connectionLost).isTransient)
        #expect(!error(.hostKey, .hostKeyMismatch).isTransient)
        #expect(!error(.auth, .authenticationFailed).isTransient)
        #expect(!error(.exec, .connectionLost).isTransient, "a command may have run: not retried blindly")
    }
}

/// A small seeded generator, so the jitter test is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The health gate: its settings from a policy, its script, and what it printed.
@Suite struct HealthGateTests {
    @Test func aPolicyChoosesTheGate() {
        #expect(HealthGate(target: .all, health: Policy.Health.none) == nil)
        let standard = HealthGate(target: .group("mta"), health: nil)
        #expect(standard == HealthGate(target: .group("mta")))
        #expect(standard?.passes == 2 && standard?.deadline == .seconds(30) && standard?.bannerTimeout == .seconds(5) && standard?.maxDeferred == nil)
        var settings = Policy.HealthSettings()
        settings.passes = 3
        settings.maxDeferred = 10
        settings.interval = .milliseconds(500)
        settings.groups = ["mta": Policy.GroupHealth(bannerTimeout: .seconds(1))]
        let custom = HealthGate(target: .all, health: .custom(settings))
        #expect(custom?.groups["mta"]?.bannerTimeout == .seconds(1))
        #expect(custom?.passes == 3 && custom?.maxDeferred == 10 && custom?.interval == .milliseconds(500) && custom?.deadline == .seconds(30))
    }

    @Test(arguments: ["/bin/sh", "/bin/bash", "/bin/dash"])
    func theScriptParses(shell: String) throws {
        guard FileManager.default.isExecutableFile(atPath: shell) else { return }
        var gate = HealthGate(target: .instance("postfix-in"))
        gate.maxDeferred = 5
        gate.interval = .milliseconds(250)
        for script in [gate.script, HealthGate(target: .group("it's")).script, HealthGate(target: .all).script] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: shell)
            p.arguments = ["-n", "-c", script]
            let err = Pipe()
            p.standardError = err
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(shell): \(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        }
        #expect(gate.script.contains("postmulti -l -i postfix-in") && gate.script.contains("sleep 0.250") && gate.script.contains("run=true; bt=5; md=5"))
        // Per instance group: its own checks, the others keep the gate's.
        var grouped = HealthGate(target: .all)
        grouped.groups = ["mta": Policy.GroupHealth(bannerTimeout: .seconds(2), maxDeferred: 100), "edge": Policy.GroupHealth(running: false)]
        #expect(grouped.script.contains("run=true; bt=5; md=-1\n    case $g in\n      edge) run=false; bt=5; md=-1;;\n      mta) run=true; bt=2; md=100;;\n    esac"))
        for shellPath in ["/bin/sh", "/bin/dash", "/bin/bash"] where FileManager.default.isExecutableFile(atPath: shellPath) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: shellPath)
            p.arguments = ["-n", "-c", grouped.script]
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(shellPath)")
        }
        #expect(HealthGate(target: .group("it's")).script.contains(#"postmulti -l -g 'it'\''s'"#))
    }

    @Test func itsVerdictIsRead() {
        #expect(HealthGate.outcome("noise\n@@postfleet gate ok 2\n") == (true, 2, ""))
        let failed = HealthGate.outcome("@@postfleet gate failed 6 /etc/postfix-in: 127.0.0.1:2626 did not answer 220 within 5 s\n")
        #expect(!failed.passed && failed.tries == 6 && failed.reason == "/etc/postfix-in: 127.0.0.1:2626 did not answer 220 within 5 s")
        #expect(!HealthGate.outcome("cut short").passed)
    }
}
