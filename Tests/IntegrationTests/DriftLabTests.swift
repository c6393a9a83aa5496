import Engine
import Foundation
import SSH
import Testing

/// `postfleet drift` on lab host mta24 (no other suite uses it), as a mail administrator
/// would check it: a converged host has no drift; changes made behind postfleet's back
/// (a main.cf parameter, a master.cf listener, a table key, a comment, a stopped instance)
/// are each named with the instance and both values, in the text and in the JSON, exit 2;
/// drift changes nothing on the host (the bytes and dates of every configuration file, the
/// running masters); and a run brings the host back to no drift.
@Suite(.cleansUp, .labOf(LabHosts.drift), .serialized, .timeLimit(.minutes(10)))
struct DriftLabTests {
    let lab = Lab.current!
    let host = "mta24"

    var binary: String { Lab.binary }

    var playbook: String { Lab.repository.appendingPathComponent("playbooks/border-cluster.yml").path }

    func postfleet(_ command: String, _ extra: [String] = []) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runProcess(binary, [command, playbook, "-i", lab.inventoryPath, "--known-hosts", lab.knownHosts, "-l", host] + extra,
                       seconds: 180)
    }

    /// Runs a shell command as root on the host through `scripts/lab exec`: not through postfleet.
    func behindItsBack(_ command: String) async throws {
        try await lab.onHost(host, command)
    }

    /// A command's stdout on the host, over SSH; fails the test on a non-zero exit.
    func sh(_ command: String) async throws -> String {
        try await Session.with(try lab.endpoint(host), options: lab.options()) { session in
            let r = try await session.exec(command)
            #expect(r.succeeded, "\(host): \(command): \(r.stderrText)")
            return r.stdoutText
        }
    }

    /// Every file in the configuration directories with its size, mtime and checksum,
    /// `postmulti -l`, and each instance's master pid: what "changed nothing" means.
    func snapshot() async throws -> String {
        try await sh("""
            for d in /etc/postfix /etc/postfix-out /etc/postfix-in; do
              [ -d "$d" ] || continue
              find "$d" -type f -printf '%p %s %T@ ' -exec sha256sum {} \\; | awk '{ print $1, $2, $3, $4 }'
            done | sort
            postmulti -l
            for q in /var/spool/postfix /var/spool/postfix-out /var/spool/postfix-in; do
              echo "$q $(cat "$q/pid/master.pid" 2>/dev/null | tr -d ' ')"
            done
            """)
    }

    func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    /// A relay password table (named by smtp_sasl_password_maps): on the host it and its
    /// index are 0600; changed behind postfleet's back, drift and `run --check --diff` name
    /// the key whose secret changed, and neither their text nor the JSON holds either password;
    /// made readable by all, drift says so and run makes it 0600 again.
    @Test func secretsAreNamedButNeverShown() async throws {
        try await lab.resetForTest([host])
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let playbook = scratch.appendingPathComponent("relay.yml").path
        try """
            - name: Relay credentials
              hosts: all
              vars: {relay_password: s3cret-pw-1}
              instances:
                - name: default
                  main_cf:
                    parameters:
                      smtp_sasl_password_maps: cdb:$config_directory/sasl_passwd
                  tables:
                    - name: sasl_passwd
                      type: cdb
                      entries:
                        "[mailhub.example.com]:587": "{{ inventory_hostname }}:{{ relay_password }}"
            """.write(toFile: playbook, atomically: true, encoding: .utf8)
        func postfleet(_ command: String, _ extra: [String] = []) async throws -> (status: Int32, stdout: String, stderr: String) {
            try await runProcess(binary, [command, playbook, "-i", lab.inventoryPath, "--known-hosts", lab.knownHosts, "-l", host] + extra,
                           seconds: 120)
        }

        let run = try await postfleet("run")
        try #require(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(try await sh("stat -c '%a %U' /etc/postfix/sasl_passwd /etc/postfix/sasl_passwd.cdb") == "600 root\n600 root\n")
        #expect(try await sh("postmap -q '[mailhub.example.com]:587' cdb:/etc/postfix/sasl_passwd") == "mta24:s3cret-pw-1\n")

        try await behindItsBack("sed -i 's/s3cret-pw-1/hand-edited-pw/' /etc/postfix/sasl_passwd && postmap cdb:/etc/postfix/sasl_passwd")
        let report = scratch.appendingPathComponent("drift.json").path
        let drift = try await postfleet("drift", ["--json", report])
        #expect(drift.status == 2, "\(drift.stdout)\(drift.stderr)")
        #expect(drift.stdout.contains("  default sasl_passwd:\n    ~ [mailhub.example.com]:587 = (secret) -> (secret)\n"), "\(drift.stdout)")
        let json = try String(contentsOfFile: report, encoding: .utf8)
        #expect(json.contains("(secret)"))
        let diff = try await postfleet("run", ["--check", "--diff"])
        #expect(diff.stdout.contains("[mailhub.example.com]:587 = (secret) -> (secret)"), "\(diff.stdout)")
        for output in [drift.stdout, drift.stderr, json, diff.stdout, diff.stderr] {
            #expect(!output.contains("s3cret-pw-1") && !output.contains("hand-edited-pw"), "a password was shown: \(output)")
        }

        // run puts the playbook's password back.
        let repair = try await postfleet("run")
        #expect(repair.status == 0, "\(repair.stdout)\(repair.stderr)")
        #expect(try await sh("postmap -q '[mailhub.example.com]:587' cdb:/etc/postfix/sasl_passwd") == "mta24:s3cret-pw-1\n")
        #expect(!repair.stdout.contains("s3cret-pw-1"))

        // Made readable by all behind postfleet's back, the same text: drift says so, and run
        // makes it 0600 again.
        try await behindItsBack("chmod 644 /etc/postfix/sasl_passwd /etc/postfix/sasl_passwd.cdb")
        let loose = try await postfleet("drift")
        #expect(loose.status == 2 && loose.stdout.contains("  default sasl_passwd:\n    ~ (mode) = 644 -> 600\n"), "\(loose.stdout)")
        #expect(!loose.stdout.contains("text only"), "\(loose.stdout)")
        let tighten = try await postfleet("run")
        #expect(tighten.status == 0, "\(tighten.stdout)\(tighten.stderr)")
        #expect(try await sh("stat -c '%a' /etc/postfix/sasl_passwd /etc/postfix/sasl_passwd.cdb") == "600\n600\n")
        let tight = try await postfleet("drift")
        #expect(tight.status == 0 && tight.stdout.hasPrefix("mta24 (1): no drift\n"), "\(tight.stdout)")
    }

    @Test func driftNamesWhatChangedBehindPostfleetsBackAndChangesNothing() async throws {
        try await lab.resetForTest([host])
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }

        // A bare host drifts: its instances are missing.
        let bare = try await postfleet("drift")
        #expect(bare.status == 2, "\(bare.stdout)\(bare.stderr)")
        #expect(bare.stdout.contains("  postfix-in: missing (run would create it in group mta, enable it and start it)\n"), "\(bare.stdout)")

        // Converged, it has none.
        let converge = try await postfleet("run")
        try #require(converge.status == 0, "\(converge.stdout)\(converge.stderr)")
        let clean = scratch.appendingPathComponent("clean.json").path
        let none = try await postfleet("drift", ["--json", clean])
        #expect(none.status == 0, "\(none.stdout)\(none.stderr)")
        #expect(none.stdout.hasPrefix("mta24 (1): no drift\n"), "\(none.stdout)")
        #expect(!none.stdout.contains("---"), "nothing differs, so nothing is listed: \(none.stdout)")
        #expect(none.stdout.contains("1 host: 1 in sync, 0 drifted, 0 failed, 0 unreachable"), "\(none.stdout)")
        #expect((try json(clean)["hosts"] as? [String: [String: Any]])?[host]?["status"] as? String == "in_sync")

        // Behind postfleet's back: a parameter, a listener, a table key, a comment, a stop.
        try await behindItsBack("postconf -c /etc/postfix-in -e 'smtpd_banner = changed'")
        try await behindItsBack("postconf -c /etc/postfix-out -MX 127.0.0.1:10026/inet")
        try await behindItsBack("sed -i '/^postmaster/d' /etc/postfix/virtual && postmap cdb:/etc/postfix/virtual")
        try await behindItsBack("echo '# edited by hand' >> /etc/postfix/generic")
        try await behindItsBack("postfix -c /etc/postfix-out stop")

        let before = try await snapshot()
        let report = scratch.appendingPathComponent("drift.json").path
        let drift = try await postfleet("drift", ["--json", report])
        let after = try await snapshot()
        #expect(after == before, "drift changed something on the host")

        #expect(drift.status == 2, "\(drift.stdout)\(drift.stderr)")
        let text = drift.stdout
        #expect(text.contains("--- mta24\n"), "\(text)")
        #expect(text.contains("  postfix-in main.cf:\n    ~ smtpd_banner = changed -> $myhostname ESMTP $mail_name\n"), "\(text)")
        #expect(text.contains("  postfix-out master.cf:\n    + 127.0.0.1:10026/inet = 127.0.0.1:10026 inet n - n - - smtpd\n"), "\(text)")
        #expect(text.contains("  postfix-out: not running (run would start it)\n"), "\(text)")
        #expect(text.contains("  default virtual:\n    + postmaster = root\n"), "\(text)")
        #expect(text.contains("  default: generic differs in text only (comments or order)\n"), "\(text)")
        #expect(text.contains("mta24 (1): drifted\n"), "\(text)")
        #expect(text.contains("1 host: 0 in sync, 1 drifted, 0 failed, 0 unreachable"), "\(text)")

        let doc = try json(report)
        #expect(doc["schema"] as? String == "postfleet.drift/1")
        let entry = try #require((doc["hosts"] as? [String: [String: Any]])?[host])
        #expect(entry["status"] as? String == "drifted")
        let instances = try #require(entry["instances"] as? [String: [String: Any]])
        func differences(_ instance: String) -> [[String: Any]] { instances[instance]?["differences"] as? [[String: Any]] ?? [] }
        let banner = differences("postfix-in").first { $0["key"] as? String == "smtpd_banner" }
        #expect(banner?["section"] as? String == "main.cf")
        #expect(banner?["live"] as? String == "changed")
        #expect(banner?["playbook"] as? String == "$myhostname ESMTP $mail_name")
        let listener = differences("postfix-out").first { $0["key"] as? String == "127.0.0.1:10026/inet" }
        #expect(listener?["change"] as? String == "added" && listener?["live"] is NSNull)
        let key = differences("default").first { $0["key"] as? String == "postmaster" }
        #expect(key?["section"] as? String == "virtual" && key?["playbook"] as? String == "root")
        let states = (instances["postfix-out"]?["state"] as? [[String: Any]] ?? []).map { $0["kind"] as? String }
        #expect(states == ["stopped"])

        // What drift lists is what run puts back: after a run, no drift again.
        let repair = try await postfleet("run")
        #expect(repair.status == 0, "\(repair.stdout)\(repair.stderr)")
        #expect(try await sh("postconf -c /etc/postfix-in -h smtpd_banner") == "$myhostname ESMTP $mail_name\n")
        let again = try await postfleet("drift")
        #expect(again.status == 0, "\(again.stdout)")
        #expect(again.stdout.hasPrefix("mta24 (1): no drift\n"), "\(again.stdout)")

        // An instance someone added by hand is named, and is not drift: run leaves it alone.
        try await behindItsBack("postmulti -I postfix-extra -G lab -e create")
        let extra = try await postfleet("drift")
        #expect(extra.status == 0, "\(extra.stdout)")
        #expect(extra.stdout.hasPrefix("mta24 (1): no drift\n  not in the playbook (run leaves it alone): postfix-extra\n"), "\(extra.stdout)")
        // And run does leave it alone: postmulti still knows it.
        let keep = try await postfleet("run")
        #expect(keep.status == 0 && keep.stdout.contains("1 ok, 0 changed"), "\(keep.stdout)\(keep.stderr)")
        #expect(try await sh("postmulti -l -i postfix-extra").hasPrefix("postfix-extra"))
    }
}

/// With `POSTFLEET_REQUIRE_LAB=1`, a lab too small for DriftLabTests is a failure, not a silent skip.
@Suite struct DriftLabPresence {
    @Test func theLabIsLargeEnoughWhenRequired() { expectLab(of: LabHosts.drift, for: "DriftLabTests") }
}
