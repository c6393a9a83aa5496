import Foundation
import Testing
@testable import Postfix

@Suite struct HostFactsTests {
    let sample = """

        @@postfleet version
        | 3.7.11

        @@postfleet instance /etc/postfix
        |
        |
        | no

        @@postfleet status /etc/postfix
        | running

        @@postfleet pid /etc/postfix
        | 4711

        @@postfleet queue /etc/postfix
        | 3

        @@postfleet instance /etc/postfix-out
        | postfix-out
        | mta
        | yes

        @@postfleet status /etc/postfix-out
        | stopped

        @@postfleet pid /etc/postfix-out

        @@postfleet instance /etc/postfix-in
        | postfix-in
        | mta
        | no

        @@postfleet status /etc/postfix-in
        | stopped

        @@postfleet pid /etc/postfix-in

        @@postfleet files
        @@postfleet file /etc/postfix/main.cf
        | # a comment
        | multi_instance_directories = /etc/postfix-out
        |     /etc/postfix-in
        | myhostname = mta0.example.com
        |
        | myhostname = mta1.example.com
        | relayhost = [mailhub.example.com]
        | mydestination =
        | @@postfleet end
        @@postfleet file /etc/postfix/master.cf
        | smtp       inet  n       -       y       -       -       smtpd
        | #submission inet n       -       y       -       -       smtpd
        | pickup     unix  n       -       y       60      1       pickup
        |   -o syslog_name=postfix/pickup
        @@postfleet file /etc/postfix-out/main.cf
        | multi_instance_name = postfix-out

        @@postfleet systemd
        | no

        @@postfleet checksums
        | 0f343b0931126a20f133d67c2b018a3b1e3a9d9d2ac3a0d2e4c7c1d1d1f0e9aa  /etc/postfix/main.cf
        | aa43b0931126a20f133d67c2b018a3b1e3a9d9d2ac3a0d2e4c7c1d1d1f0e9bb  /etc/postfix/my file

        @@postfleet modes
        | 644 /etc/postfix-out/sasl passwd
        | 600 /etc/postfix-out/sasl passwd.cdb

        @@postfleet end

        """

    @Test func parsesEverySection() throws {
        let facts = try FactsProbe.parse(sample)
        #expect(facts.postfixVersion == "3.7.11")
        #expect(facts.instances.map(\.configDirectory) == ["/etc/postfix", "/etc/postfix-out", "/etc/postfix-in"])
        let main = try #require(facts.instance(configDirectory: "/etc/postfix"))
        #expect(main.name == nil && main.group == nil && main.enabled)
        #expect(main.running && main.masterPID == 4711)
        // main.cf as Postfix reads it: the last definition wins, continuations joined, and a
        // line of the file that looks like a marker is only text.
        #expect(main.parameters["relayhost"] == "[mailhub.example.com]")
        #expect(main.parameters["myhostname"] == "mta1.example.com")
        #expect(main.parameters["mydestination"] == "")
        #expect(main.parameters["multi_instance_directories"]?.split(separator: " ") == ["/etc/postfix-out", "/etc/postfix-in"])
        #expect(main.parameters.count == 4)
        // master.cf as postconf -M prints it: one line per service, comments left out.
        #expect(main.services == ["smtp inet n - y - - smtpd", "pickup unix n - y 60 1 pickup -o syslog_name=postfix/pickup"])
        #expect(main.queuedMessages == 3)
        let out = try #require(facts.instance(configDirectory: "/etc/postfix-out"))
        #expect(out.name == "postfix-out" && out.group == "mta" && out.enabled && !out.running && out.masterPID == nil)
        #expect(out.parameters == ["multi_instance_name": "postfix-out"] && out.services.isEmpty)
        #expect(out.queuedMessages == nil, "not counted")
        let input = try #require(facts.instance(configDirectory: "/etc/postfix-in"))
        #expect(!input.enabled && input.parameters.isEmpty)
        #expect(facts.checksums["/etc/postfix/my file"]?.hasPrefix("aa43") == true)
        #expect(facts.checksums.count == 2)
        #expect(!facts.systemdControlled)
        #expect(facts.modes == ["/etc/postfix-out/sasl passwd": 0o644, "/etc/postfix-out/sasl passwd.cdb": 0o600])
    }

    /// The services of a master.cf text are kept for the hosts after (most hosts of a fleet
    /// have the same master.cf): each text still gets its own.
    @Test func eachMasterCFTextHasItsOwnServices() throws {
        func host(_ master: String) -> String {
            sample.replacingOccurrences(of: "| pickup     unix  n       -       y       60      1       pickup\n", with: master)
        }
        let first = try FactsProbe.parse(host("| pickup unix n - y 60 1 pickup\n"))
        let same = try FactsProbe.parse(host("| pickup unix n - y 60 1 pickup\n"))
        let other = try FactsProbe.parse(host("| pickup unix n - y 120 1 pickup\n"))
        #expect(first.instances[0].services == ["smtp inet n - y - - smtpd", "pickup unix n - y 60 1 pickup -o syslog_name=postfix/pickup"])
        #expect(same.instances[0].services == first.instances[0].services)
        #expect(other.instances[0].services == ["smtp inet n - y - - smtpd", "pickup unix n - y 120 1 pickup -o syslog_name=postfix/pickup"])
        for n in 0..<(2 * FactsProbe.servicesKept) {
            #expect(FactsProbe.services("pickup unix n - y \(n) 1 pickup\n") == ["pickup unix n - y \(n) 1 pickup"])
        }
        #expect(try FactsProbe.parse(host("| pickup unix n - y 60 1 pickup\n")) == first)
    }

    @Test func anInterruptedProbeIsAnError() {
        #expect(throws: FactsProbe.ParseError.self) { try FactsProbe.parse("@@postfleet version\n| 3.7.11\n") }
        #expect(throws: FactsProbe.ParseError.self) {
            try FactsProbe.parse("@@postfleet version\n| sh: postconf: not found\n@@postfleet end\n")
        }
    }

    @Test func anInstanceDirectoryPostconfCannotReadIsAnError() {
        let output = "@@postfleet version\n| 3.7.11\n@@postfleet error /etc/postfix-gone\n"
            + "| postconf: fatal: open /etc/postfix-gone/main.cf: No such file or directory\n@@postfleet end\n"
        #expect { try FactsProbe.parse(output) } throws: { error in
            "\(error)".contains("postconf -c /etc/postfix-gone: postconf: fatal: open /etc/postfix-gone/main.cf")
        }
    }

    @Test(arguments: ["/bin/sh", "/bin/bash", "/bin/dash"])
    func theProbeParses(shell: String) throws {
        guard FileManager.default.isExecutableFile(atPath: shell) else { return }
        for queues: FactsProbe.QueueCount in [.none, .all, .only(["/etc/postfix-in", "/etc/it's"])] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: shell)
            p.arguments = ["-n", "-c", FactsProbe.command(files: ["/etc/postfix/main.cf"], modes: ["/etc/postfix/sasl_passwd"], queues: queues)]
            let err = Pipe()
            p.standardError = err
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(shell): \(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        }
    }

    @Test func fileNamesAreQuotedForTheShell() {
        let cmd = FactsProbe.command(files: ["/etc/postfix/it's.cf"])
        #expect(cmd.contains(#"for f in '/etc/postfix/it'\''s.cf'; do"#))
    }
}
