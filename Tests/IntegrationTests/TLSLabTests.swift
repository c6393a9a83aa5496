import Foundation
import ShellQuoting
import Testing

/// `postfleet tls` against real Postfix serving real certificates: three border hosts with
/// STARTTLS on postfix-in, each with its own certificate from a lab CA made here with
/// openssl; what each listener serves is compared, by SHA-256 fingerprint, with what
/// openssl says of the file it was made from.
///
/// On `scripts/test`'s lab, mta50..mta52 are this suite's own (``LabHosts``).
@Suite(.cleansUp, .labOf(LabHosts.tls), .serialized, .timeLimit(.minutes(10)))
struct TLSLabTests {
    let lab = Lab.current!
    let hosts = ["mta50", "mta51", "mta52"]
    let addresses = ["mta50": "198.18.0.50", "mta51": "198.18.0.51", "mta52": "198.18.0.52"]

    func postfleet(_ arguments: [String], limit: [String]? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runProcess(Lab.binary, arguments + ["-i", lab.inventoryPath, "--known-hosts", lab.knownHosts, "-l", (limit ?? hosts).joined(separator: ":")],
                       seconds: 120)
    }

    /// openssl on the controller, in `directory`; fails the test when it fails.
    @discardableResult
    func openssl(_ arguments: [String], in directory: URL) async throws -> String {
        let r = try await runProcess("/usr/bin/openssl", arguments, seconds: 60, directory: directory.path)
        try #require(r.status == 0, "openssl \(arguments.joined(separator: " ")): \(r.stderr)")
        return r.stdout
    }

