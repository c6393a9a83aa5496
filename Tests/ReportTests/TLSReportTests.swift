import Engine
import Foundation
import Report
import TLSCertificates
import Testing

/// `postfleet tls`'s report from certificates as hosts serve them: soonest expiry first, an
/// old certificate called out, `--expiring-within` and the JSON. That the certificates are
/// the ones the listeners serve is proven in the lab (TLSLabTests).
@Suite struct TLSReportTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func cert(_ cn: String, days: Double, fp: String) -> CertificateSummary {
        CertificateSummary(subject: "CN=\(cn)", commonName: cn, dnsNames: [cn], issuer: "CN=lab CA",
                           notBefore: now.addingTimeInterval(-86_400), notAfter: now.addingTimeInterval(days * 86_400 + 60),
                           sha256: ([fp] + Array(repeating: "00", count: 31)).joined(separator: ":"))
    }

    func host(_ name: String, serves served: CertificateSummary, configured: CertificateSummary? = nil) -> HostTLS {
        var h = HostTLS(host: name)
        h.instances = [
            InstanceCertificates(name: "postfix-in", group: "mta", configDirectory: "/etc/postfix-in", hostname: "\(name).example.com",
                                 configured: configured ?? served,
                                 listeners: [ListenerCertificate(endpoint: "127.0.0.1:25", served: served)]),
            InstanceCertificates(name: "postfix-out", group: "mta", configDirectory: "/etc/postfix-out", hostname: "\(name).example.com",
                                 listeners: [ListenerCertificate(endpoint: "127.0.0.1:10026", failure: "does not offer STARTTLS")]),
        ]
        return h
    }

    @Test func soonestExpiryFirstAndAnOldCertificateCalledOut() throws {
        let hosts = [
            host("mta1", serves: cert("mta1.example.com", days: 40, fp: "A1")),
            host("mta2", serves: cert("mta2.example.com", days: 5, fp: "B2"), configured: cert("mta2.example.com", days: 60, fp: "C3")),
        ]
        let report = TLSReport(hosts: hosts, now: now)
        let lines = report.text.split(separator: "\n").map(String.init)
        #expect(lines[1].hasPrefix("mta2  postfix-in   127.0.0.1:25     mta2.example.com OLD"), "\(report.text)")
        #expect(lines[1].contains("(5d)") && lines[1].contains("B2:00:00:00:…"), "\(report.text)")
        #expect(lines.contains { $0.hasPrefix("mta1  postfix-in   127.0.0.1:25     mta1.example.com ") && $0.contains("(40d)") }, "\(report.text)")
        #expect(lines.contains { $0.contains("postfix-out  127.0.0.1:10026  no TLS") }, "\(report.text)")
        #expect(report.text.contains("Serving an old certificate"))
        #expect(report.text.contains("  mta2 postfix-in 127.0.0.1:25: serves B2:00:00:00:… until"))
        #expect(report.text.hasSuffix("2 of 2 hosts read, 4 listeners, 2 serving a certificate; soonest expiry " +
                                      "\(cert("x", days: 5, fp: "00").notAfter.formatted(.iso8601.year().month().day())) (5d) on mta2; 1 serving an old certificate\n"),
                "\(report.text)")
        #expect(report.exitCode == 2, "an old certificate is a problem")
        #expect(TLSReport(hosts: [hosts[0]], now: now).exitCode == 0)
    }

    @Test func expiringWithinFailsOnlyWhatExpiresSooner() throws {
        let hosts = [host("mta1", serves: cert("mta1.example.com", days: 40, fp: "A1")),
                     host("mta3", serves: cert("mta3.example.com", days: 12, fp: "D4"))]
        #expect(TLSReport(hosts: hosts, now: now, expiringWithin: 10 * 86_400).exitCode == 0)
        let report = TLSReport(hosts: hosts, now: now, expiringWithin: 30 * 86_400)
        #expect(report.exitCode == 2)
        #expect(report.text.contains("Expiring within 30d:\n  mta3 postfix-in 127.0.0.1:25: mta3.example.com, "), "\(report.text)")
        #expect(report.text.contains("; 1 expiring within 30d"))

        let doc = try #require(try JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        #expect(doc["schema"] as? String == "postfleet.tls/1" && doc["exit_code"] as? Int == 2)
        #expect(doc["expiring_within_seconds"] as? Int == 30 * 86_400)
        let summary = try #require(doc["summary"] as? [String: Any])
        #expect(summary["expiring"] as? Int == 1 && summary["serving"] as? Int == 2 && summary["stale"] as? Int == 0)
        let instances = try #require((doc["hosts"] as? [String: [String: Any]])?["mta3"]?["instances"] as? [[String: Any]])
        let listener = try #require((instances[0]["listeners"] as? [[String: Any]])?.first)
        #expect(listener["expiring"] as? Bool == true && listener["stale"] as? Bool == false)
        let served = try #require(listener["served"] as? [String: Any])
        #expect(served["days_left"] as? Int == 12 && served["common_name"] as? String == "mta3.example.com")
        #expect((served["sha256"] as? String)?.hasPrefix("D4:00") == true)
        #expect((instances[1]["listeners"] as? [[String: Any]])?.first?["failure"] as? String == "does not offer STARTTLS")
    }

    @Test func anUnreadHostFailsAndAnUnreachableOneAloneExitsFour() {
        var bare = HostTLS(host: "mta4")
        bare.noOpenSSL = true
        let ok = host("mta1", serves: cert("mta1.example.com", days: 40, fp: "A1"))
        let report = TLSReport(hosts: [ok, bare], now: now)
        #expect(report.exitCode == 2)
        #expect(report.text.contains("Not read:\n  mta4: no openssl(1) on the host"), "\(report.text)")
    }
}
