import Engine
import Foundation
import Report
import SSH
import Testing

/// `postfleet history`'s report from the change records hosts keep: runs oldest first, hosts
/// with the same part in a run on one line, `--since`, unreadable lines, the JSON and the
/// exit status. That the apply script writes these records is proven in the lab.
@Suite struct HistoryReportTests {
    /// One record line as the apply script writes it.
    static func line(run: String, host: String, result: String = "ok", lost: Bool = false, restores: String? = nil,
                     instances: String = #"[{"name":"postfix-in","parameters":["myhostname","smtpd_banner"],"services":["127.0.0.1:10026/inet"],"tables":{"virtual":["postmaster@example.com"],"access":[]},"files":[],"action":"reload"}]"#,
                     lifecycle: String = "[]") -> String {
        let time = RunName.time(run) ?? run
        return #"R {"run":"\#(run)","time":"\#(time)","host":"\#(host)","controller":"ctl1","user":"ops","pid":4242,"#
            + #""command":"postfleet run site.yml -i lab -l mta","playbook":"site.yml","playbook_sha256":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","#
            + (restores.map { #""restores":"\#($0)","# } ?? "")
            + #""lifecycle":\#(lifecycle),"instances":\#(instances),"tasks":[],"result":"\#(result)","controller_lost":\#(lost),"ended":"\#(time)","swapped":[{"path":"/etc/postfix-in/main.cf","backup":true}]}"#
    }

    static let first = "20261201T090000Z-a1"
    static let second = "20261206T121044Z-37fb"

    static func host(_ name: String, _ lines: [String]) -> HostRecordsRead {
        HostRecordsRead(host: name, records: HostRecords.parse((["D /etc/postfix default"] + lines).joined(separator: "\n")))
    }

    static let created = #"[{"name":"postfix-out","parameters":[],"services":[],"tables":{},"files":[],"action":"start"}]"#

    static let hosts = [
        host("mta1", [line(run: first, host: "mta1"), line(run: second, host: "mta1", restores: first)]),
        host("mta2", [line(run: first, host: "mta2"), line(run: second, host: "mta2", restores: first), "R not json"]),
        host("mta3", [line(run: first, host: "mta3", result: "failed", lost: true, instances: created,
                           lifecycle: #"["postmulti -I postfix-out -G mta -e create"]"#)]),
    ]

    @Test func runsOldestFirstWithHostsOfTheSamePartGrouped() {
        let report = HistoryReport(hosts: Self.hosts)
        #expect(report.text == """
            run 20261201T090000Z-a1  2026-12-01T09:00:00Z  ops@ctl1
              command:  postfleet run site.yml -i lab -l mta
              playbook: site.yml (sha256 0123456789abcdef)
              mta[1-2]: ok
                postfix-in: parameters myhostname,smtpd_banner; services 127.0.0.1:10026/inet; tables access,virtual[postmaster@example.com]; reload
              mta3: failed (controller lost)
                postfix-out: start
                postmulti -I postfix-out -G mta -e create

            run 20261206T121044Z-37fb  2026-12-06T12:10:44Z  ops@ctl1
              command:  postfleet run site.yml -i lab -l mta
              playbook: site.yml (sha256 0123456789abcdef)
              restores: run 20261201T090000Z-a1
              mta[1-2]: ok
                postfix-in: parameters myhostname,smtpd_banner; services 127.0.0.1:10026/inet; tables access,virtual[postmaster@example.com]; reload

            warning: mta2: 1 line of /var/log/postfleet.log could not be read (not postfleet's JSON)

            3 of 3 hosts read, 2 runs, 5 host records

            """, "\(report.text)")
        #expect(report.exitCode == 0, "a failed run in the record is history, not this command's failure")
    }

    @Test func sinceLeavesOlderRunsOut() throws {
        let since = try #require(HistorySince.date("2026-12-02"))
        let report = HistoryReport(hosts: Self.hosts, since: since)
        #expect(report.text.hasPrefix("run 20261206T121044Z-37fb  "), "\(report.text)")
        #expect(!report.text.contains(Self.first + "  "), "\(report.text)")
        #expect(report.text.hasSuffix("3 of 3 hosts read, 1 run, 2 host records since 2026-12-02T00:00:00Z\n"), "\(report.text)")

        let none = HistoryReport(hosts: Self.hosts, since: try #require(HistorySince.date("2026-12-07")))
        #expect(none.text.hasPrefix("No runs recorded since 2026-12-07T00:00:00Z.\n"), "\(none.text)")
    }

    @Test func theJSONHasEveryRunAndEachHostsRecord() throws {
        let refused = SSHError(host: "mta9", address: "198.18.0.9", port: 22, phase: .connect, code: .connectionRefused,
                               message: "cannot connect to port 22: Connection refused")
        let report = HistoryReport(hosts: Self.hosts + [HostRecordsRead(host: "mta9", error: HostFailure(refused))])
        #expect(report.exitCode == 4, "only unreachable hosts")
        #expect(report.text.contains("Not read:\n  mta9: unreachable: connect: cannot connect to port 22: Connection refused\n"), "\(report.text)")

        let doc = try #require(try JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        #expect(doc["schema"] as? String == "postfleet.history/1" && doc["exit_code"] as? Int == 4 && doc["since"] is NSNull)
        let runs = try #require(doc["runs"] as? [[String: Any]])
        #expect(runs.map { $0["run"] as? String } == [Self.first, Self.second])
        #expect(runs[0]["user"] as? String == "ops" && runs[0]["controller"] as? String == "ctl1" && runs[0]["restores"] is NSNull)
        #expect(runs[1]["restores"] as? String == Self.first && (runs[1]["playbook_sha256"] as? String)?.count == 64)
        let records = try #require(runs[0]["records"] as? [[String: Any]])
        #expect(records.map { $0["host"] as? String } == ["mta1", "mta2", "mta3"])
        #expect(records[2]["result"] as? String == "failed" && records[2]["controller_lost"] as? Bool == true)
        #expect(records[2]["lifecycle"] as? [String] == ["postmulti -I postfix-out -G mta -e create"])
        let instance = try #require((records[0]["instances"] as? [[String: Any]])?.first)
        #expect(instance["parameters"] as? [String] == ["myhostname", "smtpd_banner"] && instance["action"] as? String == "reload")
        #expect((instance["tables"] as? [String: [String]])?["virtual"] == ["postmaster@example.com"])
        #expect((records[0]["swapped"] as? [[String: Any]])?.first?["path"] as? String == "/etc/postfix-in/main.cf")
        let hosts = try #require(doc["hosts"] as? [String: [String: Any]])
        #expect(hosts["mta2"]?["records"] as? Int == 2 && hosts["mta2"]?["unreadable"] as? Int == 1)
        #expect(hosts["mta9"]?["phase"] as? String == "connect" && hosts["mta9"]?["unreachable"] as? Bool == true)
        let summary = try #require(doc["summary"] as? [String: Any])
        #expect(summary["runs"] as? Int == 2 && summary["records"] as? Int == 5 && summary["unreadable"] as? Int == 1)
        #expect(summary["hosts"] as? Int == 4 && summary["hosts_read"] as? Int == 3)
    }
}
