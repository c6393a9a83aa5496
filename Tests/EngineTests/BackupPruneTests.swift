import Engine
import Foundation
import Inventory
import Planning
import Playbook
import Postfix
import Testing

/// Backup retention: the apply script's `sw` (the live file kept as `NAME.postfleet-RUN`)
/// and `f_prune` (of every file swapped in, the newest `$KEEP` backups stay, never this
/// run's removed), run for real with /bin/sh in a directory under /var/tmp; and what the
/// apply script holds when it is guarded, keeps backups and writes a record.
@Suite struct BackupPruneTests {
    /// A configuration directory under /var/tmp, removed at the end.
    final class ConfigDirectory {
        let path: String
        init() throws {
            path = "/var/tmp/postfleet-prune-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: path + "/stage", withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        func write(_ name: String, _ text: String) throws {
            try text.write(toFile: path + "/" + name, atomically: false, encoding: .utf8)
        }
        func read(_ name: String) -> String? { try? String(contentsOfFile: path + "/" + name, encoding: .utf8) }
        /// The names in the directory (not the stage), sorted.
        var names: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0 != "stage" }.sorted()
        }
    }

    /// Runs the apply script's prologue for run `id`, swaps each staged file of `swaps` in
    /// with `sw` (as a commit does), then prunes with `KEEP=keep` (as the script's end does).
    static func swapAndPrune(_ dir: ConfigDirectory, id: String, swaps: [String], keep: Int) throws -> (status: Int32, output: String) {
        let q = { (s: String) in "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let script = ApplyPrologue.text(id: id, control: .postfix)
            + swaps.map { "sw \(q(dir.path + "/stage/" + $0)) \(q(dir.path + "/" + $0)) || { echo 'sw failed'; exit 3; }" }.joined(separator: "\n")
            + "\nKEEP=\(keep)\nf_prune || { echo 'prune failed'; exit 4; }\necho pruned\n"
        // The script's $T (mktemp -d) under /var/tmp too.
        let result = try runShell("exec 2>&1\n" + script, environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "TMPDIR": dir.path])
        return (result.status, result.stdout)
    }

    static let run = "20261205T000000Z-eeee"

    @Test func theNewestKeepBackupsOfEachSwappedFileRemainThisRunsAmongThem() throws {
        let dir = try ConfigDirectory()
        try dir.write("main.cf", "old main.cf\n")
        try dir.write("stage/main.cf", "new main.cf\n")
        try dir.write("my table", "old table\n")
        try dir.write("stage/my table", "new table\n")
        try dir.write("stage/sasl_passwd", "new secret\n")
        for run in ["20261201T000000Z-abcd", "20261202T000000Z-bcde", "20261203T000000Z-cdef", "20261204T000000Z-def0"] {
            try dir.write("main.cf.postfleet-\(run)", "main.cf before \(run)\n")
            try dir.write("master.cf.postfleet-\(run)", "master.cf before \(run)\n")
        }
        for run in ["20261202T000000Z-bcde", "20261203T000000Z-cdef", "20261204T000000Z-def0"] {
            try dir.write("my table.postfleet-\(run)", "table before \(run)\n")
        }
        // sasl_passwd is new to this run (it was removed by hand); two older backups of it.
        for run in ["20261201T000000Z-abcd", "20261203T000000Z-cdef"] {
            try dir.write("sasl_passwd.postfleet-\(run)", "secret before \(run)\n")
        }
        // Not backups: no run name after the marker.
        try dir.write("main.cf.postfleet-notes", "by hand\n")
        try dir.write("main.cf.orig", "by hand\n")

        let result = try Self.swapAndPrune(dir, id: Self.run, swaps: ["main.cf", "my table", "sasl_passwd"], keep: 2)
        #expect(result.status == 0 && result.output.hasSuffix("pruned\n"), "\(result)")
        #expect(dir.names == [
            "main.cf", "main.cf.orig", "main.cf.postfleet-20261204T000000Z-def0", "main.cf.postfleet-20261205T000000Z-eeee", "main.cf.postfleet-notes",
            // master.cf was not swapped by this run: its backups are left alone.
            "master.cf.postfleet-20261201T000000Z-abcd", "master.cf.postfleet-20261202T000000Z-bcde",
            "master.cf.postfleet-20261203T000000Z-cdef", "master.cf.postfleet-20261204T000000Z-def0",
            "my table", "my table.postfleet-20261204T000000Z-def0", "my table.postfleet-20261205T000000Z-eeee",
            "sasl_passwd", "sasl_passwd.postfleet-20261201T000000Z-abcd", "sasl_passwd.postfleet-20261203T000000Z-cdef",
        ])
        // The swap: the new file live, the old one kept as this run's backup.
        #expect(dir.read("main.cf") == "new main.cf\n")
        #expect(dir.read("main.cf.postfleet-20261205T000000Z-eeee") == "old main.cf\n")
        #expect(dir.read("main.cf.postfleet-20261204T000000Z-def0") == "main.cf before 20261204T000000Z-def0\n")
        #expect(dir.read("my table.postfleet-20261205T000000Z-eeee") == "old table\n")
        #expect(dir.read("sasl_passwd") == "new secret\n")
    }

    @Test func keepOneLeavesOnlyThisRunsBackup() throws {
        let dir = try ConfigDirectory()
        try dir.write("main.cf", "old\n")
        try dir.write("stage/main.cf", "new\n")
        for run in ["20261201T000000Z-abcd", "20261202T000000Z-bcde"] { try dir.write("main.cf.postfleet-\(run)", run) }
        let result = try Self.swapAndPrune(dir, id: Self.run, swaps: ["main.cf"], keep: 1)
        #expect(result.status == 0, "\(result)")
        #expect(dir.names == ["main.cf", "main.cf.postfleet-20261205T000000Z-eeee"])
    }

    @Test func thisRunsBackupStaysEvenWhenItSortsFirst() throws {
        // A controller whose clock is behind: this run's name sorts before the older backups.
        let dir = try ConfigDirectory()
        try dir.write("main.cf", "old\n")
        try dir.write("stage/main.cf", "new\n")
        for run in ["20261201T000000Z-abcd", "20261202T000000Z-bcde", "20261203T000000Z-cdef"] { try dir.write("main.cf.postfleet-\(run)", run) }
        let result = try Self.swapAndPrune(dir, id: "20261130T000000Z-0000", swaps: ["main.cf"], keep: 1)
        #expect(result.status == 0, "\(result)")
        #expect(dir.names.contains("main.cf.postfleet-20261130T000000Z-0000"))
        #expect(dir.read("main.cf.postfleet-20261130T000000Z-0000") == "old\n")
        #expect(!dir.names.contains("main.cf.postfleet-20261201T000000Z-abcd") && !dir.names.contains("main.cf.postfleet-20261202T000000Z-bcde"))
    }

    @Test func fewerBackupsThanKeepAreAllKept() throws {
        let dir = try ConfigDirectory()
        try dir.write("main.cf", "old\n")
        try dir.write("stage/main.cf", "new\n")
        for run in ["20261201T000000Z-abcd", "20261202T000000Z-bcde"] { try dir.write("main.cf.postfleet-\(run)", run) }
        let result = try Self.swapAndPrune(dir, id: Self.run, swaps: ["main.cf"], keep: 5)
        #expect(result.status == 0, "\(result)")
        #expect(dir.names == ["main.cf", "main.cf.postfleet-20261201T000000Z-abcd", "main.cf.postfleet-20261202T000000Z-bcde",
                              "main.cf.postfleet-20261205T000000Z-eeee"])
    }

    // MARK: The apply script

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The border cluster on mta1: on a host whose default instance runs (`fresh: false`), or
    /// on a fresh host without a main.cf.
    static func borderPlan(fresh: Bool, systemd: Bool = false) throws -> HostPlan {
        let inventory = try Inventory.load(path: root + "/inventories/example.yml")
        let playbook = try Playbook.load(path: root + "/playbooks/border-cluster.yml")
        let host = try #require(inventory.host(named: "mta1"))
        var main = InstanceFacts(name: nil, group: nil, enabled: true, configDirectory: "/etc/postfix", running: !fresh)
        main.configured = !fresh
        return HostPlan.make(desired: try playbook.instances(for: host, inventory: inventory),
                             files: try playbook.render(for: host, inventory: inventory),
                             facts: HostFacts(postfixVersion: "3.7.11", instances: [main], checksums: [:], systemdControlled: systemd))
    }

    /// The record the border-cluster rollout writes on mta1, from a real controller's command line.
    static func borderRecord(_ plan: HostPlan, id: String) -> ChangeRecord {
        let command = LockRequest.commandLine([
            "/usr/local/bin/postfleet", "run", "playbooks/border-cluster.yml", "-i", "inventories/example.yml", "--limit", "border",
            "--keep-backups", "5", "--lock-timeout", "10m", "--log", "/var/log/postfleet/changes.log", "-e", "relay_password=S3cret",
        ])
        let holder = HostLock.Holder(run: id, controller: "ops-controller-01.example.com", user: "mailadmin", pid: 123_456,
                                     command: command, started: "2026-11-25T00:00:00Z")
        return ChangeRecord(host: "mta1", plan: plan, tasks: [], context: .init(
            holder: holder, playbook: "playbooks/border-cluster.yml",
            playbookSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"))
    }

    @Test func aGuardedRunThatKeepsBackupsAndRecordsSaysSoInItsScript() throws {
        let id = "20261125T000000Z-abcd"
        let plan = try Self.borderPlan(fresh: false)
        let record = Self.borderRecord(plan, id: id)
        let script = try ApplyScript(plan: plan, id: id, guarded: true, keep: 3, record: record)
        let text = script.script
        // The guard first, before anything is received or changed.
        #expect(text.hasPrefix(ApplyPrologue.text(id: id, control: .postfix) + HostLock.applyGuard + "\n"))
        #expect(text.contains("\nKEEP=3\n"))
        #expect(text.contains("\n" + record.shell + "\n"))
        #expect(text.contains(#"finish() { [ -z "${REC:-}" ] || record "$1"; mark end "$1"; exit "$2"; }"#))
        // The prune only once everything went well, just before the end.
        #expect(text.hasSuffix("\nf_prune >/dev/null 2>&1\nfinish ok 0\n"))
        let guardAt = try #require(text.range(of: HostLock.applyGuard)).lowerBound
        let keepAt = try #require(text.range(of: "\nKEEP=3\n")).lowerBound
        let recordAt = try #require(text.range(of: "\nREC=")).lowerBound
        let receiveAt = try #require(text.range(of: "step receive f_receive")).lowerBound
        #expect(guardAt < keepAt && keepAt < recordAt && recordAt < receiveAt)
        #expect(!text.contains("S3cret"))
        // Its revert runs only while the lock is this run's, too.
        #expect(try #require(script.revert).contains(HostLock.applyGuard))
        for shell in ["/bin/sh", "/bin/bash", "/bin/dash"] where FileManager.default.isExecutableFile(atPath: shell) {
            let (status, stderr) = try shellParses(shell, text)
            #expect(status == 0, "\(shell): \(stderr)")
        }
        // keep_backups 0 still keeps this run's backup: the revert and a restore need it.
        #expect(try ApplyScript(plan: plan, id: id, keep: 0).script.contains("\nKEEP=1\n"))
    }

    @Test func anUnguardedRunWithoutKeepOrRecordHasNoneOfThem() throws {
        let id = "20261125T000000Z-abcd"
        let plan = try Self.borderPlan(fresh: false)
        let script = try ApplyScript(plan: plan, id: id)
        let text = script.script
        #expect(!text.contains(HostLock.applyGuard))
        #expect(!text.contains("flock") && !text.contains(HostLock.holderFile))
        #expect(!text.contains("KEEP="))
        #expect(!text.contains("f_prune >/dev/null"))
        #expect(!text.contains("REC=") && !text.contains("record() {") && !text.contains(ChangeRecord.hostLog))
        #expect(text.hasSuffix("\nfinish ok 0\n") && !text.hasSuffix("f_prune >/dev/null 2>&1\nfinish ok 0\n"))
        let revert = try #require(script.revert)
        #expect(!revert.contains(HostLock.applyGuard))
        // Each alone.
        let guarded = try ApplyScript(plan: plan, id: id, guarded: true).script
        #expect(guarded.contains(HostLock.applyGuard) && !guarded.contains("KEEP=") && !guarded.contains("REC="))
        let kept = try ApplyScript(plan: plan, id: id, keep: 5).script
        #expect(!kept.contains(HostLock.applyGuard) && kept.contains("\nKEEP=5\n") && !kept.contains("REC="))
        let recorded = try ApplyScript(plan: plan, id: id, record: Self.borderRecord(plan, id: id)).script
        #expect(!recorded.contains(HostLock.applyGuard) && !recorded.contains("KEEP=") && recorded.contains("\nREC='{"))
    }

    /// One SSH exec request carries the whole script (libssh2 sends at most 35,000 bytes in one
    /// packet; ``ApplyScript/largestScript`` is 32,000): the border cluster on a fresh host,
    /// drained, with everything a real run adds (the lock guard, backup retention, the change
    /// record of its first rollout, which names some 120 parameters) fits in one request.
    /// What a real run adds is fixed (the names of what changed travel in the archive), so a
    /// record of thousands of names cannot push a script past what one request carries.
    @Test func aFreshBorderHostsGuardedRecordedScriptFitsOneExecRequest() throws {
        let id = "20261125T000000Z-abcd"
        for (control, systemd) in [(InstanceControl.postfix, false), (.systemd, true)] {
            let plan = try Self.borderPlan(fresh: true, systemd: systemd)
            #expect(plan.prepare != nil, "a fresh host")
            let record = Self.borderRecord(plan, id: id)
            // Its syslog line says how many of each, and names every instance.
            #expect(record.syslogLine.hasSuffix("postfix-out: 37 parameters, 2 services (start); postfix-in: 33 parameters (start); 5 postmulti operations"),
                    "\(record.syslogLine)")
            let script = try ApplyScript(plan: plan, id: id, control: control, drain: 60, guarded: true, keep: 5, record: record).script
            let bare = try ApplyScript(plan: plan, id: id, control: control, drain: 60).script
            let size = script.utf8.count
            #expect(size < ApplyScript.largestScript, "\(control): \(size) bytes")
            #expect(size > bare.utf8.count + record.shell.utf8.count, "the record and the guard are in it")
            // What changed travels in the archive: the guard, retention and the record add a
            // fixed 2.5 kB at most, however many names the record holds.
            #expect(!script.contains("smtpd_relay_restrictions") && record.openJSON.contains("smtpd_relay_restrictions"))
            #expect(size - bare.utf8.count < 2_500, "\(control): \(size) bytes (\(bare.utf8.count) without the guard, keep and record)")
            var huge = record
            huge.instances[0].parameters = (0..<2_000).map { "a_long_parameter_name_\($0)" }
            let hugeScript = try ApplyScript(plan: plan, id: id, control: control, drain: 60, guarded: true, keep: 5, record: huge)
            #expect(hugeScript.script.utf8.count == size, "a record of 2,000 names does not grow the script")
            #expect(hugeScript.archive.count > 2_000 * 20, "it travels in the archive")
            #expect(try shellParses("/bin/sh", script).0 == 0)
        }
    }
}
