import Foundation
import ShellQuoting
import Testing

/// Certificates rolled out by a playbook: each host's key and certificate (with its
/// intermediate) as files of postfix-in, checked in the stage against the lab's root,
/// reloaded into postfix-in alone, and proven served by `postfleet tls`.
extension TLSLabTests {
    /// A lab PKI in `dir`: a root, an intermediate it signed, and per host keys and leaves.
    struct LabPKI {
        let dir: URL

        /// openssl on the controller, in the PKI's directory; fails the test when it fails.
        func run(_ arguments: [String]) async throws -> String {
            let r = try await runProcess("/usr/bin/openssl", arguments, seconds: 60, directory: dir.path)
            try #require(r.status == 0, "openssl \(arguments.joined(separator: " ")): \(r.stderr)")
            return r.stdout
        }

        init(in dir: URL) async throws {
            self.dir = dir
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("certs"), withIntermediateDirectories: true)
            _ = try await run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "root.key",
                         "-out", "certs/root.pem", "-days", "90", "-subj", "/CN=postfleet lab root"])
            _ = try await run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "int.key", "-out", "int.csr",
                         "-subj", "/CN=postfleet lab intermediate"])
            try "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n".write(
                to: dir.appendingPathComponent("int.ext"), atomically: true, encoding: .utf8)
            _ = try await run(["x509", "-req", "-in", "int.csr", "-CA", "certs/root.pem", "-CAkey", "root.key", "-CAcreateserial", "-days", "90",
                         "-extfile", "int.ext", "-out", "int.pem"])
        }

        /// A new private key `certs/KEY.key`-style file at `path` (relative to the PKI's directory).
        func newKey(_ path: String) async throws {
            _ = try await run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path])
        }

        /// A leaf for `name` with the key at `key`, signed by the intermediate, valid `days`
        /// (0: expired at once); returns its PEM and SHA-256 fingerprint.
        func leaf(name: String, key: String, days: Int = 30) async throws -> (pem: String, sha256: String) {
            let base = "leaf-\(UUID().uuidString)"
            _ = try await run(["req", "-new", "-key", key, "-subj", "/CN=\(name)", "-out", "\(base).csr"])
            try "subjectAltName=DNS:\(name)\nextendedKeyUsage=serverAuth\n".write(
                to: dir.appendingPathComponent("\(base).ext"), atomically: true, encoding: .utf8)
            _ = try await run(["x509", "-req", "-in", "\(base).csr", "-CA", "int.pem", "-CAkey", "int.key", "-CAcreateserial",
                         "-days", String(days), "-extfile", "\(base).ext", "-out", "\(base).pem"])
            let fingerprint = try await run(["x509", "-in", "\(base).pem", "-noout", "-fingerprint", "-sha256"])
            return (try text("\(base).pem"), String(fingerprint.split(separator: "=").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        }

        func text(_ path: String) throws -> String { try String(contentsOf: dir.appendingPathComponent(path), encoding: .utf8) }
        func put(_ text: String, _ path: String) throws { try text.write(to: dir.appendingPathComponent(path), atomically: true, encoding: .utf8) }

        /// Puts `host`'s certificate file (the leaf, then the intermediate unless left out) where the playbook reads it.
        func publish(_ host: String, leaf: String, intermediate: Bool = true) throws {
            try put(leaf + (intermediate ? try text("int.pem") : ""), "certs/\(host).pem")
        }
    }

    /// The shipped playbooks/border-tls.yml, copied into `dir` (beside its `certs/`), with
    /// the lab root as `ca_file`, and on demand `reload: false` (with a gate that gives up
    /// after 8 s instead of 30).
    static func tlsPlaybook(in dir: URL, reload: Bool = true) throws -> String {
        var text = try String(contentsOf: Lab.repository.appendingPathComponent("playbooks/border-tls.yml"), encoding: .utf8)
        func replace(_ old: String, _ new: String) throws {
            try #require(text.contains(old), "playbooks/border-tls.yml no longer has '\(old)'")
            text = text.replacingOccurrences(of: old, with: new)
        }
        try replace("# ca_file: certs/root.pem", "ca_file: certs/root.pem")
        if !reload {
            try replace("      group: mta\n", "      group: mta\n      reload: false\n")
            try replace("    health: {tls: true}", "    health: {tls: true, deadline: 8s, passes: 1}")
        }
        let path = dir.appendingPathComponent(reload ? "border-tls.yml" : "border-tls-held.yml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// postfix-in's master pid, the reloads its log has seen, and the checksums of its TLS files.
    func inputState(_ host: String) async throws -> (pid: String, reloads: Int, files: String) {
        let out = try await lab.sh(host, """
            tr -d ' \\n' </var/spool/postfix-in/pid/master.pid; echo
            grep -c 'postfix-in.*reload -- version' /var/log/postfix-in.log || true
            cd /etc/postfix-in && sha256sum mx.pem mx.key 2>/dev/null | tr '\\n' ' '; stat -c '%a' mx.key 2>/dev/null; ls -a | grep -c postfleet-stage || true
            """)
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        try #require(lines.count >= 3, "\(out)")
        return (lines[0], Int(lines[1]) ?? -1, lines[2...].joined(separator: " ").trimmingCharacters(in: .whitespaces))
    }

    func runJSON(_ playbook: String, _ dir: URL, _ extra: [String] = [], limit: [String]? = nil) async throws -> (status: Int32, output: String, doc: [String: Any]) {
        let json = dir.appendingPathComponent("run-\(UUID().uuidString).json").path
        let r = try await postfleet(["run", playbook, "--json", json] + extra, limit: limit)
        let doc = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json)))) as? [String: Any] ?? [:]
        return (r.status, r.stdout + r.stderr, doc)
    }

    func actions(_ doc: [String: Any], _ host: String, _ instance: String) -> [String] {
        let instances = (doc["hosts"] as? [String: [String: Any]])?[host]?["instances"] as? [String: [String: Any]]
        return instances?[instance]?["actions"] as? [String] ?? []
    }

    @Test func certificatesRollOutCheckedReloadingOnlyTheInputAndAreServed() async throws {
        let border = try await postfleet(["run", Lab.repository.appendingPathComponent("playbooks/border-cluster.yml").path])
        try #require(border.status == 0, "\(border.stdout)\(border.stderr)")
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let pki = try await LabPKI(in: scratch)
        let playbook = try Self.tlsPlaybook(in: scratch)

        // First rollout: each host's key and certificate.
        var served: [String: String] = [:]
        for host in hosts {
            try await pki.newKey("certs/\(host).key")
            let leaf = try await pki.leaf(name: "\(host).example.com", key: "certs/\(host).key")
            try pki.publish(host, leaf: leaf.pem)
            served[host] = leaf.sha256
        }
        var before: [String: String] = [:]
        for host in hosts { before[host] = try await lab.sh(host, "tr -d ' ' </var/spool/postfix/pid/master.pid; tr -d ' ' </var/spool/postfix-out/pid/master.pid") }
        var r = try await runJSON(playbook, scratch, ["--diff"])
        #expect(r.status == 0, "\(r.output)")
        for host in hosts {
            #expect(actions(r.doc, host, "postfix-in").contains("reloaded"), "\(host): \(actions(r.doc, host, "postfix-in"))")
            #expect(actions(r.doc, host, "default").isEmpty && actions(r.doc, host, "postfix-out").isEmpty)
            // The key is 0600 on the host and nowhere in what postfleet printed.
            let state = try await inputState(host)
            #expect(state.files.contains(" 600 0"), "\(host): \(state.files)")
            let keyLines = try pki.text("certs/\(host).key").split(separator: "\n").filter { !$0.hasPrefix("-----") }
            #expect(!keyLines.contains { r.output.contains($0) }, "the key leaked into the output")
        }
        // --diff says the key changed, never what it holds; the certificate by its checksum.
        let keyDiff = r.output.components(separatedBy: "postfix-in mx.key:\n").dropFirst().first?.split(separator: "\n").first
        #expect(keyDiff?.hasSuffix("= (secret) -> (secret)") == true || keyDiff?.hasSuffix("(new file) = (secret)") == true, "\(r.output)")
        #expect(r.output.contains("postfix-in mx.pem:\n"), "\(r.output)")
        try await expectServed(served, scratch)

        // Renewal with the same key, then with a new key: postfix-in alone reloads (its master
        // stays: a reload, not a restart), and every listener serves the new certificate.
        for newKey in [false, true] {
            var states: [String: (pid: String, reloads: Int, files: String)] = [:]
            for host in hosts {
                states[host] = try await inputState(host)
                if newKey { try await pki.newKey("certs/\(host).key") }
                let leaf = try await pki.leaf(name: "\(host).example.com", key: "certs/\(host).key", days: 40)
                try pki.publish(host, leaf: leaf.pem)
                served[host] = leaf.sha256
            }
            r = try await runJSON(playbook, scratch)
            #expect(r.status == 0, "\(r.output)")
            for host in hosts {
                #expect(actions(r.doc, host, "postfix-in").contains("reloaded"), "\(host): \(actions(r.doc, host, "postfix-in"))")
                #expect(!actions(r.doc, host, "postfix-in").contains("restarted"))
                #expect(actions(r.doc, host, "default").isEmpty && actions(r.doc, host, "postfix-out").isEmpty)
                let now = try await inputState(host)
                #expect(now.pid == states[host]?.pid, "\(host): postfix-in's master was restarted, not reloaded")
                #expect(now.reloads == (states[host]?.reloads ?? 0) + 1, "\(host): \(now.reloads) reloads")
                #expect(try await lab.sh(host, "tr -d ' ' </var/spool/postfix/pid/master.pid; tr -d ' ' </var/spool/postfix-out/pid/master.pid") == before[host])
            }
            try await expectServed(served, scratch)
        }

        // Each broken input is refused in the stage on mta50: nothing goes live, nothing reloads.
        let host = "mta50"
        let good = try pki.text("certs/\(host).pem"), goodKey = try pki.text("certs/\(host).key")
        try await pki.newKey("other.key")
        let cases: [(what: String, prepare: () async throws -> Void, says: String)] = [
            ("a key that does not match", { try pki.put(try pki.text("other.key"), "certs/\(host).key") },
             "/etc/postfix-in/mx.pem (main.cf): the private key does not match the certificate (CN = mta50.example.com)"),
            ("no intermediate", { try await pki.publish(host, leaf: try await pki.leaf(name: "mta50.example.com", key: "certs/\(host).key").pem, intermediate: false) },
             "/etc/postfix-in/mx.pem (main.cf): the chain does not reach a trusted root, at depth 0: unable to get local issuer certificate"),
            ("an expired certificate", { try await pki.publish(host, leaf: try await pki.leaf(name: "mta50.example.com", key: "certs/\(host).key", days: 0).pem) },
             "/etc/postfix-in/mx.pem (main.cf): the certificate (CN = mta50.example.com) expired on"),
            ("the wrong name", { try await pki.publish(host, leaf: try await pki.leaf(name: "mta99.example.com", key: "certs/\(host).key").pem) },
             "/etc/postfix-in/mx.pem (main.cf): the certificate (CN = mta99.example.com) does not cover mta50.example.com"),
        ]
        for c in cases {
            try pki.put(good, "certs/\(host).pem")
            try pki.put(goodKey, "certs/\(host).key")
            try await c.prepare()
            let state = try await inputState(host)
            let refused = try await postfleet(["run", playbook], limit: [host])
            #expect(refused.status != 0, "\(c.what): \(refused.stdout)")
            #expect((refused.stdout + refused.stderr).contains(c.says), "\(c.what): \(refused.stdout)\(refused.stderr)")
            #expect((refused.stdout + refused.stderr).contains("the new certificate fails its check; the live files are unchanged"), "\(refused.stdout)")
            let after = try await inputState(host)
            #expect(after.files == state.files && after.reloads == state.reloads && after.pid == state.pid,
                    "\(c.what): the host changed: \(state) -> \(after)")
            #expect(after.files.hasSuffix(" 0"), "a stage directory was left behind: \(after.files)")
        }
        try pki.put(good, "certs/\(host).pem")
        try pki.put(goodKey, "certs/\(host).key")
        try await expectServed(served, scratch)

        // A reload held back on purpose (reload: false) with the TLS health gate: mta51 gets
        // its new files, keeps serving the old certificate, and the gate fails it; tls says so.
        let held = try Self.tlsPlaybook(in: scratch, reload: false)
        let renewed = try await pki.leaf(name: "mta51.example.com", key: "certs/mta51.key", days: 50)
        try pki.publish("mta51", leaf: renewed.pem)
        let gated = try await runJSON(held, scratch, limit: ["mta51"])
        #expect(gated.status != 0, "\(gated.output)")
        #expect(gated.output.contains("skipped: reload held back (reload: false)"), "\(gated.output)")
        let short = String(served["mta51"]!.prefix(23))
        #expect(gated.output.contains("serves SHA256 \(short)") || gated.output.contains(short), "\(gated.output)")
        let json = scratch.appendingPathComponent("stale.json").path
        let stale = try await postfleet(["tls", "--json", json], limit: ["mta51"])
        #expect(stale.status == 2 && stale.stdout.contains("Serving an old certificate") && stale.stdout.contains("mta51 postfix-in"), "\(stale.stdout)")
        let doc = try document(json)
        let input = ((doc["hosts"] as? [String: [String: Any]])?["mta51"]?["instances"] as? [[String: Any]])?.first { $0["name"] as? String == "postfix-in" }
        #expect((input?["configured"] as? [String: Any])?["sha256"] as? String == renewed.sha256)
        #expect((input?["listeners"] as? [[String: Any]])?.allSatisfy { ($0["served"] as? [String: Any])?["sha256"] as? String == served["mta51"] } == true)
        _ = try await lab.sh("mta51", "postfix -c /etc/postfix-in reload 2>/dev/null")
    }

    /// `postfleet tls` shows every postfix-in listener of every host serving `expected[host]`.
    func expectServed(_ expected: [String: String], _ scratch: URL) async throws {
        let json = scratch.appendingPathComponent("served-\(UUID().uuidString).json").path
        let r = try await postfleet(["tls", "--json", json])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let seen = try served(try document(json))
        for host in hosts {
            let listeners = seen[host] ?? [:]
            #expect(listeners.count == 2 && listeners.values.allSatisfy { $0 == expected[host] }, "\(host): \(listeners) != \(expected[host] ?? "")")
        }
    }
}
