import Engine
import Foundation
import Report
import SSH
import Testing

/// `postfleet backups`'s report from what ``HostRecords`` reads on hosts: per instance and
/// file, newest first, hosts with the same backups on one line, `--instance`, the JSON and
/// the exit status. That the backups are the files runs kept is proven in the lab.
@Suite struct BackupsReportTests {
    static let listing = """
        D /etc/postfix default
        D /etc/postfix-in postfix-in
        B 2048 644 /etc/postfix-in/main.cf.postfleet-20261201T090000Z-a1
        B 2101 644 /etc/postfix-in/main.cf.postfleet-20261206T121044Z-37fb
        B 730 644 /etc/postfix-in/master.cf.postfleet-20261206T121044Z-37fb
        B 512 600 /etc/postfix/sasl_passwd.postfleet-20261201T090000Z-a1
        """

    static func host(_ name: String, _ listing: String = listing) -> HostRecordsRead {
        HostRecordsRead(host: name, records: HostRecords.parse(listing))
    }

    static let refused = SSHError(host: "mta9", address: "198.18.0.9", port: 22, phase: .connect, code: .connectionRefused,
                                  message: "cannot connect to port 22: Connection refused")

    @Test func newestFirstPerFileInstancesInTheirDirectoriesOrderAndHostsGrouped() throws {
        let odd = Self.listing.replacingOccurrences(of: "B 730", with: "B 731")
        let report = BackupsReport(hosts: [Self.host("mta1"), Self.host("mta2"), Self.host("mta3", odd), Self.host("mta4", "D /etc/postfix default")])
        #expect(report.text == """
            HOST      INSTANCE    FILE                       TIME                  RUN                    SIZE
            mta[1-2]  default     /etc/postfix/sasl_passwd   2026-12-01T09:00:00Z  20261201T090000Z-a1    512
                      postfix-in  /etc/postfix-in/main.cf    2026-12-06T12:10:44Z  20261206T121044Z-37fb  2101
                                                             2026-12-01T09:00:00Z  20261201T090000Z-a1    2048
                                  /etc/postfix-in/master.cf  2026-12-06T12:10:44Z  20261206T121044Z-37fb  730
            mta3      default     /etc/postfix/sasl_passwd   2026-12-01T09:00:00Z  20261201T090000Z-a1    512
                      postfix-in  /etc/postfix-in/main.cf    2026-12-06T12:10:44Z  20261206T121044Z-37fb  2101
                                                             2026-12-01T09:00:00Z  20261201T090000Z-a1    2048
                                  /etc/postfix-in/master.cf  2026-12-06T12:10:44Z  20261206T121044Z-37fb  731

            No backups: mta4

            4 of 4 hosts read, 12 backups of 9 files

            """, "\(report.text)")
        #expect(report.exitCode == 0)
    }

    @Test func instanceKeepsOnlyItsFilesAndTheJSONSaysSo() throws {
        let report = BackupsReport(hosts: [Self.host("mta1"), HostRecordsRead(host: "mta9", error: HostFailure(Self.refused), connectAttempts: 3)],
                                   instance: "default")
        #expect(report.text.hasPrefix("""
            HOST  INSTANCE  FILE                      TIME                  RUN                  SIZE
            mta1  default   /etc/postfix/sasl_passwd  2026-12-01T09:00:00Z  20261201T090000Z-a1  512

            Not read:
              mta9: unreachable: connect: cannot connect to port 22: Connection refused (after 3 attempts)
            """), "\(report.text)")
        #expect(report.text.hasSuffix("\n1 of 2 hosts read, 1 backup of 1 file of instance default\n"), "\(report.text)")
        #expect(report.exitCode == 4, "only unreachable hosts")

        let doc = try #require(try JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        #expect(doc["schema"] as? String == "postfleet.backups/1" && doc["instance"] as? String == "default" && doc["exit_code"] as? Int == 4)
        let hosts = try #require(doc["hosts"] as? [String: [String: Any]])
        let files = try #require(hosts["mta1"]?["files"] as? [[String: Any]])
        #expect(files.count == 1 && files[0]["path"] as? String == "/etc/postfix/sasl_passwd" && files[0]["instance"] as? String == "default")
        let backup = try #require((files[0]["backups"] as? [[String: Any]])?.first)
        #expect(backup["run"] as? String == "20261201T090000Z-a1" && backup["time"] as? String == "2026-12-01T09:00:00Z")
        #expect(backup["size"] as? Int == 512 && backup["mode"] as? String == "0600")
        #expect(backup["path"] as? String == "/etc/postfix/sasl_passwd.postfleet-20261201T090000Z-a1")
        #expect(hosts["mta9"]?["phase"] as? String == "connect" && hosts["mta9"]?["unreachable"] as? Bool == true)
        #expect(hosts["mta9"]?["connect_attempts"] as? Int == 3 && (hosts["mta9"]?["files"] as? [Any])?.isEmpty == true)
        let summary = try #require(doc["summary"] as? [String: Any])
        #expect(summary["hosts"] as? Int == 2 && summary["hosts_read"] as? Int == 1 && summary["files"] as? Int == 1 && summary["backups"] as? Int == 1)
    }

    @Test func aHostThatAnsweredButCouldNotBeReadFails() {
        let failed = HostFailure(host: "mta5", phase: .exec, message: "reading the backups and the change record failed (exit 1)")
        let report = BackupsReport(hosts: [Self.host("mta1"), HostRecordsRead(host: "mta5", error: failed),
                                           HostRecordsRead(host: "mta9", error: HostFailure(Self.refused))])
        #expect(report.exitCode == 2)
        #expect(report.text.contains("  mta5: failed: exec: reading the backups and the change record failed (exit 1)\n"), "\(report.text)")
    }
}
