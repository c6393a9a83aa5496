@testable import Engine
import Foundation
import Planning
import Playbook
import Postfix
import Testing

/// The change record (``ChangeRecord``): its JSON (the keys `postfleet history` and the
/// controller's `--log` read), the syslog line, names only and never a value, and the
/// `record` function the apply script ends with, run for real with /bin/sh (the host log
/// moved under /var/tmp, `logger` a shell function that keeps what it was given).
@Suite struct ChangeRecordTests {
    static let holder = HostLock.Holder(run: "20261206T121044Z-37fb", controller: "ctl1", user: "ops", pid: 4242,
                                        command: "postfleet run site.yml", started: "2026-12-06T12:10:44Z")
    static let sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

    static func empty() -> HostPlan {
        HostPlan.make(desired: [], files: [], facts: HostFacts(postfixVersion: "3.7.11", instances: [], checksums: [:], systemdControlled: false))
    }

    /// A record of `instances` and `lifecycle`, from run 20261206T121044Z-37fb by ops@ctl1.
    static func record(_ instances: [ChangeRecord.Instance], lifecycle: [String] = [], playbook: String? = "playbooks/border-cluster.yml",
                       restores: String? = nil, run: String = "20261206T121044Z-37fb", user: String = "ops", controller: String = "ctl1") -> ChangeRecord {
        var who = Self.holder
        who.run = run
        who.user = user
        who.controller = controller
        var record = ChangeRecord(host: "mta1", plan: empty(), tasks: [],
                                  context: .init(holder: who, playbook: playbook, playbookSHA256: playbook.map { _ in sha }, restores: restores))
        record.instances = instances
        record.lifecycle = lifecycle
        return record
    }

    static func instance(_ name: String, parameters: [String] = [], services: [String] = [], tables: [String: [String]] = [:],
                         files: [String] = [], action: String) -> ChangeRecord.Instance {
        ChangeRecord.Instance(name: name, parameters: parameters, services: services, tables: tables, files: files, action: action)
    }

    // MARK: JSON

    @Test func theJSONHasSortedSnakeCaseKeysAndOmitsWhatTheHostAddsLater() throws {
        var record = ChangeRecord(host: "mta1", plan: Self.empty(), tasks: [],
                                  context: .init(holder: Self.holder, playbook: "site.yml", playbookSHA256: "ab12", restores: "20261201T090000Z-a1"))
        record.instances = [Self.instance("postfix-in", parameters: ["smtpd_banner"], tables: ["sasl_passwd": ["[relay]:587"]], action: "reload")]
        record.tasks = ["reload"]
        // As the controller writes it before the host has said how it ended.
        #expect(record.json == #"{"command":"postfleet run site.yml","controller":"ctl1","host":"mta1","instances":[{"action":"reload","files":[],"name":"postfix-in","parameters":["smtpd_banner"],"services":[],"tables":{"sasl_passwd":["[relay]:587"]}}],"lifecycle":[],"pid":4242,"playbook":"site.yml","playbook_sha256":"ab12","restores":"20261201T090000Z-a1","run":"20261206T121044Z-37fb","tasks":["reload"],"time":"2026-12-06T12:10:44Z","user":"ops"}"#)
        record.result = "ok"
        record.controllerLost = true
        record.ended = "2026-12-06T12:10:50Z"
        record.swapped = [ChangeRecord.Swap(path: "/etc/postfix-in/main.cf", backup: true), ChangeRecord.Swap(path: "/etc/postfix-in/sasl_passwd", backup: false)]
        let json = record.json
        #expect(json.contains(#""controller_lost":true,"ended":"2026-12-06T12:10:50Z","host":"mta1""#))
        #expect(json.contains(#""playbook":"site.yml","playbook_sha256":"ab12","restores":"20261201T090000Z-a1","result":"ok","run":"20261206T121044Z-37fb","swapped":[{"backup":true,"path":"/etc/postfix-in/main.cf"},{"backup":false,"path":"/etc/postfix-in/sasl_passwd"}]"#))
        #expect(!json.contains("playbookSHA256") && !json.contains("controllerLost"))
        // What the host's record holds reads back as it was written.
        let read = HostRecords.parse("R " + json)
        #expect(read.records == [record] && read.unreadable == 0)
    }

