import Foundation
import Testing
@testable import Postfix

@Suite struct MasterCFTests {
    let sample = """
        # service type  private unpriv  chroot  wakeup  maxproc command + args
        smtp      inet  n       -       y       -       -       smtpd
        #628       inet  n       -       y       -       -       qmqpd
        pickup    unix  n       -       y       60      1       pickup
        relay     unix  -       -       y       -       -       smtp
                -o syslog_name=postfix/$service_name
        # a comment inside the entry
                -o smtp_helo_timeout=5
        cleanup   unix  n       -       y       -       0       cleanup

        """

    @Test func findsServicesByNameAndType() throws {
        let masterCF = MasterCF(sample)
        #expect(masterCF.services.map(\.key.description) == ["smtp/inet", "pickup/unix", "relay/unix", "cleanup/unix"])
        #expect(masterCF.services.map(\.line) == [2, 4, 5, 9])
        let relay = try #require(masterCF.service(MasterServiceKey(name: "relay", type: "unix")))
        #expect(relay.fields == [
            "relay", "unix", "-", "-", "y", "-", "-", "smtp",
            "-o", "syslog_name=postfix/$service_name", "-o", "smtp_helo_timeout=5",
        ])
        #expect(masterCF.service(MasterServiceKey(name: "628", type: "inet")) == nil)
        #expect(masterCF.text == sample)
    }

    @Test func keys() {
        #expect(MasterServiceKey("smtp/inet") == MasterServiceKey(name: "smtp", type: "inet"))
        #expect(MasterServiceKey("127.0.0.1:10026/inet")?.name == "127.0.0.1:10026")
        #expect(MasterServiceKey("postlog/unix-dgram")?.type == "unix-dgram")
        #expect(MasterServiceKey("smtp") == nil)
        #expect(MasterServiceKey("smtp/tcp") == nil)
        #expect(MasterServiceKey("/inet") == nil)
        #expect(MasterServiceKey("a b/inet") == nil)
    }

    @Test func setReplacesAnEntryOrAppends() {
        var masterCF = MasterCF(sample)
        masterCF.set(MasterServiceKey(name: "relay", type: "unix"), to: "relay unix - - n - - smtp")
        masterCF.set(MasterServiceKey(name: "127.0.0.1:10026", type: "inet"), to: "127.0.0.1:10026 inet n - n - - smtpd")
        #expect(masterCF.text == """
            # service type  private unpriv  chroot  wakeup  maxproc command + args
            smtp      inet  n       -       y       -       -       smtpd
            #628       inet  n       -       y       -       -       qmqpd
            pickup    unix  n       -       y       60      1       pickup
            relay unix - - n - - smtp
            # a comment inside the entry
            cleanup   unix  n       -       y       -       0       cleanup
            127.0.0.1:10026 inet n - n - - smtpd

            """)
    }

    @Test func removeTakesTheWholeEntry() {
        var masterCF = MasterCF(sample)
        let smtp = MasterServiceKey(name: "smtp", type: "inet")
        let removed = [masterCF.remove(MasterServiceKey(name: "relay", type: "unix")), masterCF.remove(smtp), masterCF.remove(smtp)]
        #expect(removed == [true, true, false])
        #expect(masterCF.services.map(\.key.description) == ["pickup/unix", "cleanup/unix"])
        #expect(masterCF.text.contains("# a comment inside the entry"))
        #expect(!masterCF.text.contains("smtp_helo_timeout"))
    }

    @Test func lineProblems() {
        let key = MasterServiceKey(name: "127.0.0.1:10026", type: "inet")
        #expect(MasterCF.lineProblem("127.0.0.1:10026 inet n - n - - smtpd", for: key) == nil)
        #expect(MasterCF.lineProblem("127.0.0.1:10026 inet n - n - - smtpd -o a=b", for: key) == nil)
        #expect(MasterCF.lineProblem("127.0.0.1:10025 inet n - n - - smtpd", for: key)
            == "the line for '127.0.0.1:10026/inet' must start with '127.0.0.1:10026 inet', not '127.0.0.1:10025 inet'")
        #expect(MasterCF.lineProblem("127.0.0.1:10026 inet n - n smtpd", for: key)
            == "a master.cf line has 8 fields (service type private unpriv chroot wakeup maxproc command), this one has 6")
    }

    /// The edits this model makes and the ones the real `postconf -M` / `-MX` make give the
    /// same services (postconf also realigns columns, so the services are compared as
    /// `postconf -M` prints them, not the text).
    @Test(.enabled(if: RealPostconf.isInstalled))
    func editsMatchTheRealPostconf() throws {
        let stock = try read("/usr/share/postfix/master.cf.dist")
        let edits: [PostconfEdit] = [
            .removeService(MasterServiceKey(name: "smtp", type: "inet")),
            .setService(MasterServiceKey(name: "127.0.0.1:10026", type: "inet"), line: "127.0.0.1:10026 inet n - n - - smtpd"),
            .setService(MasterServiceKey(name: "relay", type: "unix"), line: "relay unix - - n - - smtp -o smtp_helo_timeout=5"),
            .removeService(MasterServiceKey(name: "nonesuch", type: "unix")),
        ]
        try withTemporaryDirectory { real in
            try withTemporaryDirectory { modelled in
                try write("", to: real + "/main.cf")
                try write("", to: modelled + "/main.cf")
                try write(stock, to: real + "/master.cf")
                var model = MasterCF(stock)
                for edit in edits {
                    model.apply(edit)
                    var arguments = edit.arguments(configDirectory: real)
                    #expect(arguments.removeFirst() == "postconf")
                    let result = try RealPostconf.run(arguments)
                    #expect(result.status == 0, "postconf \(arguments): \(result.err)")
                }
                try write(model.text, to: modelled + "/master.cf")
                let expected = try RealPostconf.run(["-c", real, "-M"])
                let actual = try RealPostconf.run(["-c", modelled, "-M"])
                #expect(actual.err == "" && expected.err == "")
                #expect(actual.out == expected.out)
                #expect(actual.out.contains("127.0.0.1:10026 inet"))
                #expect(!actual.out.contains("\nsmtp       inet"))
            }
        }
    }
}
