import Engine
import Foundation
import Postfix
import SSH
import Testing

/// Facts read in one round trip agree with what the host says when asked directly.
@Suite(.enabled(if: Lab.isUp, "needs the lab: scripts/lab up 10"), .timeLimit(.minutes(1)))
struct FactsLabTests {
    let lab = Lab.current!

    @Test func factsMatchTheHost() async throws {
        let files = ["/etc/postfix/main.cf", "/etc/postfix/master.cf", "/etc/postfix/no such file"]
        let (facts, direct) = try await Session.with(try lab.endpoint("mta10"), options: lab.options()) { session in
            let facts = try await gatherFacts(session, files: files)
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
    }
}