    /// The default instance moving to SASL relaying: a whole main.cf and a secret password
    /// table whose value is a vault value, changed on a running host.
    static func saslPlan() -> HostPlan {
        let instance = PostfixInstance.default
        let mainCF = """
            myhostname = mta1.example.com
            relayhost = [relay.example.com]:587
            smtp_sasl_auth_enable = yes
            smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd

            """
        let files = [
            RenderedFile(path: "/etc/postfix/main.cf", contents: Array(mainCF.utf8), instance: instance, kind: .mainCF),
            RenderedFile(path: "/etc/postfix/sasl_passwd", contents: Array("[relay.example.com]:587 mailer:N3w-S3cret-Pass\n".utf8), secret: true,
                         instance: instance, kind: .table(name: "sasl_passwd", type: .hash), vaultValues: ["N3w-S3cret-Pass"]),
        ]
        let facts = HostFacts(postfixVersion: "3.7.11", instances: [
            InstanceFacts(name: nil, group: nil, enabled: true, configDirectory: "/etc/postfix",
                          parameters: ["myhostname": "mta1.example.com", "relayhost": "[relay.example.com]:25",
                                       "smtp_sasl_password_maps": "hash:/etc/postfix/sasl_passwd"], running: true),
        ], checksums: ["/etc/postfix/main.cf": String(repeating: "0", count: 64), "/etc/postfix/sasl_passwd": String(repeating: "1", count: 64),
                       "/etc/postfix/sasl_passwd.db": String(repeating: "2", count: 64)],
        systemdControlled: false, modes: ["/etc/postfix/sasl_passwd": 0o600, "/etc/postfix/sasl_passwd.db": 0o600])
        return HostPlan.make(desired: [InstanceSpec(restoring: instance)], files: files, facts: facts, oldTables: [
            "/etc/postfix/sasl_passwd": "[relay.example.com]:587 mailer:Old-S3cret\n[backup.example.com]:587 mailer:Gone-S3cret\n",
        ])
    }

    static let secrets = ["N3w-S3cret-Pass", "Old-S3cret", "Gone-S3cret", "T4sk-S3cret", "mailer:"]

    @Test func aSecretTableNamesItsChangedKeysAndNeverAValue() throws {
        let plan = Self.saslPlan()
        let mark = SourceMark(file: "site.yml", line: 1, column: 1, sourceLine: "")
        let tasks = [
            PlayTask(name: "flush the queue", action: .command("postqueue -f # N3w-S3cret-Pass"), mark: mark),
            PlayTask(name: nil, action: .command("curl -u admin:T4sk-S3cret https://hooks.example.com/changed"), mark: mark),
            PlayTask(name: nil, action: .postmulti(PostmultiCommand(.action(.reload), target: .group("mta"))), mark: mark),
        ]
        let context = ChangeRecord.Context(holder: Self.holder, playbook: "site.yml", playbookSHA256: Self.sha)
        let record = ChangeRecord(host: "mta1", plan: plan, tasks: tasks, context: context)
        #expect(record.tasks == ["flush the queue", "(command)", "postmulti -g mta -p reload"])
        let instance = try #require(record.instances.first)
        #expect(record.instances.count == 1)
        #expect(instance.name == "default" && instance.action == "reload")
        #expect(instance.parameters == ["relayhost", "smtp_sasl_auth_enable"])
        #expect(instance.tables == ["sasl_passwd": ["[relay.example.com]:587", "[backup.example.com]:587"]])
        #expect(record.syslogLine == "run 20261206T121044Z-37fb by ops@ctl1 playbook site.yml sha256 0123456789abcdef: default: relayhost,smtp_sasl_auth_enable,sasl_passwd[[relay.example.com]:587,[backup.example.com]:587]")
        for secret in Self.secrets {
            #expect(!record.json.contains(secret), "\(secret) in the JSON")
            #expect(!record.syslogLine.contains(secret), "\(secret) in the syslog line")
            #expect(!record.shell.contains(secret), "\(secret) in the record's shell")
        }
    }

