@testable import Engine
import Foundation
import Planning
import Playbook
import Postfix
import Testing

/// ``RestorePlan``: which backups `postfleet restore --run RUN` puts back, read from a host's
/// backups and change record as ``HostRecords/parse(_:)`` reads them, and what it refuses.
@Suite struct RestorePlanTests {
    static let r1 = "20261201T090000Z-a1"
    static let r2 = "20261202T090000Z-b2"
    static let r3 = "20261203T090000Z-c3"
    static let r4 = "20261204T090000Z-d4"

    /// A record of `run` that ended with `result` after swapping `swapped` (path, had a backup).
    static func record(_ run: String, _ result: String?, _ swapped: [(String, Bool)]?) -> ChangeRecord {
        let holder = HostLock.Holder(run: run, controller: "ctl1", user: "ops", pid: 4242, command: "postfleet run site.yml",
                                     started: RunName.time(run) ?? run)
        let empty = HostPlan.make(desired: [], files: [], facts: HostFacts(postfixVersion: "3.7.11", instances: [], checksums: [:], systemdControlled: false))
        var record = ChangeRecord(host: "mta1", plan: empty, tasks: [], context: .init(holder: holder, playbook: "site.yml"))
        record.result = result
        record.swapped = swapped?.map { ChangeRecord.Swap(path: $0.0, backup: $0.1) }
        return record
    }

    /// What the host's records script prints: its instance directories, `backups` (live
    /// path, run), then `records`, oldest first.
    static func host(backups: [(String, String)], records: [ChangeRecord]) -> HostRecords {
        let lines = ["D /etc/postfix default", "D /etc/postfix-in postfix-in"]
            + backups.map { "B 1024 \($0.0.hasSuffix("sasl_passwd") ? "600" : "644") \($0.0).postfleet-\($0.1)" }
            + records.map { "R " + $0.json }
        return HostRecords.parse(lines.joined(separator: "\n") + "\n")
    }

    /// Four runs: r1 and r2 and r4 ended well, r3 failed (and put back what it swapped).
    /// r2 created /etc/postfix/virtual; every other swap kept a backup.
    static let history = [
        record(r1, "ok", [("/etc/postfix/main.cf", true), ("/etc/postfix/sasl_passwd", true)]),
        record(r2, "ok", [("/etc/postfix-in/main.cf", true), ("/etc/postfix/main.cf", true), ("/etc/postfix/virtual", false)]),
        record(r3, "failed", [("/etc/postfix/sasl_passwd", true)]),
        record(r4, "ok", [("/etc/postfix/main.cf", true), ("/etc/postfix/sasl_passwd", true), ("/etc/postfix/virtual", true)]),
    ]
    static let allBackups = [
        ("/etc/postfix/main.cf", r1), ("/etc/postfix/sasl_passwd", r1),
        ("/etc/postfix-in/main.cf", r2), ("/etc/postfix/main.cf", r2),
        ("/etc/postfix/main.cf", r4), ("/etc/postfix/sasl_passwd", r4), ("/etc/postfix/virtual", r4),
    ]

