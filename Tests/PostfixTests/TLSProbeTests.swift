import Foundation
import Testing
@testable import Postfix

/// The certificate probe's output as a host writes it.
@Suite struct TLSProbeTests {
    static let output = """
        a login script's line

        @@postfleet list 0
        | -               -               y         /etc/postfix
        | postfix-in      mta             y         /etc/postfix-in
        | postfix-off     mta             n         /etc/postfix-off

        @@postfleet instance /etc/postfix running
        | mta1.example.com

        @@postfleet configured /etc/postfix

        @@postfleet instance /etc/postfix-in running
        | mta1.example.com

        @@postfleet configured /etc/postfix-in
        | -----BEGIN CERTIFICATE-----
        | AAAA
        | -----END CERTIFICATE-----

        @@postfleet listener /etc/postfix-in 198.18.0.1 25
        | -----BEGIN CERTIFICATE-----
        | BBBB
        | -----END CERTIFICATE-----

        @@postfleet listener /etc/postfix-in 127.0.0.1 10026

        @@postfleet notls /etc/postfix-in 127.0.0.1 10026
        | Didn't find STARTTLS in server response, trying anyway...
        | 80ABCDEF:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../ssl/record/ssl3_record.c:350:

        @@postfleet instance /etc/postfix-off stopped
        | mta1.example.com

        @@postfleet configured /etc/postfix-off

        @@postfleet end
        """

    @Test func everyInstanceWithWhatItsListenersServed() throws {
        let r = try TLSProbe.read(Self.output, host: "mta1")
        #expect(r.instances.map(\.name) == ["default", "postfix-in", "postfix-off"])
        #expect(r.instances.map(\.running) == [true, true, false])
        let input = r.instances[1]
        #expect(input.hostname == "mta1.example.com")
        #expect(input.configuredPEM == "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")
        #expect(input.listeners.map(\.endpoint) == ["198.18.0.1:25", "127.0.0.1:10026"])
        #expect(input.listeners[0].servedPEM.contains("BBBB") && input.listeners[0].failure == nil)
        #expect(input.listeners[1].servedPEM.isEmpty && input.listeners[1].failure == "does not offer STARTTLS")
        #expect(r.listFailure == nil && !r.noOpenSSL)
    }

    @Test func whatSClientSaidInAFewWords() {
        #expect(TLSProbe.failure(["80AB:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:x.c:350:"]) == "TLS handshake failed: wrong version number")
        #expect(TLSProbe.failure(["connect:errno=111", "socat: Connection refused"]) == "connection refused")
        #expect(TLSProbe.failure([]) == "no certificate presented")
    }

    @Test func aCutOutputOrARecordOutOfPlaceIsAnError() {
        #expect(throws: PostfixParseError.self) { try TLSProbe.read(Self.output.replacingOccurrences(of: "@@postfleet end", with: ""), host: "mta1") }
        #expect(throws: PostfixParseError.self) {
            try TLSProbe.read("@@postfleet list 0\n| -  -  y  /etc/postfix\n\n@@postfleet listener /etc/postfix 0.0.0.0 25\n\n@@postfleet end\n", host: "mta1")
        }
        #expect(throws: PostfixParseError.self) {
            try TLSProbe.read("@@postfleet list 0\n| -  -  y  /etc/postfix\n\n@@postfleet instance /etc/other running\n\n@@postfleet end\n", host: "mta1")
        }
    }

    @Test func aFailedListingAndAHostWithoutOpenSSL() throws {
        let failed = try TLSProbe.read("@@postfleet list 1\n| postmulti: fatal: bad\n\n@@postfleet end\n", host: "mta1")
        #expect(failed.listFailure == "postmulti -l failed (exit status 1): postmulti: fatal: bad" && failed.instances.isEmpty)
        let bare = try TLSProbe.read("@@postfleet list 0\n| -  -  y  /etc/postfix\n\n@@postfleet noopenssl\n\n@@postfleet end\n", host: "mta1")
        #expect(bare.noOpenSSL)
    }
}