    // MARK: The syslog line

    static let rollout = [
        instance("default", parameters: ["relayhost", "smtp_sasl_auth_enable"], tables: ["virtual": [], "sasl_passwd": ["[relay.example.com]:587"]], action: "reload"),
        instance("postfix-out", services: ["smtp/inet", "127.0.0.1:10026/inet"], files: ["cert.pem"], action: "restart"),
        instance("postfix-in", action: "start"),
    ]

    @Test func theSyslogLineNamesWhatChangedPerInstance() {
        let record = Self.record(Self.rollout, lifecycle: ["postmulti -I postfix-out -G mta -e create", "postmulti -i postfix-out -e enable"])
        #expect(record.syslogLine == "run 20261206T121044Z-37fb by ops@ctl1 playbook playbooks/border-cluster.yml sha256 0123456789abcdef: default: relayhost,smtp_sasl_auth_enable,sasl_passwd[[relay.example.com]:587],virtual; postfix-out: smtp/inet,127.0.0.1:10026/inet,cert.pem; postfix-in: start; postmulti -I postfix-out -G mta -e create; postmulti -i postfix-out -e enable")
        let restore = Self.record([Self.instance("postfix-in", parameters: ["myhostname"], action: "reload")], playbook: nil, restores: "20261201T090000Z-a1")
        #expect(restore.syslogLine == "run 20261206T121044Z-37fb by ops@ctl1 restores run 20261201T090000Z-a1: postfix-in: myhostname")
        #expect(Self.record([], playbook: nil).syslogLine == "run 20261206T121044Z-37fb by ops@ctl1: tasks only")
    }