    @Test func eachFileComesFromTheFirstLaterRunThatSwappedIt() throws {
        let records = Self.host(backups: Self.allBackups, records: Self.history)
        #expect(records.records.count == 4 && records.unreadable == 0)
        let (targets, created) = try RestorePlan.targets(run: Self.r1, records: records)
        // main.cf: r2's backup (as r1 left it), not r4's; sasl_passwd: r3 failed, so r4's.
        #expect(targets.map(\.path) == ["/etc/postfix-in/main.cf", "/etc/postfix/main.cf", "/etc/postfix/sasl_passwd"])
        #expect(targets.map(\.backup.path) == [
            "/etc/postfix-in/main.cf.postfleet-20261202T090000Z-b2",
            "/etc/postfix/main.cf.postfleet-20261202T090000Z-b2",
            "/etc/postfix/sasl_passwd.postfleet-20261204T090000Z-d4",
        ])
        #expect(targets.map(\.laterRun) == [Self.r2, Self.r2, Self.r4])
        #expect(targets[0].backup.instance == "postfix-in" && targets[2].backup.mode == 0o600)
        // r2 created virtual: it stays (r4's backup of it is r2's file, not r1's state).
        #expect(created == ["/etc/postfix/virtual"])
    }

    @Test func aLaterRunRestoresOnlyWhatCameAfterIt() throws {
        let records = Self.host(backups: Self.allBackups, records: Self.history)
        let (targets, created) = try RestorePlan.targets(run: Self.r2, records: records)
        #expect(targets.map(\.backup.path) == [
            "/etc/postfix/main.cf.postfleet-20261204T090000Z-d4",
            "/etc/postfix/sasl_passwd.postfleet-20261204T090000Z-d4",
            "/etc/postfix/virtual.postfleet-20261204T090000Z-d4",
        ])
        #expect(created.isEmpty)
        // The newest run: nothing came after it.
        let newest = try RestorePlan.targets(run: Self.r4, records: records)
        #expect(newest.targets.isEmpty && newest.created.isEmpty)
    }

    @Test func aRestoreRunIsALaterRunLikeAnyOther() throws {
        // r5 restored r1's main.cf (its backup: r4's file); restoring r4 then takes main.cf from r5.
        let r5 = "20261205T090000Z-e5"
        var restore = Self.record(r5, "ok", [("/etc/postfix/main.cf", true)])
        restore.restores = Self.r1
        let records = Self.host(backups: Self.allBackups + [("/etc/postfix/main.cf", r5)], records: Self.history + [restore])
        let (targets, _) = try RestorePlan.targets(run: Self.r4, records: records)
        #expect(targets.map(\.backup.path) == ["/etc/postfix/main.cf.postfleet-20261205T090000Z-e5"])
    }

    @Test func anUnknownRunIsRefused() {
        let records = Self.host(backups: Self.allBackups, records: Self.history)
        #expect(throws: RestorePlan.Refusal(description: "run 20261130T000000Z-zz is not in this host's change record (/var/log/postfleet.log)")) {
            try RestorePlan.targets(run: "20261130T000000Z-zz", records: records)
        }
        #expect(throws: RestorePlan.Refusal(description: "run 20261201T090000Z-a1 is not in this host's change record (/var/log/postfleet.log)")) {
            try RestorePlan.targets(run: Self.r1, records: HostRecords())
        }
    }

    @Test func aFailedOrUnfinishedRunIsRefused() {
        let records = Self.host(backups: Self.allBackups, records: Self.history)
        #expect(throws: RestorePlan.Refusal(description: "run 20261203T090000Z-c3 failed on this host: everything it changed was put back, so there is nothing of it to return to")) {
            try RestorePlan.targets(run: Self.r3, records: records)
        }
        let unfinished = Self.host(backups: Self.allBackups, records: Self.history + [Self.record("20261205T090000Z-e5", nil, nil)])
        #expect(throws: RestorePlan.Refusal(description: "run 20261205T090000Z-e5 did not end on this host: everything it changed was put back, so there is nothing of it to return to")) {
            try RestorePlan.targets(run: "20261205T090000Z-e5", records: unfinished)
        }
    }

    @Test func aPrunedBackupIsRefusedNamingTheRunThatMadeIt() {
        // keep_backups removed r2's backup of main.cf: nothing on the host is r1's main.cf any more.
        let pruned = Self.allBackups.filter { !($0.0 == "/etc/postfix/main.cf" && $0.1 == Self.r2) }
        let records = Self.host(backups: pruned, records: Self.history)
        #expect(throws: RestorePlan.Refusal(description: "/etc/postfix/main.cf: its backup from run 20261202T090000Z-b2, the first change to it after 20261201T090000Z-a1, is gone (pruned: keep_backups); restore a later run, or keep more backups")) {
            try RestorePlan.targets(run: Self.r1, records: records)
        }
        // r4's backup still serves a restore of r2.
        #expect((try? RestorePlan.targets(run: Self.r2, records: records))?.targets.count == 3)
    }

    @Test func aLaterRunThatDidNotListItsSwapsIsRefused() {
        var history = Self.history
        history[1].swapped = nil  // r2, written by a postfleet before the record listed its swaps
        let records = Self.host(backups: Self.allBackups, records: history)
        #expect(throws: RestorePlan.Refusal(description: "run 20261202T090000Z-b2, after 20261201T090000Z-a1, did not record which files it swapped (an older postfleet): restore a run after it")) {
            try RestorePlan.targets(run: Self.r1, records: records)
        }
        #expect((try? RestorePlan.targets(run: Self.r2, records: records)) != nil)
    }

    // MARK: What the restore converges to

    static let facts = HostFacts(postfixVersion: "3.7.11", instances: [
        InstanceFacts(name: nil, group: nil, enabled: true, configDirectory: "/etc/postfix", running: true),
        InstanceFacts(name: "postfix-in", group: "mta", enabled: true, configDirectory: "/etc/postfix-in", running: true),
        InstanceFacts(name: "postfix-out", group: "mta", enabled: true, configDirectory: "/etc/postfix-out", running: true),
    ], checksums: [:], systemdControlled: false)

    @Test func theBackupsBecomeWholeFilesOfTheirInstances() throws {
        let records = Self.host(backups: Self.allBackups, records: Self.history)
        let (targets, _) = try RestorePlan.targets(run: Self.r1, records: records)
        let contents: [String: [UInt8]] = [
            "/etc/postfix-in/main.cf.postfleet-20261202T090000Z-b2": Array("myhostname = in.example.com\n".utf8),
            "/etc/postfix/main.cf.postfleet-20261202T090000Z-b2": Array("myhostname = mta1.example.com\nmulti_instance_enable = yes\nmulti_instance_directories = /etc/postfix-in\n".utf8),
            "/etc/postfix/sasl_passwd.postfleet-20261204T090000Z-d4": Array("[relay]:587 user:pass\n".utf8),
        ]
        let (desired, files) = try RestorePlan.work(targets, contents: contents, facts: Self.facts)
        #expect(desired.map(\.instance.name) == ["postfix-in", "default"])
        #expect(desired.first?.instance.group == "mta")
        #expect(files.map(\.path) == ["/etc/postfix-in/main.cf", "/etc/postfix/main.cf", "/etc/postfix/sasl_passwd"])
        #expect(files.map(\.kind) == [.mainCF, .mainCF, .file(name: "sasl_passwd")])
        #expect(files.map(\.secret) == [false, false, true], "a backup only its owner could read goes back as a secret")
        #expect(files[0].text == "myhostname = in.example.com\n")

        // The default main.cf keeps every secondary instance the host has now, each listed once.
        let main = MainCF(files[1].text)
        #expect(main.value(of: "multi_instance_directories") == "/etc/postfix-in /etc/postfix-out")
        #expect(main.value(of: "myhostname") == "mta1.example.com")
        // And so does the main.cf the apply script writes, planned as a restore plans it.
        let plan = HostPlan.make(desired: desired, files: files, facts: Self.facts)
        let written = try #require(plan.instances.flatMap(\.writes).first { $0.path == "/etc/postfix/main.cf" })
        #expect(MainCF(written.text).value(of: "multi_instance_directories") == "/etc/postfix-in /etc/postfix-out")
    }

    @Test func aBackupWhoseInstanceIsGoneOrUnreadableIsRefused() throws {
        let backup = HostRecords.Backup(live: "/etc/postfix-old/main.cf", run: Self.r2, size: 10, mode: 0o644, instance: "postfix-old")
        let gone = RestorePlan.Target(path: "/etc/postfix-old/main.cf", backup: backup)
        #expect(throws: RestorePlan.Refusal(description: "/etc/postfix-old/main.cf: no instance of this host lives in /etc/postfix-old now")) {
            try RestorePlan.work([gone], contents: [backup.path: []], facts: Self.facts)
        }
        let inBackup = HostRecords.Backup(live: "/etc/postfix-in/main.cf", run: Self.r2, size: 10, mode: 0o644, instance: "postfix-in")
        #expect(throws: RestorePlan.Refusal(description: "/etc/postfix-in/main.cf.postfleet-20261202T090000Z-b2 could not be read")) {
            try RestorePlan.work([RestorePlan.Target(path: inBackup.live, backup: inBackup)], contents: [:], facts: Self.facts)
        }
    }
}