    /// A certificate for `host` from the lab CA, valid `days`, with `key` (made when missing).
    func certificate(_ host: String, days: Int, key: String, name: String, in directory: URL) async throws -> String {
        if !FileManager.default.fileExists(atPath: directory.appendingPathComponent(key).path) {
            try await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key], in: directory)
        }
        try await openssl(["req", "-new", "-key", key, "-subj", "/CN=\(host).example.com", "-out", "\(name).csr"], in: directory)
        try "subjectAltName=DNS:\(host).example.com\n".write(to: directory.appendingPathComponent("ext"), atomically: true, encoding: .utf8)
        try await openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", String(days),
                     "-extfile", "ext", "-out", "\(name).pem"], in: directory)
        let out = try await openssl(["x509", "-in", "\(name).pem", "-noout", "-fingerprint", "-sha256"], in: directory)
        return String(out.split(separator: "=").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Puts `key` and certificate `name` on `host` as postfix-in's chain file (key first, as
    /// smtpd_tls_chain_files wants it), and reloads postfix-in unless told not to.
    func install(_ host: String, key: String, name: String, in directory: URL, reload: Bool = true) async throws {
        let chain = try String(contentsOf: directory.appendingPathComponent(key), encoding: .utf8)
            + String(contentsOf: directory.appendingPathComponent("\(name).pem"), encoding: .utf8)
        _ = try await lab.sh(host, """
            mkdir -p /etc/postfix-in/tls && umask 077 && printf '%s' \(Shell.quote(chain)) >/etc/postfix-in/tls/chain.pem.new
            mv -f /etc/postfix-in/tls/chain.pem.new /etc/postfix-in/tls/chain.pem
            postconf -c /etc/postfix-in -e 'smtpd_tls_chain_files = /etc/postfix-in/tls/chain.pem' 'smtpd_tls_security_level = may'
            \(reload ? "postfix -c /etc/postfix-in reload 2>/dev/null" : "true")
            """)
    }

    func document(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    /// Host → endpoint → served fingerprint (nil: none) for postfix-in.
    func served(_ doc: [String: Any]) throws -> [String: [String: String?]] {
        var result: [String: [String: String?]] = [:]
        for (host, value) in try #require(doc["hosts"] as? [String: [String: Any]]) {
            let instances = try #require(value["instances"] as? [[String: Any]])
            let input = try #require(instances.first { $0["name"] as? String == "postfix-in" })
            for listener in try #require(input["listeners"] as? [[String: Any]]) {
                let endpoint = try #require(listener["endpoint"] as? String)
                result[host, default: [:]][endpoint] = (listener["served"] as? [String: Any])?["sha256"] as? String
            }
        }
        return result
    }

    @Test func eachListenerServesItsHostsCertificateAndAnOldOneIsCalledOut() async throws {
        let run = try await postfleet(["run", Lab.repository.appendingPathComponent("playbooks/border-cluster.yml").path])
        try #require(run.status == 0, "\(run.stdout)\(run.stderr)")
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        try await openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                     "-days", "60", "-subj", "/CN=postfleet lab CA"], in: scratch)
        var fingerprints: [String: String] = [:]
        for host in hosts {
            fingerprints[host] = try await certificate(host, days: 20, key: "\(host).key", name: host, in: scratch)
            try await install(host, key: "\(host).key", name: host, in: scratch)
        }
        // mta52's postfix-in also listens for submissions on 127.0.0.1:465, TLS from the first byte.
        _ = try await lab.sh("mta52", """
            postconf -c /etc/postfix-in -Me '127.0.0.1:465/inet=127.0.0.1:465 inet n - y - - smtpd -o smtpd_tls_wrappermode=yes' \\
              && postfix -c /etc/postfix-in reload 2>/dev/null
            """)
        afterTest { _ = try await lab.script(["exec", "mta52", "--", "sh", "-c", "postconf -c /etc/postfix-in -MX 127.0.0.1:465/inet && postfix -c /etc/postfix-in reload"]) }

        // Each host's two postfix-in listeners serve its certificate; postfix-out's offers no STARTTLS.
        let json = scratch.appendingPathComponent("tls.json").path
        var r = try await postfleet(["tls", "--json", json])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        var doc = try document(json)
        #expect(doc["schema"] as? String == "postfleet.tls/1")
        var seen = try served(doc)
        for host in hosts {
            var expected: [String: String?] = ["127.0.0.1:25": fingerprints[host], "\(addresses[host]!):25": fingerprints[host]]
            if host == "mta52" { expected["127.0.0.1:465"] = fingerprints[host] }
            #expect(seen[host] == expected, "\(host): \(seen[host] ?? [:])")
            let instances = (doc["hosts"] as? [String: [String: Any]])?[host]?["instances"] as? [[String: Any]] ?? []
            let output = instances.first { $0["name"] as? String == "postfix-out" }?["listeners"] as? [[String: Any]] ?? []
            #expect(output.count == 1 && output.first?["served"] is NSNull && output.first?["failure"] as? String == "does not offer STARTTLS", "\(output)")
        }
        #expect(r.stdout.contains("postfix-in   127.0.0.1:25     mta50.example.com  mta50.example.com"), "\(r.stdout)")

        // --expiring-within, both ways: the certificates have 19 or 20 days left.
        r = try await postfleet(["tls", "--expiring-within", "30d"])
        #expect(r.status == 2 && r.stdout.contains("7 expiring within 30d"), "\(r.stdout)")
        r = try await postfleet(["tls", "--expiring-within", "10d"])
        #expect(r.status == 0 && r.stdout.contains("0 expiring within 10d"), "\(r.stdout)")

        // A renewed certificate put in place without a reload: that host's listeners serve the old one.
        let renewed = try await certificate("mta50", days: 40, key: "mta50.key", name: "mta50-renewed", in: scratch)
        try await install("mta50", key: "mta50.key", name: "mta50-renewed", in: scratch, reload: false)
        r = try await postfleet(["tls", "--json", json])
        #expect(r.status == 2, "\(r.stdout)")
        #expect(r.stdout.contains("Serving an old certificate") && r.stdout.contains("mta50 postfix-in 198.18.0.50:25: serves"), "\(r.stdout)")
        doc = try document(json)
        let input = ((doc["hosts"] as? [String: [String: Any]])?["mta50"]?["instances"] as? [[String: Any]])?.first { $0["name"] as? String == "postfix-in" }
        #expect((input?["configured"] as? [String: Any])?["sha256"] as? String == renewed)
        #expect((input?["listeners"] as? [[String: Any]])?.allSatisfy { $0["stale"] as? Bool == true } == true)
        #expect(((doc["summary"] as? [String: Any])?["stale"] as? Int) == 2)
        // Reloaded: it serves the renewed one, nothing is stale.
        _ = try await lab.sh("mta50", "postfix -c /etc/postfix-in reload 2>/dev/null")
        r = try await postfleet(["tls", "--json", json])
        #expect(r.status == 0, "\(r.stdout)")
        seen = try served(try document(json))
        #expect(seen["mta50"] == ["127.0.0.1:25": renewed, "198.18.0.50:25": renewed])
    }
}

/// With `POSTFLEET_REQUIRE_LAB=1`, a lab too small for TLSLabTests is a failure, not a silent skip.
@Suite struct TLSLabPresence {
    @Test func theLabIsLargeEnoughWhenRequired() { expectLab(of: LabHosts.tls, for: "TLSLabTests") }
}