    @Test func aFirstRolloutTooLongToNameSaysHowManyOfEachForEveryInstance() {
        func names(_ prefix: String, _ n: Int) -> [String] { (0..<n).map { "\(prefix)_parameter_number_\($0)" } }
        let record = Self.record([
            Self.instance("default", parameters: names("default", 40), tables: ["generic": [], "virtual": []], action: "restart"),
            Self.instance("postfix-out", parameters: names("out", 40), services: ["smtp/inet"], action: "start"),
            Self.instance("postfix-in", parameters: ["smtpd_tls_cert_file"], files: ["cert.pem", "key.pem"], action: "start"),
            Self.instance("postfix-idle", action: "none"),
        ], lifecycle: ["postmulti -e init", "postmulti -I postfix-out -G mta -e create", "postmulti -i postfix-out -e enable",
                       "postmulti -I postfix-in -G mta -e create", "postmulti -i postfix-in -e enable"])
        let line = record.syslogLine
        #expect(line == "run 20261206T121044Z-37fb by ops@ctl1 playbook playbooks/border-cluster.yml sha256 0123456789abcdef: default: 40 parameters, 2 tables (restart); postfix-out: 40 parameters, 1 service (start); postfix-in: 1 parameter, 2 files (start); postfix-idle: none; 5 postmulti operations")
        #expect(line.count <= 900)
        for name in ["default", "postfix-out", "postfix-in", "postfix-idle"] { #expect(line.contains(" \(name): ")) }
        var one = record
        one.lifecycle = ["postmulti -e init"]
        #expect(one.syslogLine.hasSuffix("; postfix-idle: none; 1 postmulti operation"))
    }

    @Test func nineHundredCharactersStillNameEverything() {
        // "run R1 by u@c: " (15) + "default: " (9) + the name.
        let fits = Self.record([Self.instance("default", parameters: [String(repeating: "p", count: 876)], action: "reload")],
                               playbook: nil, run: "R1", user: "u", controller: "c")
        #expect(fits.syslogLine.count == 900)
        #expect(fits.syslogLine == "run R1 by u@c: default: " + String(repeating: "p", count: 876))
        let over = Self.record([Self.instance("default", parameters: [String(repeating: "p", count: 877)], action: "reload")],
                               playbook: nil, run: "R1", user: "u", controller: "c")
        #expect(over.syslogLine == "run R1 by u@c: default: 1 parameter (reload)")
    }

    @Test func evenTheCountsAreCutAtNineHundredCharacters() {
        let many = (0..<200).map { Self.instance(String(format: "postfix-i%03d", $0), parameters: ["myhostname"], action: "reload") }
        let line = Self.record(many).syslogLine
        #expect(line.count == 900)
        #expect(line.hasSuffix("..."))
        #expect(line.hasPrefix("run 20261206T121044Z-37fb by ops@ctl1 playbook playbooks/border-cluster.yml sha256 0123456789abcdef: postfix-i000: 1 parameter (reload); postfix-i001: 1 parameter (reload); "))
    }

    // MARK: The record function, run

    /// Runs `record` as the apply script ends: `committed` is `$T/committed` as `sw` wrote
    /// it, `hp` the holder's pid (nil: no lock held). Returns the script's directory.
    /// `holderRun`: the run the holder file names (the lock's holder now).
    static func runRecord(_ record: ChangeRecord, in dir: String, committed: String, results: [String], hp: String?,
                          holderRun: String? = nil) throws -> (status: Int32, stderr: String) {
        try FileManager.default.createDirectory(atPath: dir + "/t", withIntermediateDirectories: true)
        try #"{"run":"\#(holderRun ?? record.run)","pid":1}"#.write(toFile: dir + "/holder", atomically: true, encoding: .utf8)
        try committed.write(toFile: dir + "/t/committed", atomically: true, encoding: .utf8)
        // What changed arrives in the archive, as the receive step leaves it.
        try FileManager.default.createDirectory(atPath: dir + "/t/in", withIntermediateDirectories: true)
        for entry in record.archiveEntries {
            try entry.text.write(toFile: dir + "/t/in/" + entry.name, atomically: true, encoding: .utf8)
        }
        let script = """
            set -u
            T='\(dir)/t'
            ID='\(record.run)'
            logger() { printf '%s\\n' "$@" >>'\(dir)/syslog'; }
            \(hp.map { "HP=\($0)" } ?? "")
            \(record.shell.replacingOccurrences(of: ChangeRecord.hostLog, with: dir + "/postfleet.log")
                .replacingOccurrences(of: HostLock.holderFile, with: dir + "/holder"))
            \(results.map { "record \($0) || exit 9" }.joined(separator: "\n"))

            """
        let result = try runShell(script)
        return (result.status, result.stderr)
    }

    static func scratch() throws -> String {
        let dir = "/var/tmp/postfleet-record-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func theHostAppendsHowTheRunEndedAndWhatItSwapped() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let record = ChangeRecord(host: "mta1", plan: Self.saslPlan(), tasks: [],
                                  context: .init(holder: Self.holder, playbook: "site.yml", playbookSHA256: Self.sha))
        let committed = "1 /etc/postfix/main.cf\n0 /etc/postfix/sasl_passwd\n1 /etc/postfix/my table\n1 /etc/postfix/we\"ird\\name\n"
        // The holder still runs (this test's own shell), then a holder that is gone.
        let alive = try Self.runRecord(record, in: dir, committed: committed, results: ["ok"], hp: "$$")
        #expect(alive.status == 0 && alive.stderr.isEmpty, "\(alive)")
        let lost = try Self.runRecord(record, in: dir, committed: "", results: ["failed"], hp: "2147483647")
        #expect(lost.status == 0 && lost.stderr.isEmpty, "\(lost)")
        // A live process under the holder's pid, but the lock is another run's now: lost too.
        let taken = try Self.runRecord(record, in: dir, committed: "", results: ["ok"], hp: "$$", holderRun: "20261206T130000Z-ffff")
        #expect(taken.status == 0 && taken.stderr.isEmpty, "\(taken)")

        let log = try String(contentsOfFile: dir + "/postfleet.log", encoding: .utf8)
        let read = HostRecords.parse(log.split(separator: "\n").map { "R " + $0 }.joined(separator: "\n"))
        #expect(read.unreadable == 0 && read.records.count == 3, "\(log)")
        guard read.records.count == 3 else { return }
        #expect(read.records[2].controllerLost == true, "\(read.records[2])")
        let (first, second) = (read.records[0], read.records[1])
        #expect(first.result == "ok" && first.controllerLost == false)
        #expect(first.swapped == [
            ChangeRecord.Swap(path: "/etc/postfix/main.cf", backup: true),
            ChangeRecord.Swap(path: "/etc/postfix/sasl_passwd", backup: false),
            ChangeRecord.Swap(path: "/etc/postfix/my table", backup: true),
            ChangeRecord.Swap(path: "/etc/postfix/we\"ird\\name", backup: true),
        ])
        #expect(first.ended?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"#, options: .regularExpression) != nil, "\(first.ended ?? "nil")")
        #expect(second.result == "failed" && second.controllerLost == true && second.swapped == [])
        // Everything else is the record the controller made, as it made it.
        var same = first
        (same.result, same.controllerLost, same.ended, same.swapped) = (nil, nil, nil, nil)
        #expect(same == record)
        for secret in Self.secrets { #expect(!log.contains(secret), "\(secret) in the host's log") }

        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/postfleet.log")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let syslog = try String(contentsOfFile: dir + "/syslog", encoding: .utf8)
        #expect(syslog == "-t\npostfleet\n--\n\(record.syslogLine) result=ok\n-t\npostfleet\n--\n\(record.syslogLine) result=failed (controller lost)\n"
                + "-t\npostfleet\n--\n\(record.syslogLine) result=ok (controller lost)\n")
    }

    @Test func aHostLogPastItsSizeIsRotatedFirst() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let old = String(repeating: "x", count: ChangeRecord.rotateAt) + "\n"
        try old.write(toFile: dir + "/postfleet.log", atomically: true, encoding: .utf8)
        try "older\n".write(toFile: dir + "/postfleet.log.1", atomically: true, encoding: .utf8)
        let record = Self.record(Self.rollout)
        #expect(try Self.runRecord(record, in: dir, committed: "", results: ["ok"], hp: nil).status == 0)
        #expect(try String(contentsOfFile: dir + "/postfleet.log.1", encoding: .utf8) == old, "the one before is dropped")
        let log = try String(contentsOfFile: dir + "/postfleet.log", encoding: .utf8)
        #expect(log.hasPrefix(String(record.json.dropLast()) + #","swapped":[],"result":"ok","controller_lost":false,"ended":""#), "\(log)")
        #expect(log.hasSuffix("Z\"}\n"), "\(log)")
        #expect(log.split(separator: "\n").count == 1)
        // Without a holder pid (no lock), the controller is never said lost.
        #expect(HostRecords.parse("R " + log).records.first?.controllerLost == false)

        // A log at its size exactly is not rotated.
        let atSize = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: atSize) }
        let exact = String(repeating: "y", count: ChangeRecord.rotateAt - 1) + "\n"
        try exact.write(toFile: atSize + "/postfleet.log", atomically: true, encoding: .utf8)
        #expect(try Self.runRecord(record, in: atSize, committed: "", results: ["ok"], hp: nil).status == 0)
        #expect(!FileManager.default.fileExists(atPath: atSize + "/postfleet.log.1"))
        #expect(try String(contentsOfFile: atSize + "/postfleet.log", encoding: .utf8).hasPrefix(exact + "{"))
    }
}
