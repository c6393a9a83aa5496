import Foundation
import Testing
@testable import Postfix

/// The facts of hosts as a package installation leaves them: no Postfix, an old one, or
/// one installed with debconf's "No configuration" (no main.cf).
@Suite struct FreshInstallFactsTests {
    /// What the probe prints on a "No configuration" host: the default instance read with
    /// `postconf -d`, its master.cf only.
    let unconfigured = """
        @@postfleet unconfigured
        @@postfleet version
        | 3.7.11
        @@postfleet instance /etc/postfix
        |
        |
        |
        @@postfleet status /etc/postfix
        | stopped
        @@postfleet pid /etc/postfix
        @@postfleet directories /etc/postfix
        | /var/spool/postfix
        | /var/lib/postfix
        @@postfleet files
        @@postfleet file /etc/postfix/master.cf
        | smtp       inet  n       -       y       -       -       smtpd
        @@postfleet systemd
        | no
        @@postfleet checksums
        @@postfleet end

        """

    @Test func aHostWithoutMainCFIsNotConfiguredRatherThanBroken() throws {
        let facts = try FactsProbe.parse(unconfigured)
        #expect(facts.unconfigured)
        let main = try #require(facts.defaultInstance)
        #expect(!main.configured && !main.running && main.parameters.isEmpty)
        #expect(main.services == ["smtp inet n - y - - smtpd"])
        #expect(main.queueDirectory == "/var/spool/postfix" && main.dataDirectory == "/var/lib/postfix")
    }

    @Test func eachInstanceHasTheDirectoriesItsHostGivesIt() throws {
        let output = unconfigured.replacingOccurrences(of: "@@postfleet unconfigured\n", with: "")
            .replacingOccurrences(of: "@@postfleet files\n", with: """
                @@postfleet instance /srv/legacy/etc
                |
                |
                | yes
                @@postfleet status /srv/legacy/etc
                | running
                @@postfleet pid /srv/legacy/etc
                | 77
                @@postfleet directories /srv/legacy/etc
                | /srv/legacy/spool
                | /srv/legacy/lib
                @@postfleet files

                """)
        let facts = try FactsProbe.parse(output)
        #expect(!facts.unconfigured)
        #expect(facts.defaultInstance?.configured == true)
        let legacy = try #require(facts.secondaryInstances.first)
        #expect(legacy.name == nil && legacy.configDirectory == "/srv/legacy/etc" && legacy.masterPID == 77)
        #expect(legacy.queueDirectory == "/srv/legacy/spool" && legacy.dataDirectory == "/srv/legacy/lib")
    }

    @Test func aHostWithoutPostfixFailsWithOneLine() {
        #expect { try FactsProbe.parse("@@postfleet missing\n| postconf\n@@postfleet end\n") } throws: { error in
            "\(error)" == "Postfix is not installed (no postconf on the PATH)"
        }
    }

    @Test func aPostfixOlderThanPostfleetNeedsFailsWithOneLine() {
        #expect { try FactsProbe.parse("@@postfleet version\n| 2.11.3\n@@postfleet end\n") } throws: { error in
            "\(error)" == "Postfix 2.11.3 is older than 3.1, the oldest postfleet drives (it needs postqueue -j and postconf -M/-MX)"
        }
        #expect(throws: Never.self) { try FactsProbe.parse("@@postfleet version\n| 3.1.0\n@@postfleet end\n") }
        #expect(throws: Never.self) { try FactsProbe.parse("@@postfleet version\n| 3.10-20250112\n@@postfleet end\n") }
    }

    @Test func versionNumbers() {
        #expect(FactsProbe.versionNumber("3.7.11")! == (3, 7))
        #expect(FactsProbe.versionNumber("3.10-20250112")! == (3, 10))
        #expect(FactsProbe.versionNumber("2.6")! == (2, 6))
        #expect(FactsProbe.versionNumber("snapshot") == nil)
    }

    /// The probe itself, in a shell whose PATH has no postconf: it says so and ends.
    @Test func theProbeSaysWhenPostconfIsMissing() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", FactsProbe.command(files: [], cache: nil)]
        p.environment = ["PATH": "/nonexistent"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect { try FactsProbe.parse(String(decoding: data, as: UTF8.self)) } throws: { error in
            "\(error)" == "Postfix is not installed (no postconf on the PATH)"
        }
    }

    /// The probe against this machine's own Postfix, when it has one: its facts parse, and
    /// say "not configured" exactly when /etc/postfix/main.cf is missing (a build machine
    /// often has Postfix installed with "No configuration").
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/postconf")))
    func theProbeReadsThisMachinesPostfix() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", FactsProbe.command(files: ["/etc/postfix/main.cf"], cache: nil)]
        p.environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let facts = try FactsProbe.parse(String(decoding: data, as: UTF8.self))
        #expect(facts.unconfigured == !FileManager.default.fileExists(atPath: "/etc/postfix/main.cf"))
        #expect(facts.defaultInstance?.configDirectory == "/etc/postfix")
        #expect(facts.defaultInstance?.queueDirectory == "/var/spool/postfix")
    }
}
