import Foundation
import SSH
import Testing

/// `postfleet run playbooks/border-cluster.yml` on hosts as installers and administrators
/// leave them, on lab hosts mta28..mta34, with mta38 (systemd, "No configuration") and
/// mta39 (systemd, "Internet Site") in the same run (no other suite uses them;
/// `scripts/test` brings them up), checked on the hosts: `postmulti -l`, master pids, the
/// queue files, `systemctl`, mail in the hub's mailbox, the JSON report.
///
/// The states are made inside ordinary lab hosts: debconf's "No configuration" (Postfix
/// stopped, main.cf removed), "Internet Site" and "Satellite system" main.cf files as
/// debconf writes them, running or stopped, Postfix hidden (no postconf on the PATH),
/// a nameless instance and an instance made by hand with its own queue. Every test resets
/// its hosts at its end.
@Suite(.cleansUp, .enabled(if: (Lab.current?.hostCount ?? 0) >= 39 && Lab.current?.systemdHosts(state: "noconfig").contains("mta38") == true,
                "needs the lab: scripts/lab up 39 --systemd mta35-mta39 --noconfig mta38"), .serialized, .timeLimit(.minutes(10)))
struct FreshHostLabTests {
    let lab = Lab.current!
    let noConfiguration = ["mta28", "mta29", "mta30"]
    let internetSite = ["mta31", "mta32", "mta33"]
    let withoutPostfix = "mta34"
    /// Booted by systemd, Postfix under Debian's `postfix@` units: "No configuration", and "Internet Site".
    let systemdHosts = ["mta38", "mta39"]
    var all: [String] { noConfiguration + internetSite + [withoutPostfix] }

    var playbook: String { Lab.repository.appendingPathComponent("playbooks/border-cluster.yml").path }

