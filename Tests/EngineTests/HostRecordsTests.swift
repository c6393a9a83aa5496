import Engine
import Foundation
import Playbook
import Testing

/// ``HostRecords/parse(_:)`` on what its script prints: instance directories, backups named
/// after their run, the change record's lines. That the script prints this on a host is
/// proven in the lab.
@Suite struct HostRecordsTests {
    static let record = #"{"run":"20261206T121044Z-37fb","time":"2026-12-06T12:10:44Z","host":"mta1","controller":"ctl1","user":"ops","pid":4242,"command":"postfleet run site.yml","playbook":"site.yml","lifecycle":[],"instances":[{"name":"postfix-in","parameters":["smtpd_banner"],"services":[],"tables":{},"files":[],"action":"reload"}],"tasks":[],"result":"ok","controller_lost":false,"ended":"2026-12-06T12:10:50Z","swapped":[{"path":"/etc/postfix-in/main.cf","backup":true}]}"#

    @Test func backupsAreNamedByRunAndInstance() {
        let records = HostRecords.parse("""
            D /etc/postfix default
            D /etc/postfix-in postfix-in
            B 2048 644 /etc/postfix-in/main.cf.postfleet-20261206T121044Z-37fb
            B 2001 644 /etc/postfix-in/main.cf.postfleet-20261201T090000Z-a1
            B 512 600 /etc/postfix/sasl_passwd.postfleet-20261201T090000Z-a1
            B 99 644 /etc/postfix-in/main.cf.postfleet-old
            B 99 644 /etc/postfix-in/main.cf.postfleet-2026-12-06
            B x 644 /etc/postfix-in/master.cf.postfleet-20261206T121044Z-37fb
            R \(Self.record)
            """)
        #expect(records.backups.map(\.path) == [
            "/etc/postfix-in/main.cf.postfleet-20261201T090000Z-a1",
            "/etc/postfix-in/main.cf.postfleet-20261206T121044Z-37fb",
            "/etc/postfix/sasl_passwd.postfleet-20261201T090000Z-a1",
        ], "a suffix that is no run name, or a size that is no number, is not a backup")
        let newest = records.backups[1]
        #expect(newest.live == "/etc/postfix-in/main.cf" && newest.run == "20261206T121044Z-37fb")
        #expect(newest.instance == "postfix-in" && newest.size == 2048 && newest.mode == 0o644)
        #expect(newest.time == "2026-12-06T12:10:44Z")
        #expect(records.backups[2].instance == "default" && records.backups[2].mode == 0o600)
        #expect(records.unreadable == 0)
    }

    @Test func recordLinesReadOldestFirstAndABadOneIsCounted() throws {
        let later = Self.record.replacingOccurrences(of: "20261206T121044Z-37fb", with: "20261207T080000Z-b2")
            .replacingOccurrences(of: #""result":"ok","controller_lost":false"#, with: #""result":"failed","controller_lost":true"#)
        let records = HostRecords.parse("""
            D /etc/postfix default
            R \(Self.record)
            R {"run":"20261206T130000Z-c3","time":
            R hand-written note
            R \(later)
            """)
        #expect(records.records.map(\.run) == ["20261206T121044Z-37fb", "20261207T080000Z-b2"])
        #expect(records.unreadable == 2)
        let first = try #require(records.records.first)
        #expect(first.user == "ops" && first.controller == "ctl1" && first.playbook == "site.yml" && first.playbookSHA256 == nil)
        #expect(first.instances.first?.parameters == ["smtpd_banner"] && first.instances.first?.action == "reload")
        #expect(first.swapped?.map(\.path) == ["/etc/postfix-in/main.cf"] && first.swapped?.first?.backup == true)
        #expect(records.records[1].result == "failed" && records.records[1].controllerLost == true)
        #expect(records.backups.isEmpty)
    }

    @Test func sinceTakesAnAgeOrAUTCDate() throws {
        let now = Date(timeIntervalSince1970: 1_796_601_600)  // 2026-12-07T00:00:00Z
        #expect(try HistorySince.parse("2d", now: now) == now.addingTimeInterval(-2 * 86_400))
        #expect(try HistorySince.parse("30m", now: now) == now.addingTimeInterval(-1800))
        #expect(try HistorySince.parse("2026-12-01", now: now) == Date(timeIntervalSince1970: 1_796_083_200))
        #expect(try HistorySince.parse("2026-12-01T10:00:00Z", now: now) == Date(timeIntervalSince1970: 1_796_083_200 + 36_000))
        for bad in ["yesterday", "2026-12-1", "2026-13-01", "2y", "2026-12-01T10:00Z", ""] {
            #expect(throws: PolicyError.self, "\(bad)") { try HistorySince.parse(bad, now: now) }
        }
        #expect(throws: PolicyError("expected an age such as 30m, 12h or 2d (at most a year), or a UTC date such as 2026-12-01 or 2026-12-01T10:00:00Z")) {
            try HistorySince.parse("yesterday", now: now)
        }
    }
}
