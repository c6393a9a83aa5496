import Testing
@testable import Postfix

@Suite struct HostFactsTests {
    let sample = """

        @@postfleet version
        3.7.11

        @@postfleet instances
        -               -               y         /etc/postfix
        postfix-out     mta             y         /etc/postfix-out
        postfix-in      mta             n         /etc/postfix-in

        @@postfleet config /etc/postfix
        multi_instance_directories = /etc/postfix-out /etc/postfix-in
        myhostname = mta1.example.com
        relayhost = [mailhub.example.com]
        mydestination =

        @@postfleet status /etc/postfix
        running

        @@postfleet pid /etc/postfix
        4711

        @@postfleet services /etc/postfix
        smtp       inet  n       -       y       -       -       smtpd
        pickup     unix  n       -       y       60      1       pickup

        @@postfleet queue /etc/postfix
        3

        @@postfleet config /etc/postfix-out
        multi_instance_name = postfix-out

        @@postfleet status /etc/postfix-out
        stopped

        @@postfleet pid /etc/postfix-out

        @@postfleet config /etc/postfix-in

        @@postfleet status /etc/postfix-in
        stopped

        @@postfleet pid /etc/postfix-in

        @@postfleet systemd
        no

        @@postfleet checksums
        0f343b0931126a20f133d67c2b018a3b1e3a9d9d2ac3a0d2e4c7c1d1d1f0e9aa  /etc/postfix/main.cf
        aa43b0931126a20f133d67c2b018a3b1e3a9d9d2ac3a0d2e4c7c1d1d1f0e9bb  /etc/postfix/my file

        @@postfleet end

        """

    @Test func parsesEverySection() throws {
        let facts = try FactsProbe.parse(sample)
        #expect(facts.postfixVersion == "3.7.11")
        #expect(facts.instances.map(\.configDirectory) == ["/etc/postfix", "/etc/postfix-out", "/etc/postfix-in"])
        let main = try #require(facts.instance(configDirectory: "/etc/postfix"))
        #expect(main.name == nil && main.group == nil && main.enabled)
        #expect(main.running && main.masterPID == 4711)
        #expect(main.parameters["relayhost"] == "[mailhub.example.com]")
        #expect(main.parameters["mydestination"] == "")
        #expect(main.services.count == 2 && main.services[0].hasPrefix("smtp       inet"))
        #expect(main.queuedMessages == 3)
        let out = try #require(facts.instance(configDirectory: "/etc/postfix-out"))
        #expect(out.name == "postfix-out" && out.group == "mta" && out.enabled && !out.running && out.masterPID == nil)
        #expect(facts.instance(configDirectory: "/etc/postfix-in")?.enabled == false)
        #expect(facts.checksums["/etc/postfix/my file"]?.hasPrefix("aa43") == true)
        #expect(facts.checksums.count == 2)
        #expect(!facts.systemdControlled)
    }

    @Test func anInterruptedProbeIsAnError() {
        #expect(throws: FactsProbe.ParseError.self) { try FactsProbe.parse("@@postfleet version\n3.7.11\n") }
        #expect(throws: FactsProbe.ParseError.self) {
            try FactsProbe.parse("@@postfleet version\nsh: postconf: not found\n@@postfleet end\n")
        }
    }

    @Test func fileNamesAreQuotedForTheShell() {
        let cmd = FactsProbe.command(files: ["/etc/postfix/it's.cf"])
        #expect(cmd.contains(#"for f in '/etc/postfix/it'\''s.cf'; do"#))
    }
}