    func run(_ hosts: [String], json: String) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runProcess(Lab.binary, ["run", playbook, "-i", lab.inventoryPath, "--known-hosts", lab.knownHosts,
                                    "-l", hosts.joined(separator: ":"), "--json", json], seconds: 300)
    }

    /// A command's stdout on a lab host, over SSH; fails the test on a non-zero exit.
    @discardableResult
    func sh(_ host: String, _ command: String) async throws -> String { try await lab.sh(host, command) }

    func instances(_ host: String) async throws -> [String] {
        try await sh(host, "postmulti -l").split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
    }

    /// Master pid per configuration directory whose master runs.
    func masterPIDs(_ host: String) async throws -> [String: String] {
        let out = try await sh(host, """
            postmulti -l | while read -r name group enabled dir; do
              if postfix -c "$dir" status 2>/dev/null; then q=$(postconf -c "$dir" -h queue_directory); echo "$dir $(tr -d ' ' < "$q/pid/master.pid")"; fi
            done
            """)
        return Dictionary(out.split(separator: "\n").compactMap { line -> (String, String)? in
            let w = line.split(separator: " ")
            return w.count == 2 ? (String(w[0]), String(w[1])) : nil
        }, uniquingKeysWith: { $1 })
    }

    /// The `init` the JSON report at `path` gives `host`.
    func initSystem(_ path: String, _ host: String) throws -> String? {
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        return ((doc?["hosts"] as? [String: [String: Any]])?[host]?["init"]) as? String
    }

    func hostStatus(_ path: String) throws -> [String: String] {
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        let hosts = doc?["hosts"] as? [String: [String: Any]] ?? [:]
        return hosts.compactMapValues { $0["status"] as? String }
    }

    /// Waits (at most 30 s) until the hub's mailbox holds a message with `subject`.
    func delivered(_ subject: String) async throws -> Bool { try await lab.delivered(subject) }

    /// An SMTP session from `host` itself to its input instance on its public address.
    func sendThroughInput(_ host: String, subject: String) async throws {
        let address = try lab.endpoint(host).address
        let out = try await sh(host, """
            { printf 'EHLO controller\\r\\n'; sleep 0.3; printf 'MAIL FROM:<sender@example.net>\\r\\n'; sleep 0.2
              printf 'RCPT TO:<someone@example.com>\\r\\n'; sleep 0.2; printf 'DATA\\r\\n'; sleep 0.2
              printf 'Subject: \(subject)\\r\\n\\r\\nhi\\r\\n.\\r\\n'; sleep 0.3; printf 'QUIT\\r\\n'; } | socat -t 5 - TCP:\(address):25
            """)
        #expect(out.contains("250 2.0.0 Ok: queued"), "\(host): \(out)")
    }

    /// main.cf as debconf's "Internet Site" writes it on Debian 12 (without the TLS
    /// certificate lines: the lab has no snakeoil certificate), or, with `relayhost`,
    /// "Satellite system".
    func debconfMainCF(_ host: String, relayhost: String = "") -> String {
        """
        smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)
        biff = no
        append_dot_mydomain = no
        readme_directory = no
        compatibility_level = 3.6
        smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination
        myhostname = \(host).example.com
        alias_maps = hash:/etc/aliases
        alias_database = hash:/etc/aliases
        myorigin = /etc/mailname
        mydestination = $myhostname, \(host), localhost.localdomain, localhost
        relayhost = \(relayhost)
        mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
        mailbox_size_limit = 0
        recipient_delimiter = +
        inet_interfaces = \(relayhost.isEmpty ? "all" : "loopback-only")
        inet_protocols = all

        """
    }

    /// Three "No configuration" hosts, three debconf-configured ones (Internet Site running,
    /// Internet Site stopped, Satellite system running) and one without Postfix, in one run:
    /// the six converge, the seventh fails with one line; the second run changes nothing and
    /// restarts no master; mail through a fresh host's input instance reaches the hub.
    @Test func everyStateAFreshInstallLeavesRollsOut() async throws {
        try await lab.resetForTest(all + systemdHosts, seconds: 120)
        #expect(try await sh(systemdHosts[0], "test -e /etc/postfix/main.cf && echo configured || echo none") == "none\n")
        for host in noConfiguration {
            try await lab.onHost(host, "postfix stop >/dev/null 2>&1; rm -f /etc/postfix/main.cf; ! postfix status 2>/dev/null")
        }
        for (host, relay, running) in [(internetSite[0], "", true), (internetSite[1], "", false),
                                       (internetSite[2], "[mailhub.example.com]", true)] {
            let text = debconfMainCF(host, relayhost: relay)
            try await lab.onHost(host, """
                postfix stop >/dev/null 2>&1; echo \(host).example.com > /etc/mailname
                cat > /etc/postfix/main.cf <<'EOF'
                \(text)EOF
                newaliases; \(running ? "postfix start" : "true")
                """)
        }
        // Postfix's commands hidden in that host's own mount namespace (private: `scripts/lab
        // exec` enters it) by a file that cannot run; /usr is the machine's, never changed.
        try await lab.onHost(withoutPostfix, "set -e; : > /run/pf-absent; for p in postconf postmulti postfix; do mount --bind /run/pf-absent /usr/sbin/$p; done")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/sbin/postconf"), "the machine's own postconf was hidden too")
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }

        let first = scratch.appendingPathComponent("first.json").path
        let rollout = try await run(all + systemdHosts, json: first)
        #expect(rollout.status == 2, "\(rollout.stdout)\(rollout.stderr)")
        let reasons = rollout.stdout.split(separator: "\n").filter { $0.contains("Postfix is not installed (no postconf on the PATH)") }
        #expect(reasons.count == 1, "\(rollout.stdout)")
        let statuses = try hostStatus(first)
        #expect(statuses[withoutPostfix] == "failed", "\(statuses)")
        for host in noConfiguration + internetSite + systemdHosts {
            #expect(statuses[host] == "changed", "\(host): \(rollout.stdout)")
            let rows = try await instances(host)
            #expect(rows == ["- - y /etc/postfix", "postfix-out mta y /etc/postfix-out", "postfix-in mta y /etc/postfix-in"], "\(host): \(rows)")
            #expect(try await masterPIDs(host).keys.sorted() == ["/etc/postfix", "/etc/postfix-in", "/etc/postfix-out"], "\(host)")
            #expect(try await sh(host, "postconf -c /etc/postfix-in -h inet_interfaces") == "\(try lab.endpoint(host).address), 127.0.0.1\n")
        }

        // The systemd hosts: every instance under its unit, nothing failed.
        for host in systemdHosts {
            #expect(try await sh(host, "systemctl is-system-running") == "running\n", "\(host)")
            #expect(try await sh(host, "systemctl is-active postfix@- postfix@postfix-out postfix@postfix-in") == "active\nactive\nactive\n", "\(host)")
            #expect(try initSystem(first, host) == "systemd", "\(host)")
        }
        #expect(try initSystem(first, noConfiguration[0]) == "postfix")

        let tag = UUID().uuidString.prefix(8)
        try await sendThroughInput(systemdHosts[0], subject: "pf-sd-fresh-\(tag)")
        #expect(try await delivered("pf-sd-fresh-\(tag)"), "mail through a systemd \"No configuration\" host did not reach the hub")
        try await sendThroughInput(noConfiguration[0], subject: "pf-fresh-\(tag)")
        try await sendThroughInput(internetSite[2], subject: "pf-satellite-\(tag)")
        #expect(try await delivered("pf-fresh-\(tag)"), "mail through a \"No configuration\" host did not reach the hub")
        #expect(try await delivered("pf-satellite-\(tag)"), "mail through a \"Satellite system\" host did not reach the hub")

        // The second run: nothing to do, no master restarted.
        var pids: [String: [String: String]] = [:]
        let converged = noConfiguration + internetSite + systemdHosts
        for host in converged { pids[host] = try await masterPIDs(host) }
        let second = scratch.appendingPathComponent("second.json").path
        let again = try await run(converged, json: second)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("8 hosts: 8 ok, 0 changed, 0 failed, 0 unreachable"), "\(again.stdout)")
        for host in converged { #expect(try await masterPIDs(host) == pids[host], "\(host)") }
    }

    /// A nameless instance (made with `postmulti -I - -e create`, holding a message it has
    /// not sent) and postfix-out made by hand with its own queue and data directories, then
    /// deported and imported again, holding a message: after the rollout the nameless one is
    /// still listed and its message still in its queue; postfix-out kept its queue, where
    /// its master now runs, and its message reached the hub.
    @Test func aNamelessAndAnImportedInstanceKeepTheirQueues() async throws {
        let host = noConfiguration[0]
        try await lab.resetForTest([host], seconds: 120)
        let tag = UUID().uuidString.prefix(8)
        try await lab.onHost(host, """
            set -e
            postmulti -e init
            postmulti -I - -e create config_directory=/etc/postfix-legacy queue_directory=/var/spool/postfix-legacy data_directory=/var/lib/postfix-legacy
            postconf -c /etc/postfix-legacy -e syslog_name=postfix-legacy authorized_submit_users=root
            printf 'Subject: pf-legacy-\(tag)\\n\\nkept\\n' | sendmail -C /etc/postfix-legacy -f root someone@example.com
            postmulti -I postfix-out -G mta -e create queue_directory=/var/spool/mail-out data_directory=/var/lib/mail-out
            postmulti -i postfix-out -e deport
            postmulti -I postfix-out -G mta -e import
            postconf -c /etc/postfix-out -e authorized_submit_users=root
            printf 'Subject: pf-imported-\(tag)\\n\\nkept\\n' | postmulti -i postfix-out -x sendmail -f root someone@example.com
            """)
        let queuedBefore = try await sh(host, "find /var/spool/postfix-legacy/maildrop -type f | wc -l")
        #expect(queuedBefore == "1\n")
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }

        let rollout = try await run([host], json: scratch.appendingPathComponent("run.json").path)
        #expect(rollout.status == 0, "\(rollout.stdout)\(rollout.stderr)")
        let rows = try await instances(host)
        #expect(rows.contains("- - n /etc/postfix-legacy"), "\(rows)")
        #expect(rows.contains("postfix-out mta y /etc/postfix-out") && rows.contains("postfix-in mta y /etc/postfix-in"), "\(rows)")
        #expect(try await sh(host, "postconf -h multi_instance_directories")
            == "/etc/postfix-out /etc/postfix-in /etc/postfix-legacy\n")
        // The nameless instance: untouched, its message still queued.
        #expect(try await sh(host, "find /var/spool/postfix-legacy/maildrop -type f | wc -l") == queuedBefore)
        #expect(try await sh(host, "postconf -c /etc/postfix-legacy -h syslog_name") == "postfix-legacy\n")
        // postfix-out: its own queue kept, its master running there, its message delivered.
        #expect(try await sh(host, "postconf -c /etc/postfix-out -h queue_directory data_directory") == "/var/spool/mail-out\n/var/lib/mail-out\n")
        #expect(try await sh(host, "test -d /var/spool/postfix-out && echo moved || echo kept") == "kept\n")
        #expect(try await masterPIDs(host)["/etc/postfix-out"] != nil)
        #expect(try await delivered("pf-imported-\(tag)"), "the message queued in the imported instance did not reach the hub")
        let again = try await run([host], json: scratch.appendingPathComponent("again.json").path)
        #expect(again.stdout.contains("1 host: 1 ok, 0 changed"), "\(again.stdout)")
    }
}

/// With `POSTFLEET_REQUIRE_LAB=1`, a lab too small for FreshHostLabTests is a failure, not
/// a silent skip.
@Suite struct FreshHostLabPresence {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["POSTFLEET_REQUIRE_LAB"] == "1"))
    func theFreshHostsAreUpWhenRequired() {
        #expect((Lab.current?.hostCount ?? 0) >= 39, "POSTFLEET_REQUIRE_LAB=1 but the lab has fewer than 39 border hosts")
        #expect(Lab.current?.systemdHosts(state: "noconfig").contains("mta38") == true,
                "POSTFLEET_REQUIRE_LAB=1 but mta38 is not a systemd host in state noconfig")
    }
}
