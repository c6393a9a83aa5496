import Foundation
import Glibc
import Testing

/// A fleet many people change (issue 18), on three border hosts as a team changes them: two
/// runs at once, a controller killed half-way, a year of weekly changes and a restore, and
/// the change record of a run that touches a secret.
///
/// On `scripts/test`'s lab, mta40..mta42 are this suite's own (``LabHosts``); each test
/// resets them and rolls the border cluster out first.
@Suite(.labOf(LabHosts.change), .serialized,
       .timeLimit(.minutes(10)))
struct ChangeLabTests {
    let lab = Lab.current!
    let hosts = ["mta40", "mta41", "mta42"]

    var common: [String] { ["-i", lab.inventoryPath, "--known-hosts", lab.knownHosts, "-l", hosts.joined(separator: ":")] }

    /// postfleet on the three hosts. `queued: false` while a run this test started holds the
    /// hosts: the call must not wait behind other suites' rollouts (``ProgramSlots``).
    func postfleet(_ arguments: [String], seconds: Double = 120, queued: Bool = true) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runProcess(Lab.binary, arguments + common, seconds: seconds, queued: queued)
    }

    /// postfleet started and left running, its stdout and stderr in `log`.
    func start(_ arguments: [String], log: URL) throws -> Process {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Lab.binary)
        p.arguments = arguments + common
        p.environment = ProcessInfo.processInfo.environment.merging(["ANSIBLE_RETRY_FILES_ENABLED": "false"]) { _, off in off }
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Waits for `p`, at most `seconds` (then kills it and records an issue), without holding
    /// a thread: the test's in-process SSH sessions need the cooperative threads meanwhile.
    func finish(_ p: Process, seconds: Double = 120) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            Issue.record("postfleet did not finish within \(seconds) s")
        }
        for _ in 0..<100 where p.isRunning { try await Task.sleep(for: .milliseconds(50)) }
    }

    /// The three hosts bare, then rolled out with the border cluster.
    func rollOut() async throws {
        try await lab.script(["reset"] + hosts)
        let run = try await postfleet(["run", Lab.repository.appendingPathComponent("playbooks/border-cluster.yml").path])
        try #require(run.status == 0, "\(run.stdout)\(run.stderr)")
    }

    /// The file a holding task waits for on each host (under the host's own /run).
    static let go = "/run/postfleet-test-go"

    /// A playbook that sets postfix-in's banner to `banner`, with `policy` lines, and then,
    /// when `hold` is set, holds the host in a task until the test says go (``release()``),
    /// 180 s at most: the test, not the machine's load, decides when the run ends.
    func playbook(in dir: URL, _ name: String, banner: String, hold: Bool = false, policy: [String] = []) throws -> String {
        var text = """
            - name: \(name)
              hosts: border
            """
        if !policy.isEmpty { text += "\n  policy:\n" + policy.map { "    " + $0 }.joined(separator: "\n") }
        text += """

              instances:
                - name: postfix-in
                  group: mta
                  enabled: true
                  main_cf:
                    parameters:
                      smtpd_banner: "$myhostname ESMTP \(banner)"

            """
        if hold {
            text += "  tasks:\n    - name: hold the host\n      command: touch \(Self.go)-holding; i=0; while [ ! -e \(Self.go) ] && [ $i -lt 1800 ]; do sleep 0.1; i=$((i+1)); done\n"
        }
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Lets every holding task go on.
    func release() async throws {
        for host in hosts { _ = try await lab.sh(host, "touch \(Self.go)") }
    }

    /// Holding tasks wait again.
    func rearm() async throws {
        for host in hosts { _ = try await lab.sh(host, "rm -f \(Self.go) \(Self.go)-holding") }
    }

    func banner(_ host: String) async throws -> String {
        try await lab.sh(host, "postconf -c /etc/postfix-in -h smtpd_banner").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Waits (at most 30 s) until `condition`, a shell test, holds on every host.
    func waitOnHosts(_ condition: String, _ what: String) async throws {
        for host in hosts {
            var held = false
            for _ in 0..<150 where !held {
                held = try await lab.sh(host, "if \(condition); then echo yes; else echo no; fi") == "yes\n"
                if !held { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(held, "\(host): \(what) did not happen within 30 s")
        }
    }

    /// The last entry of `host`'s change record, as JSON.
    func lastRecord(_ host: String) async throws -> [String: Any] {
        let line = try await lab.sh(host, "tail -n 1 /var/log/postfleet.log")
        return (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func twoRunsAtOnceOneChangesEachHostAndTheOtherNamesTheHolder() async throws {
        try await rollOut()
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let first = try playbook(in: scratch, "first.yml", banner: "first", hold: true)
        let second = try playbook(in: scratch, "second.yml", banner: "second")

        let a = try start(["run", first], log: scratch.appendingPathComponent("a.log"))
        try await waitOnHosts("grep -qs first.yml /run/lock/postfleet.holder", "the first run's lock")
        // What only looks never waits for the lock, and leaves no record.
        let records = try await lab.sh(hosts[0], "wc -l < /var/log/postfleet.log")
        for look in [["postmulti", "-p", "status", "--all"], ["queue"], ["instances"], ["run", second, "--check"]] {
            let r = try await postfleet(look, seconds: 20, queued: false)
            #expect(r.status == 0 && !r.stdout.contains("lock"), "\(look): \(r.stdout)\(r.stderr)")
        }
        #expect(try await lab.sh(hosts[0], "wc -l < /var/log/postfleet.log") == records)
        let b = try await postfleet(["run", second], queued: false)
        // Refused at once: the first run still holds every host.
        #expect(a.isRunning, "the second run waited for the first")
        try await release()
        try await finish(a)
        let aOut = (try? String(contentsOf: scratch.appendingPathComponent("a.log"), encoding: .utf8)) ?? ""
        #expect(a.terminationStatus == 0, "\(aOut)")
        #expect(aOut.contains("0 ok, 3 changed, 0 failed"), "\(aOut)")
        #expect(b.status == 2, "\(b.stdout)\(b.stderr)")
        #expect(b.stdout.contains("0 ok, 0 changed, 3 failed"), "\(b.stdout)")
        #expect(b.stdout.contains("FAILED: lock"), "\(b.stdout)")
        #expect(b.stdout.contains("locked by run ") && b.stdout.contains("(pid \(a.processIdentifier))")
                    && b.stdout.contains("first.yml"), "the holder is named: \(b.stdout)")
        // Nothing of the second run in its report but the refusal, and nothing of it on the hosts.
        #expect(!b.stdout.contains("wrote") && !b.stdout.contains("postmulti refused"), "\(b.stdout)")
        for host in hosts { #expect(try await banner(host).hasSuffix("ESMTP first"), "\(host)") }

        // With --lock-timeout, a run with the same change waits for the lock, or finds the
        // host already changed by the holder's files and in sync (an in-sync host is not locked).
        try await rearm()
        let third = try playbook(in: scratch, "third.yml", banner: "third", hold: true)
        let thirdAgain = try playbook(in: scratch, "third-again.yml", banner: "third")
        let c = try start(["run", third], log: scratch.appendingPathComponent("c.log"))
        try await waitOnHosts("grep -qs third.yml /run/lock/postfleet.holder", "the third run's lock")
        // The waiting run is let go of 2 s into its wait.
        let waiter = Task { try await Task.sleep(for: .seconds(2)); try await release() }
        let d = try await postfleet(["run", thirdAgain, "--lock-timeout", "60s"], queued: false)
        try await waiter.value
        try await finish(c)
        #expect(c.terminationStatus == 0)
        #expect(d.status == 0 && d.stdout.contains("3 ok, 0 changed, 0 failed"), "\(d.stdout)\(d.stderr)")
        for host in hosts { #expect(try await banner(host).hasSuffix("ESMTP third"), "\(host)") }

        // A run that finds nothing to change takes no lock: the weekly check of a converged
        // fleet goes through while a colleague's change holds every host, and one with a
        // change is still refused, the holder named.
        try await rearm()
        let holding = try playbook(in: scratch, "holding.yml", banner: "third", hold: true)
        let e = try start(["run", holding], log: scratch.appendingPathComponent("e.log"))
        try await waitOnHosts("grep -qs holding.yml /run/lock/postfleet.holder && [ -e \(Self.go)-holding ]", "the holding run's task")
        let inSync = try await postfleet(["run", thirdAgain], seconds: 60, queued: false)
        #expect(e.isRunning, "the holding run ended before the check: the test proves nothing")
        #expect(inSync.status == 0 && inSync.stdout.contains("3 ok, 0 changed, 0 failed"), "\(inSync.stdout)\(inSync.stderr)")
        #expect(!inSync.stdout.contains("lock"), "\(inSync.stdout)")
        let fourth = try playbook(in: scratch, "fourth.yml", banner: "fourth")
        let refused = try await postfleet(["run", fourth], seconds: 60, queued: false)
        #expect(refused.status == 2 && refused.stdout.contains("0 ok, 0 changed, 3 failed"), "\(refused.stdout)")
        #expect(refused.stdout.contains("locked by run ") && refused.stdout.contains("holding.yml"), "\(refused.stdout)")
        try await release()
        try await finish(e)
        #expect(e.terminationStatus == 0)
        for host in hosts { #expect(try await banner(host).hasSuffix("ESMTP third"), "\(host)") }
    }

    @Test func aControllerKilledMidApplyReleasesTheLockAndTheHostEndsConverged() async throws {
        try await rollOut()
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let killed = try playbook(in: scratch, "killed.yml", banner: "killed", hold: true)
        let a = try start(["run", killed], log: scratch.appendingPathComponent("a.log"))
        try await waitOnHosts("grep -qs killed.yml /run/lock/postfleet.holder", "the run's lock")
        let holder = try await lab.sh(hosts[0], "cat /run/lock/postfleet.holder")
        let run = (try JSONSerialization.jsonObject(with: Data(holder.utf8)) as? [String: Any])?["run"] as? String ?? "?"
        // Mid-apply: every host's apply script runs (it holds the apply lock under this run's name).
        try await waitOnHosts("grep -qs \(run) /run/lock/postfleet.apply", "the apply script")
        // Into its task, which holds the host until the test lets it go.
        try await waitOnHosts("[ -e \(Self.go)-holding ]", "the holding task")
        kill(a.processIdentifier, SIGKILL)
        for _ in 0..<100 where a.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        // The lock is free at once (sshd closed the holder's channel), while the apply script,
        // still in its task, goes on; let go, it runs to its end.
        try await waitOnHosts("flock -n /run/lock/postfleet.lock true", "the lock's release")
        try await release()
        try await waitOnHosts("grep -qs '\"run\":\"\(run)\".*\"result\"' /var/log/postfleet.log", "the run's record")
        for host in hosts {
            let record = try await lastRecord(host)
            #expect(record["run"] as? String == run && record["result"] as? String == "ok", "\(host): \(record)")
            #expect(record["controller_lost"] as? Bool == true, "\(host): the record says the controller was lost: \(record)")
            #expect(try await lab.sh(host, "find /etc/postfix /etc/postfix-in /etc/postfix-out -maxdepth 1 -name '.postfleet-stage-*'") == "",
                    "\(host): no stage directory is left")
            #expect(try await banner(host).hasSuffix("ESMTP killed"), "\(host)")
        }
        // The next run converges: nothing left to do.
        let again = try await postfleet(["run", try playbook(in: scratch, "again.yml", banner: "killed")])
        #expect(again.status == 0 && again.stdout.contains("3 ok, 0 changed, 0 failed"), "\(again.stdout)\(again.stderr)")
    }

    /// The backups of postfix-in's main.cf on `host`, oldest first.
    func backups(_ host: String) async throws -> [String] {
        try await lab.sh(host, "cd /etc/postfix-in && ls -1 main.cf.postfleet-* 2>/dev/null; true").split(separator: "\n").map(String.init)
    }

    @Test func weeklyChangesKeepFewBackupsAndARestoreBringsARunsFilesBack() async throws {
        try await rollOut()
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Ten changing runs with the default: five backups per file remain.
        for n in 1...10 {
            let run = try await postfleet(["run", try playbook(in: scratch, "week\(n).yml", banner: "week \(n)")])
            try #require(run.status == 0, "\(run.stdout)\(run.stderr)")
        }
        for host in hosts {
            let kept = try await backups(host)
            #expect(kept.count == 5, "\(host): \(kept)")
            let most = try await lab.sh(host, "for f in /etc/postfix*/*.postfleet-*; do echo \"${f%.postfleet-*}\"; done | sort | uniq -c | sort -rn | head -n 1")
            #expect(Int(most.split(separator: " ").first ?? "") ?? 99 <= 5, "\(host): at most 5 backups of any file: \(most)")
        }

        // Ten more with keep_backups: 8; what the third of them left is kept aside.
        var runs: [String] = []
        var thirdLeft: [String: String] = [:]
        for n in 11...20 {
            let run = try await postfleet(["run", try playbook(in: scratch, "week\(n).yml", banner: "week \(n)", policy: ["keep_backups: 8"])])
            try #require(run.status == 0, "\(run.stdout)\(run.stderr)")
            runs.append(try await lastRecord(hosts[0])["run"] as? String ?? "?")
            if n == 13 {
                for host in hosts { thirdLeft[host] = try await lab.sh(host, "sha256sum < /etc/postfix-in/main.cf") }
            }
        }
        for host in hosts {
            let kept = try await backups(host)
            #expect(kept.count == 8, "\(host): \(kept)")
        }
        // postfleet backups lists the same eight per host, newest first (the hosts' alike: one group).
        let listed = try await postfleet(["backups", "--instance", "postfix-in"])
        #expect(listed.status == 0, "\(listed.stdout)\(listed.stderr)")
        #expect(listed.stdout.contains("mta[40-42]  postfix-in  /etc/postfix-in/main.cf") && listed.stdout.contains(runs[9])
                    && listed.stdout.contains("3 of 3 hosts read, 24 backups of 3 files of instance postfix-in"), "\(listed.stdout)")
        #expect(!listed.stdout.contains(runs[0]) && !listed.stdout.contains(runs[1]), "pruned backups are not listed: \(listed.stdout)")
        #expect(listed.stdout.contains(runs[2]), "\(listed.stdout)")

        // The restore of the third: its file back byte for byte, with a reload, and on record.
        let restore = try await postfleet(["restore", "--run", runs[2]])
        #expect(restore.status == 0, "\(restore.stdout)\(restore.stderr)")
        #expect(restore.stdout.contains("postfix-in  wrote main.cf, reloaded"), "\(restore.stdout)")
        for host in hosts {
            #expect(try await lab.sh(host, "sha256sum < /etc/postfix-in/main.cf") == thirdLeft[host], "\(host)")
            #expect(try await banner(host).hasSuffix("ESMTP week 13"), "\(host)")
            let record = try await lastRecord(host)
            #expect(record["restores"] as? String == runs[2] && record["result"] as? String == "ok", "\(host): \(record)")
        }
        // postfleet history shows the restore as a run of its own, with the run it restored.
        let history = try await postfleet(["history", "--since", "1h"])
        #expect(history.status == 0, "\(history.stdout)\(history.stderr)")
        #expect(history.stdout.contains("restores: run \(runs[2])")
                    && history.stdout.contains("mta[40-42]: ok\n    postfix-in: parameters smtpd_banner; reload"), "\(history.stdout)")
        // The first of the ten is too old: the backup it needs is pruned; nothing changes.
        let before = try await lab.sh(hosts[0], "sha256sum < /etc/postfix-in/main.cf")
        let old = try await postfleet(["restore", "--run", runs[0]])
        #expect(old.status == 2 && old.stdout.contains("is gone (pruned: keep_backups)"), "\(old.stdout)")
        #expect(try await lab.sh(hosts[0], "sha256sum < /etc/postfix-in/main.cf") == before)
    }

    @Test func theChangeRecordNamesWhatChangedButNeverASecret() async throws {
        try await rollOut()
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let secret = "s3cret-\(UUID().uuidString.prefix(8))"
        let path = scratch.appendingPathComponent("relay.yml").path
        try """
            - name: relay password
              hosts: border
              instances:
                - name: postfix-out
                  group: mta
                  enabled: true
                  main_cf:
                    parameters:
                      smtp_sasl_password_maps: cdb:$config_directory/sasl_passwd
                      smtpd_banner: "$myhostname ESMTP relay"
                  tables:
                    - name: sasl_passwd
                      type: cdb
                      entries:
                        "[mailhub.example.com]:587": "relay:\(secret)"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let log = scratch.appendingPathComponent("changes.log").path
        let run = try await postfleet(["run", path, "--log", log])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        for host in hosts {
            let line = try await lab.sh(host, "tail -n 1 /var/log/postfleet.log; stat -c %a /var/log/postfleet.log")
            #expect(line.contains("\"smtp_sasl_password_maps\"") && line.contains("\"smtpd_banner\""), "\(host): \(line)")
            #expect(line.contains("\"sasl_passwd\"") && line.contains("relay.yml"), "\(host): \(line)")
            #expect(!line.contains(secret), "\(host): the record holds the secret")
            #expect(line.hasSuffix("\n600\n"), "\(host): the record is 0600: \(line)")
        }
        let controller = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(controller.split(separator: "\n").count == 3 && controller.contains("\"smtp_sasl_password_maps\""), "\(controller)")
        #expect(!controller.contains(secret) && !run.stdout.contains(secret) && !run.stderr.contains(secret))
    }
}

/// With `POSTFLEET_REQUIRE_LAB=1`, a lab too small for ChangeLabTests is a failure, not a silent skip.
@Suite struct ChangeLabPresence {
    @Test func theLabIsLargeEnoughWhenRequired() { expectLab(of: LabHosts.change, for: "ChangeLabTests") }
}
