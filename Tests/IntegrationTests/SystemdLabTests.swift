import Foundation
import SSH
import Testing

/// postfleet on lab hosts that boot systemd as Debian 12 hosts do (`scripts/lab up
/// --init systemd`, or `--systemd HOSTS`): the first three such hosts in state "running".
/// Checked as an administrator would on the host: `systemctl is-active`, `systemctl
/// is-system-running`, the master's `/proc/PID/cgroup`, `postmulti -l`, the hub's mailbox.
///
/// Serialized: the tests share the hosts; each starts from `scripts/lab reset` and resets
/// them at its end.
@Suite(.cleansUp, .enabled(if: (Lab.current?.systemdHosts().count ?? 0) >= 3, "needs 3 systemd lab hosts: scripts/lab up N --systemd HOSTS"),
       .serialized, .timeLimit(.minutes(10)))
struct SystemdLabTests {
    let lab = Lab.current!
    var hosts: [String] { Array(lab.systemdHosts().prefix(3)) }
    var limit: String { hosts.joined(separator: ":") }
    let units = ["/etc/postfix": "postfix@-", "/etc/postfix-out": "postfix@postfix-out", "/etc/postfix-in": "postfix@postfix-in"]
    var playbook: String { Lab.repository.appendingPathComponent("playbooks/border-cluster.yml").path }

