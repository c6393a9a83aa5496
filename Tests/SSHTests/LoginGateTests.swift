import Synchronization
import Testing
@testable import SSH

/// The turns that logins to one jump host take (the lab test of sshd's MaxStartups is in
/// JumpLabTests).
@Suite struct LoginGateTests {
    @Test func neverMoreThanTheLimitInsideForOneKeyAndEveryoneGetsATurn() async throws {
        let gate = LoginGate(limit: 3)
        final class Tally: Sendable {
            let counts = Mutex((inside: 0, most: 0, done: 0))
        }
        let tally = Tally()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<40 {
                group.addTask {
                    try await gate.admitted("bastion:22") {
                        tally.counts.withLock { $0.inside += 1; $0.most = max($0.most, $0.inside) }
                        // Held (at most 2 s) until three are inside at once: `most` then says
                        // what the gate allows, not how a loaded scheduler interleaved.
                        for _ in 0..<200 where tally.counts.withLock({ $0.most }) < 3 { try await Task.sleep(for: .milliseconds(10)) }
                        try await Task.sleep(for: .milliseconds(n % 5 + 1))
                        tally.counts.withLock { $0.inside -= 1 }
                    }
                    tally.counts.withLock { $0.done += 1 }
                }
            }
            try await group.waitForAll()
        }
        let counts = tally.counts.withLock { $0 }
        #expect(counts.done == 40)
        #expect(counts.most == 3)
        #expect(gate.count("bastion:22") == (0, 0))
    }

    @Test func aFailureGivesItsTurnBackAndOtherKeysDoNotWait() async throws {
        let gate = LoginGate(limit: 1)
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await gate.admitted("a:22") { throw Refused() } }
        #expect(gate.count("a:22") == (0, 0))
        // "a" is held; "b" still goes in at once.
        try await gate.admitted("a:22") {
            #expect(gate.count("a:22") == (1, 0))
            let other = try await gate.admitted("b:22") { gate.count("b:22") }
            #expect(other == (1, 0))
        }
    }
}
