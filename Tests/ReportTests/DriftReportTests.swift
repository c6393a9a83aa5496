import Planning
import Engine
import Foundation
import SSH
import Testing
@testable import Report

/// `postfleet drift`'s report: the differences per host and instance, one line per host
/// group, the recap, the JSON and the exit codes.
@Suite struct DriftReportTests {
    static let banner = InstanceDrift(instance: "postfix-in", state: [.stopped], entries: [
        DiffEntry(section: .mainCF, key: "smtpd_banner", old: "changed", new: "$myhostname ESMTP $mail_name"),
    ])
    static let tables = InstanceDrift(instance: "default", entries: [
        DiffEntry(section: .table("virtual"), key: "root", old: nil, new: "mtaadmin"),
    ], files: [.textOnly(file: "main.cf")])
    static let service = InstanceDrift(instance: "postfix-out", entries: [
        DiffEntry(section: .masterCF, key: "127.0.0.1:10026/inet", old: nil, new: "127.0.0.1:10026 inet n - n - - smtpd"),
    ])
    static let refused = SSHError(host: "mta9", address: "198.18.0.9", port: 22, phase: .connect, code: .connectionRefused,
                                  message: "cannot connect to port 22: Connection refused")
    static let noPostfix = SSHError(host: "mta8", address: "198.18.0.8", port: 22, phase: .exec, code: .remoteFailure,
                                    message: "reading facts: Postfix does not answer: postconf -h mail_version printed nothing")

    var hosts: [HostDrift] {
        [
            HostDrift(host: "mta1", instances: [Self.tables, Self.banner], seconds: 0.1),
            HostDrift(host: "mta2", instances: [Self.tables, Self.banner], seconds: 0.1),
            HostDrift(host: "mta3", seconds: 0.1),
            HostDrift(host: "mta4", instances: [Self.service], seconds: 0.1),
            HostDrift(host: "mta8", error: HostFailure(Self.noPostfix), seconds: 0.1),
            HostDrift(host: "mta9", error: HostFailure(Self.refused), connectAttempts: 3, seconds: 3),
        ]
    }

