import Engine
import Foundation
import Postfix
import SSH
import Testing

/// The life-cycle plan run by real postmulti on a lab host. It uses the mailhub, which no
/// other suite inspects with postmulti, and leaves it with no secondary instance again.
@Suite(.enabled(if: Lab.isUp, "needs the lab: scripts/lab up 10"), .timeLimit(.minutes(10)))
struct LifecycleLabTests {
    let lab = Lab.current!

    @Test func aPlanRunByPostmultiConvergesAndASecondPlanIsEmpty() async throws {
        let out = PostfixInstance(name: "postfix-out", group: "mta")
        let input = PostfixInstance(name: "postfix-in", group: "mta")
        let desired: [LifecyclePlan.Desired] = [.init(.default), .init(out), .init(input)]
        try await Session.with(try lab.endpoint("mailhub"), options: lab.options()) { session in
            let before = try await gatherFacts(session)
            let steps = LifecyclePlan.steps(for: desired, facts: before)
            #expect(steps.first?.commandLine == "postmulti -e init")
            for step in steps {
                let r = try await session.exec(step.commandLine)
                #expect(r.succeeded, "\(step.commandLine): \(r.stderrText)")
            }
            // What a user checks: postmulti -l.
            let listing = try await session.exec("postmulti -l").stdoutText
            let rows = listing.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
            #expect(rows.contains("postfix-out mta y /etc/postfix-out"))
            #expect(rows.contains("postfix-in mta y /etc/postfix-in"))
            #expect(rows.firstIndex(of: "postfix-out mta y /etc/postfix-out")! < rows.firstIndex(of: "postfix-in mta y /etc/postfix-in")!)

            let after = try await gatherFacts(session)
            #expect(LifecyclePlan.steps(for: desired, facts: after).isEmpty)

            // Marked absent while enabled: destroying is refused for a reason postfleet names.
            let enabledIn = try #require(after.instance(configDirectory: input.configDirectory))
            #expect(LifecyclePlan.destroyBlockers(enabledIn, queuedMessages: 0) == ["it is enabled (disable it first)"])

            // Clean up through postmulti itself: disable, then destroy, as the plan would.
            for name in ["postfix-in", "postfix-out"] {
                _ = try await session.exec("postmulti -i \(name) -e disable")
                let destroyed = try await session.exec("postmulti -i \(name) -e destroy")
                #expect(destroyed.succeeded, "\(destroyed.stderrText)")
            }
            let final = try await gatherFacts(session)
            #expect(final.instances.count == 1)
        }
    }
}