    /// `postfleet COMMAND ARGS -i INVENTORY --known-hosts ... -l LIMIT`.
    func postfleet(_ command: String, _ arguments: [String], inventory: String? = nil, limit: String? = nil)
        async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runProcess(Lab.binary, [command] + arguments + ["-i", inventory ?? lab.inventoryPath, "--known-hosts", lab.knownHosts,
                                                            "-l", limit ?? self.limit], seconds: 240)
    }

    /// A command's stdout on a lab host, over SSH; fails the test on a non-zero exit.
    @discardableResult
    func sh(_ host: String, _ command: String) async throws -> String { try await lab.sh(host, command) }

    /// Per configuration directory whose master runs: its pid, and whether it is in its
    /// unit's cgroup; and each unit's `systemctl is-active`.
    func state(_ host: String) async throws -> (pids: [String: String], inUnit: [String: Bool], active: [String: String]) {
        let out = try await sh(host, """
            for d in /etc/postfix /etc/postfix-out /etc/postfix-in; do
              [ -d "$d" ] || continue
              n=$(postconf -c "$d" -h multi_instance_name); [ "$d" != /etc/postfix ] || n=-
              echo "unit $d $(systemctl is-active "postfix@$n")"
              if postfix -c "$d" status 2>/dev/null; then
                p=$(tr -d ' ' < "$(postconf -c "$d" -h queue_directory)/pid/master.pid")
                if grep -q "/postfix@$n.service\\$" /proc/$p/cgroup; then c=yes; else c=no; fi
                echo "pid $d $p $c"
              fi
            done
            """)
        var pids: [String: String] = [:], inUnit: [String: Bool] = [:], active: [String: String] = [:]
        for line in out.split(separator: "\n") {
            let w = line.split(separator: " ").map(String.init)
            if w.count == 3, w[0] == "unit" { active[w[1]] = w[2] }
            if w.count == 4, w[0] == "pid" { pids[w[1]] = w[2]; inUnit[w[1]] = w[3] == "yes" }
        }
        return (pids, inUnit, active)
    }

    /// Every instance's unit active and its master in it.
    func expectUnderUnits(_ host: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let s = try await state(host)
        for dir in units.keys.sorted() {
            #expect(s.active[dir] == "active", "\(host): \(units[dir]!) is \(s.active[dir] ?? "absent")", sourceLocation: sourceLocation)
            #expect(s.inUnit[dir] == true, "\(host): the master of \(dir) is not in \(units[dir]!)'s cgroup", sourceLocation: sourceLocation)
        }
    }

    /// `systemctl is-system-running`, waited for (at most 20 s) while it says starting.
    func systemState(_ host: String) async throws -> String {
        var state = ""
        for _ in 0..<40 {
            state = try await sh(host, "systemctl is-system-running || true").trimmingCharacters(in: .whitespacesAndNewlines)
            if state != "starting" { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        return state
    }

    func json(_ path: String) throws -> [String: [String: Any]] {
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        return doc?["hosts"] as? [String: [String: Any]] ?? [:]
    }

    /// The rollout: every unit active with its master inside, the system running, the report
    /// saying systemd; a second run changes nothing and restarts no master; mail flows.
    @Test func borderClusterRunsEveryInstanceUnderItsUnit() async throws {
        try await lab.resetForTest(hosts, seconds: 180)
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let first = scratch.appendingPathComponent("first.json").path
        let rollout = try await postfleet("run", [playbook, "--json", first])
        #expect(rollout.status == 0, "\(rollout.stdout)\(rollout.stderr)")
        #expect(rollout.stdout.contains("3 hosts: 0 ok, 3 changed, 0 failed, 0 unreachable"), "\(rollout.stdout)")
        let doc = try json(first)
        var pids: [String: [String: String]] = [:]
        for host in hosts {
            #expect(doc[host]?["init"] as? String == "systemd")
            let system = try await systemState(host)
            let failed = try await sh(host, "systemctl --failed --no-legend --plain")
            #expect(system == "running", "\(host): \(system): \(failed)")
            try await expectUnderUnits(host)
            #expect(try await sh(host, "systemctl --failed --no-legend --plain") == "")
            pids[host] = try await state(host).pids
            // The change record's syslog line, in the host's journal.
            let journal = try await sh(host, "journalctl -t postfleet --no-pager -o cat")
            #expect(journal.contains("playbook \(playbook) sha256 ") && journal.contains("; postfix-in: ")
                        && journal.hasSuffix("result=ok\n"), "\(host): \(journal)")
        }

        let again = try await postfleet("run", [playbook])
        #expect(again.status == 0)
        #expect(again.stdout.contains("3 hosts: 3 ok, 0 changed, 0 failed, 0 unreachable"), "\(again.stdout)")
        for host in hosts { #expect(try await state(host).pids == pids[host]) }

        // A message through postfix-in reaches the hub (postfix-in, the filter stand-in, postfix-out).
        let tag = UUID().uuidString.prefix(8)
        try await sh(hosts[0], """
            a=$(postconf -c /etc/postfix-in -h inet_interfaces | awk -F'[ ,]+' '{ print $1 }')
            case $a in all|loopback-only|localhost|'') a=127.0.0.1;; esac
            { printf 'EHLO controller\\r\\n'; sleep 0.3; printf 'MAIL FROM:<sender@example.net>\\r\\n'; sleep 0.2
              printf 'RCPT TO:<someone@example.com>\\r\\n'; sleep 0.2; printf 'DATA\\r\\n'; sleep 0.2
              printf 'Subject: pf-sd-\(tag)\\r\\n\\r\\nhi\\r\\n.\\r\\n'; sleep 0.3; printf 'QUIT\\r\\n'; } | socat -t 5 - TCP:$a:25
            """)
        #expect(try await delivered("pf-sd-\(tag)"), "the message sent to \(hosts[0])'s postfix-in did not reach the hub")
    }

    /// A certificate rollout on systemd hosts: postfix-in is reloaded through its unit
    /// (`systemctl reload postfix@postfix-in`: systemd logs the reload), its master stays in
    /// the unit, the other instances are not touched, and the listeners serve the new certificate.
    @Test func aCertificateRolloutReloadsTheInputThroughItsUnit() async throws {
        try await lab.resetForTest(hosts, seconds: 180)
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        try await #require(try postfleet("run", [playbook]).status == 0)
        let pki = try await TLSLabTests.LabPKI(in: scratch)
        var fingerprints: [String: String] = [:]
        var before: [String: (pids: [String: String], reloads: Int)] = [:]
        for host in hosts {
            try await pki.newKey("certs/\(host).key")
            let leaf = try await pki.leaf(name: "\(host).example.com", key: "certs/\(host).key")
            try pki.publish(host, leaf: leaf.pem)
            fingerprints[host] = leaf.sha256
            let reloads = try await sh(host, "journalctl -q -u postfix@postfix-in -o cat | grep -c '^Reloaded' || true")
            before[host] = (try await state(host).pids, Int(reloads.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1)
        }
        let report = scratch.appendingPathComponent("tls-run.json").path
        let r = try await postfleet("run", [try TLSLabTests.tlsPlaybook(in: scratch), "--json", report])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let doc = try json(report)
        for host in hosts {
            let instances = doc[host]?["instances"] as? [String: [String: Any]]
            let actions = instances?["postfix-in"]?["actions"] as? [String] ?? []
            #expect(actions == ["wrote mx.pem, mx.key, set 4 main.cf parameters", "reloaded"], "\(host): \(actions)")
            let reloads = try await sh(host, "journalctl -q -u postfix@postfix-in -o cat | grep -c '^Reloaded' || true")
            #expect(Int(reloads.trimmingCharacters(in: .whitespacesAndNewlines)) == (before[host]?.reloads ?? 0) + 1, "\(host): systemd saw no reload")
            #expect(try await state(host).pids == before[host]?.pids, "\(host): a master was restarted")
            try await expectUnderUnits(host)
        }
        let tls = scratch.appendingPathComponent("tls.json").path
        let probe = try await postfleet("tls", ["--json", tls])
        #expect(probe.status == 0, "\(probe.stdout)")
        let text = try String(contentsOfFile: tls, encoding: .utf8)
        for host in hosts { #expect(text.components(separatedBy: fingerprints[host]!).count - 1 >= 2, "\(host) does not serve its new certificate") }
    }

    /// `postfleet postmulti -g mta -p stop`, then `-p start`: through the units.
    @Test func postmultiStopAndStartGoThroughTheUnits() async throws {
        try await lab.resetForTest(hosts, seconds: 180)
        let rollout = try await postfleet("run", [playbook])
        try #require(rollout.status == 0, "\(rollout.stdout)")
        let stop = try await postfleet("postmulti", ["-g", "mta", "-p", "stop"])
        #expect(stop.status == 0, "\(stop.stdout)\(stop.stderr)")
        // Reported per instance, each stopped through its unit.
        #expect(stop.stdout.contains("postfix-in   stopped") && stop.stdout.contains("postfix-out  stopped"), "\(stop.stdout)")
        for host in hosts {
            let s = try await state(host)
            #expect(s.active["/etc/postfix-out"] == "inactive" && s.active["/etc/postfix-in"] == "inactive", "\(host): \(s.active)")
            #expect(s.active["/etc/postfix"] == "active" && s.pids.keys.sorted() == ["/etc/postfix"])
            #expect(try await sh(host, "systemctl --failed --no-legend --plain") == "")
        }
        let start = try await postfleet("postmulti", ["-g", "mta", "-p", "start"])
        #expect(start.status == 0, "\(start.stdout)\(start.stderr)")
        for host in hosts {
            try await expectUnderUnits(host)
            #expect(try await sh(host, "systemctl --failed --no-legend --plain") == "")
        }
    }

    /// `--drain` on hosts whose instances systemd runs: each instance is drained, then stopped
    /// through its unit, and no block is left behind.
    @Test func aDrainedStopGoesThroughTheUnits() async throws {
        try await lab.resetForTest(hosts, seconds: 180)
        let rollout = try await postfleet("run", [playbook])
        try #require(rollout.status == 0, "\(rollout.stdout)")
        let stop = try await postfleet("postmulti", ["-g", "mta", "-p", "stop", "--drain", "--drain-deadline", "30s"])
        #expect(stop.status == 0, "\(stop.stdout)\(stop.stderr)")
        // One line per instance: drained, then stopped through its unit.
        for name in ["postfix-in   ", "postfix-out  "] {
            let line = stop.stdout.split(separator: "\n").first { $0.hasPrefix("  " + name) } ?? ""
            #expect(line.contains("drained in ") && line.hasSuffix(" kept), stopped"), "\(stop.stdout)")
        }
        for host in hosts {
            let s = try await state(host)
            #expect(s.active["/etc/postfix-out"] == "inactive" && s.active["/etc/postfix-in"] == "inactive", "\(host): \(s.active)")
            #expect(try await sh(host, "nft list table inet postfleet_drain >/dev/null 2>&1 && echo blocked || echo open") == "open\n")
        }
        let start = try await postfleet("postmulti", ["-g", "mta", "-p", "start"])
        #expect(start.status == 0, "\(start.stdout)\(start.stderr)")
        for host in hosts { try await expectUnderUnits(host) }
    }

    /// A main.cf Postfix rejects: nothing goes live, the units stay active with their old
    /// masters. A start that fails after the swap: the previous files come back and the unit
    /// is active again with them.
    @Test func aRejectedOrFailingConfigurationLeavesTheUnitsActive() async throws {
        try await lab.resetForTest(hosts, seconds: 180)
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rollout = try await postfleet("run", [playbook])
        try #require(rollout.status == 0, "\(rollout.stdout)")
        let host = hosts[0]
        let before = try await state(host)
        let masterCF = try await sh(host, "sha256sum /etc/postfix-out/master.cf")

        let copy = scratch.appendingPathComponent("playbooks")
        try FileManager.default.copyItem(at: Lab.repository.appendingPathComponent("playbooks"), to: copy)
        let mainCF = copy.appendingPathComponent("templates/null-client/main.cf")
        let text = try String(contentsOf: mainCF, encoding: .utf8)
        try text.replacingOccurrences(of: "smtp_generic_maps = ${indexed}generic", with: "smtp_generic_maps = bogus:${config_directory}/generic")
            .write(to: mainCF, atomically: true, encoding: .utf8)
        let rejected = try await postfleet("run", [copy.appendingPathComponent("border-cluster.yml").path], limit: host)
        #expect(rejected.status == 2, "\(rejected.stdout)")
        #expect(rejected.stdout.contains("Postfix rejects the new configuration; the live files are unchanged"), "\(rejected.stdout)")
        #expect(try await state(host).pids == before.pids)
        try await expectUnderUnits(host)
        try text.write(to: mainCF, atomically: true, encoding: .utf8)

        // A listener on an address the host does not have: the restart fails.
        let book = copy.appendingPathComponent("border-cluster.yml")
        let yaml = try String(contentsOf: book, encoding: .utf8)
        try yaml.replacingOccurrences(of: "          127.0.0.1:10026/inet: 127.0.0.1:10026 inet n - n - - smtpd\n",
                                      with: "          127.0.0.1:10026/inet: 127.0.0.1:10026 inet n - n - - smtpd\n          198.18.0.199:2525/inet: 198.18.0.199:2525 inet n - n - - smtpd\n")
            .write(to: book, atomically: true, encoding: .utf8)
        let broken = try await postfleet("run", [book.path], limit: host)
        #expect(broken.status == 2, "\(broken.stdout)")
        #expect(broken.stdout.contains("the restart failed; the previous files were put back"), "\(broken.stdout)")
        #expect(try await sh(host, "sha256sum /etc/postfix-out/master.cf") == masterCF)
        try await expectUnderUnits(host)
        #expect(try await systemState(host) == "running")
    }

    /// A rolled-out host rebooted: every instance comes back under its unit, and a run finds
    /// nothing to do.
    @Test func afterARebootEveryInstanceIsBackUnderItsUnit() async throws {
        try await lab.resetForTest(hosts, seconds: 180)
        let rollout = try await postfleet("run", [playbook])
        try #require(rollout.status == 0, "\(rollout.stdout)")
        let host = hosts[1]
        try await lab.script(["reboot", host], seconds: 180)
        #expect(try await systemState(host) == "running")
        try await expectUnderUnits(host)
        let again = try await postfleet("run", [playbook], limit: host)
        #expect(again.status == 0 && again.stdout.contains("1 host: 1 ok, 0 changed"), "\(again.stdout)")
        let drift = try await postfleet("drift", [playbook], limit: host)
        #expect(drift.status == 0, "\(drift.stdout)")
    }

    /// A master started by hand outside its unit: `instances` shows it, `drift` names it, `run`
    /// stops it and starts the unit; the mail queued in that instance stays queued.
    @Test func aStrayMasterIsDriftThatRunRepairs() async throws {
        try await lab.resetForTest(hosts, seconds: 180)
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rollout = try await postfleet("run", [playbook])
        try #require(rollout.status == 0, "\(rollout.stdout)")
        let host = hosts[2]
        // The hub unreachable on port 25, so one message stays in postfix-out's queue.
        try await sh(host, """
            nft add table inet pfhold && nft add chain inet pfhold out '{ type filter hook output priority 0; }' \
              && nft add rule inet pfhold out ip daddr != 127.0.0.0/8 tcp dport 25 reject
            systemctl stop postfix@postfix-out
            postfix -c /etc/postfix-out start </dev/null >/dev/null 2>&1
            printf 'Subject: pf-stray\\n\\nx\\n' | sendmail -C /etc/postfix-out -f root someone@example.com
            for i in 1 2 3 4 5 6 7 8 9 10; do postqueue -c /etc/postfix-out -j | grep -q deferred && break; sleep 1; done
            """)
        let queued = try await sh(host, "postqueue -c /etc/postfix-out -j | sed 's/.*\"queue_id\": *\"\\([^\"]*\\)\".*/\\1/' | sort")
        #expect(!queued.isEmpty)
        #expect(try await state(host).inUnit["/etc/postfix-out"] == false)

        let instancesJSON = scratch.appendingPathComponent("instances.json").path
        let listed = try await postfleet("instances", ["--json", instancesJSON], limit: host)
        #expect(listed.stdout.contains("postfix@postfix-out inactive, master outside it")
                || listed.stdout.contains("postfix@postfix-out failed, master outside it"), "\(listed.stdout)")
        let drift = try await postfleet("drift", [playbook], limit: host)
        #expect(drift.status != 0)
        #expect(drift.stdout.contains("running outside its unit postfix@postfix-out"), "\(drift.stdout)")

        let repair = try await postfleet("run", [playbook], limit: host)
        #expect(repair.status == 0, "\(repair.stdout)")
        #expect(repair.stdout.contains("moved under its unit"), "\(repair.stdout)")
        try await expectUnderUnits(host)
        #expect(try await sh(host, "postqueue -c /etc/postfix-out -j | sed 's/.*\"queue_id\": *\"\\([^\"]*\\)\".*/\\1/' | sort") == queued)
        let clean = try await postfleet("drift", [playbook], limit: host)
        #expect(clean.status == 0, "\(clean.stdout)")
        try await sh(host, "nft delete table inet pfhold")
    }

    /// Waits (at most 30 s) until the hub's mailbox holds a message with `subject`.
    func delivered(_ subject: String) async throws -> Bool { try await lab.delivered(subject) }
}

/// Fails the run when the lab is required, its script knows systemd hosts, and none is up.
@Suite struct SystemdLabPresence {
    @Test func systemdHostsAreUpWhenRequired() {
        guard ProcessInfo.processInfo.environment["POSTFLEET_REQUIRE_LAB"] == "1", let lab = Lab.current, lab.knowsInit else { return }
        #expect(lab.systemdHosts().count >= 3, "POSTFLEET_REQUIRE_LAB=1 but the lab has fewer than 3 systemd hosts in state running")
    }
}