    @Test func textShowsEachDriftedHostsDifferencesAsRunDiffDoes() {
        let text = DriftReport(playbook: "border-cluster.yml", hosts: hosts, seconds: 3.2).text
        #expect(text.hasPrefix("Drift (+ only in the playbook, - only on the host, ~ live -> playbook):\n"))
        // Hosts with the same differences once, per instance: state, text-only files, sections.
        #expect(text.contains("""
            --- mta[1-2]
              default: main.cf differs in text only (comments or order)
              default virtual:
                + root = mtaadmin
              postfix-in: not running (run would start it)
              postfix-in main.cf:
                ~ smtpd_banner = changed -> $myhostname ESMTP $mail_name
            --- mta4
              postfix-out master.cf:
                + 127.0.0.1:10026/inet = 127.0.0.1:10026 inet n - n - - smtpd

            """), "\(text)")
        // Then per host, in a word, drifted first; then why hosts could not be checked.
        #expect(text.contains("""
            mta[1-2] (2): drifted
              default     virtual: 1 key, main.cf: text only
              postfix-in  not running, main.cf: 1 parameter
            mta4 (1): drifted
              postfix-out  master.cf: 1 service
            mta3 (1): no drift
            mta8 (1): failed
              exec: reading facts: Postfix does not answer: postconf -h mail_version printed nothing
            mta9 (1): unreachable
              connect: cannot connect to port 22: Connection refused (after 3 attempts)

            """), "\(text)")
        #expect(text.hasSuffix("6 hosts: 1 in sync, 3 drifted, 1 failed, 1 unreachable in 3.20s\n"))
    }

    @Test func noDriftIsOneLinePerGroupAndTheRecap() {
        let text = DriftReport(playbook: "p", hosts: [HostDrift(host: "mta1"), HostDrift(host: "mta2")], seconds: 0.25).text
        #expect(text == "mta[1-2] (2): no drift\n2 hosts: 2 in sync, 0 drifted, 0 failed, 0 unreachable in 0.25s\n")
    }

    /// Instances the playbook does not list are named under their host, in the text and
    /// the JSON, and are not drift: a host with nothing else is in sync, exit 0.
    @Test func unlistedInstancesAreNamedNotCounted() throws {
        let report = DriftReport(playbook: "p", hosts: [HostDrift(host: "mta1", unlisted: ["postfix-test", "postfix-old"]), HostDrift(host: "mta2")],
                                 seconds: 0.5)
        #expect(report.text == """
            mta1 (1): no drift
              not in the playbook (run leaves them alone): postfix-test, postfix-old
            mta2 (1): no drift
            2 hosts: 2 in sync, 0 drifted, 0 failed, 0 unreachable in 0.50s

            """)
        #expect(report.exitCode == 0)
        let doc = try #require(try JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        let all = try #require(doc["hosts"] as? [String: [String: Any]])
        #expect(all["mta1"]?["unlisted"] as? [String] == ["postfix-test", "postfix-old"])
        #expect(all["mta2"]?["unlisted"] as? [String] == [])
    }

    @Test func exitCodes() {
        let h = hosts
        func code(_ which: [Int]) -> Int32 { DriftReport(playbook: "p", hosts: which.map { h[$0] }, seconds: 0).exitCode }
        #expect(code([2]) == 0)          // in sync
        #expect(code([0, 2]) == 2)       // drifted
        #expect(code([2, 4]) == 2)       // reached, but not checked
        #expect(code([2, 5]) == 4)       // unreachable, none drifted
        #expect(code([0, 5]) == 2)       // drifted wins over unreachable
        #expect(code([5]) == 4)
    }

    @Test func jsonHasTheDifferencesWithBothValues() throws {
        let data = try DriftReport(playbook: "border-cluster.yml", hosts: hosts, seconds: 3.2).json()
        let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(doc["schema"] as? String == "postfleet.drift/1")
        #expect(doc["playbook"] as? String == "border-cluster.yml")
        let all = try #require(doc["hosts"] as? [String: [String: Any]])
        #expect(all.mapValues { $0["status"] as? String } == [
            "mta1": "drifted", "mta2": "drifted", "mta3": "in_sync", "mta4": "drifted", "mta8": "failed", "mta9": "unreachable",
        ])
        let instances = try #require(all["mta1"]?["instances"] as? [String: [String: Any]])
        #expect(instances.keys.sorted() == ["default", "postfix-in"])
        let inbound = try #require(instances["postfix-in"])
        let differences = try #require(inbound["differences"] as? [[String: Any]])
        #expect(differences.count == 1)
        #expect(differences[0]["section"] as? String == "main.cf")
        #expect(differences[0]["key"] as? String == "smtpd_banner")
        #expect(differences[0]["change"] as? String == "changed")
        #expect(differences[0]["live"] as? String == "changed")
        #expect(differences[0]["playbook"] as? String == "$myhostname ESMTP $mail_name")
        let state = try #require(inbound["state"] as? [[String: Any]])
        #expect(state.map { $0["kind"] as? String } == ["stopped"])
        #expect(state[0]["message"] as? String == "not running (run would start it)")
        let main = try #require(instances["default"])
        let added = try #require((main["differences"] as? [[String: Any]])?.first)
        #expect(added["change"] as? String == "added" && added["section"] as? String == "virtual")
        #expect(added["live"] is NSNull, "an added key has an explicit null for the host's side")
        #expect((main["files"] as? [[String: Any]])?.first?["kind"] as? String == "text_only")
        #expect((all["mta3"]?["instances"] as? [String: Any])?.isEmpty == true)
        #expect(all["mta9"]?["phase"] as? String == "connect")
        #expect((all["mta9"]?["error"] as? String)?.hasPrefix("mta9 (198.18.0.9:22): connect:") == true)
        #expect(all["mta9"]?["connect_attempts"] as? Int == 3)
        let summary = try #require(doc["summary"] as? [String: Any])
        #expect(summary["in_sync"] as? Int == 1 && summary["drifted"] as? Int == 3)
        #expect(summary["failed"] as? Int == 1 && summary["unreachable"] as? Int == 1)
    }
}
