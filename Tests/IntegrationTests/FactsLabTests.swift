import Engine
import Foundation
import Postfix
import SSH
import Testing

/// Facts read in one round trip agree with what the host says when asked directly.
@Suite(.enabled(if: Lab.isUp, "needs the lab: scripts/lab up 10"), .timeLimit(.minutes(10)), .serialized)
struct FactsLabTests {
    let lab = Lab.current!

    @Test func factsMatchTheHost() async throws {
        let files = ["/etc/postfix/main.cf", "/etc/postfix/master.cf", "/etc/postfix/no such file"]
        let (facts, direct) = try await Session.with(try lab.endpoint("mta10"), options: lab.options()) { session in
            let facts = try await gatherFacts(session, files: files, queues: .all)
            let direct = try await session.exec("""
                postconf -h mail_version; tr -d ' ' < /var/spool/postfix/pid/master.pid; echo; \
                sha256sum /etc/postfix/main.cf | cut -d' ' -f1; postconf -h myhostname
                """)
            return (facts, direct.stdoutText.split(separator: "\n").map(String.init))
        }
        #expect(facts.postfixVersion == direct[0])
        #expect(facts.postfixVersion.hasPrefix("3."))
        #expect(facts.instances.count == 1)
        let main = try #require(facts.instances.first)
        #expect(main.configDirectory == "/etc/postfix" && main.name == nil && main.enabled)
        #expect(main.running)
        #expect(main.masterPID == Int(direct[1]))
        #expect(main.parameters["myhostname"] == direct[3])
        #expect(facts.checksums["/etc/postfix/main.cf"] == direct[2])
        #expect(facts.checksums["/etc/postfix/master.cf"]?.count == 64)
        #expect(facts.checksums["/etc/postfix/no such file"] == nil)
        #expect(!facts.systemdControlled)
        // master.cf as postconf -M reads it: Debian's stock smtp listener is there.
        #expect(main.services.contains { $0.split(separator: " ").prefix(2) == ["smtp", "inet"] })
        #expect(main.queuedMessages == 0)
    }

    /// A message that cannot be delivered stays queued, and the facts count it.
    @Test func queuedMailIsCounted() async throws {
        try await Session.with(try lab.endpoint("mta10"), options: lab.options()) { session in
            let sent = try await session.exec("printf 'Subject: queued\\n\\nstays\\n' | sendmail -f root someone@nowhere.invalid")
            #expect(sent.succeeded, "\(sent.stderrText)")
            var counted = 0
            for _ in 0..<50 {  // at most 10 s
                counted = try await gatherFacts(session, queues: .only(["/etc/postfix"])).instances.first?.queuedMessages ?? 0
                if counted > 0 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(counted == 1)
            // Test cleanup of the message this test made, on a lab host.
            _ = try await session.exec("postsuper -d ALL >/dev/null 2>&1")
        }
    }
}
