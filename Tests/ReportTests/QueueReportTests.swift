import Engine
import Foundation
import Postfix
import Report
import Testing

/// `postfleet queue`'s report from queues as hosts list them: hosts that look the same share
/// a line, one reason over many hosts is one line, the totals, the JSON and the exit codes.
/// That the counts are the hosts' own is proven in the lab (QueueLabTests).
@Suite struct QueueReportTests {
    static func deferred(_ id: String, _ domain: String, at ip: String) -> String {
        #"{"queue_name": "deferred", "queue_id": "\#(id)", "arrival_time": 1000, "message_size": 500, "sender": "a@example.com", "recipients": [{"address": "x\#(id)@\#(domain)", "delay_reason": "host mx.\#(domain)[\#(ip)] said: 451 4.7.1 <x\#(id)@\#(domain)>: try again in 300 seconds (in reply to RCPT TO command)"}]}"#
    }

    /// One host's probe output: the default instance empty, postfix-out with `messages`.
    static func host(_ name: String, _ messages: [String], now: Int64 = 1600) throws -> HostQueues {
        let text = """
            @@postfleet list 0
            | -               -               y         /etc/postfix
            | postfix-out     mta             y         /etc/postfix-out

            @@postfleet queue /etc/postfix

            @@postfleet end /etc/postfix 0

            @@postfleet queue /etc/postfix-out
            \(messages.map { "| " + $0 }.joined(separator: "\n"))

            @@postfleet end /etc/postfix-out 0

            """
        var reader = QueueProbe.Reader(now: now, host: name, each: nil)
        try reader.feed(Array(text.utf8)[...])
        try reader.finish()
        var host = HostQueues(host: name)
        host.instances = reader.instances
        host.now = now
        return host
    }

    @Test func identicalHostsShareALineAndOneReasonIsOneLineWithItsHosts() throws {
        var hosts: [HostQueues] = []
        for n in 1...4 {
            // Every host: two deferred messages to one.example, each with its own id, address and IP.
            hosts.append(try Self.host("mta\(n)", [Self.deferred("A\(n)1", "one.example", at: "192.0.2.\(n)"),
                                                 Self.deferred("A\(n)2", "one.example", at: "192.0.2.\(n + 10)")]))
        }
        hosts.append(try Self.host("mta5", []))
        let report = QueueReport(hosts: hosts, request: QueueRequest(target: .all))
        let text = report.text
        #expect(text.contains("mta[1-4]  default      0         0       0         0     0       -\n"), "\(text)")
        #expect(text.contains("          postfix-out  0         0       2         0     1.0 kB  10m\n"), "\(text)")
        #expect(text.contains("mta5      default"), "\(text)")
        #expect(text.components(separatedBy: "try again in").count == 2, "one line for the reason: \(text)")
        #expect(text.contains("  8  4 hosts (mta[1-4])  host mx.one.example[IP] said: 451 4.7.1 <ADDRESS>: try again in"), "\(text)")
        #expect(text.contains("  one.example  8      0"), "\(text)")
        #expect(text.hasSuffix("\n5 of 5 hosts read, 10 instances, 8 messages (4.0 kB): 8 deferred\n"), "\(text)")
        #expect(report.exitCode == 0)

        let doc = try #require(try JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        #expect(doc["schema"] as? String == "postfleet.queue/1")
        let fleet = try #require(doc["fleet"] as? [String: Any])
        let reasons = try #require(fleet["reasons"] as? [[String: Any]])
        #expect(reasons.count == 1 && reasons[0]["recipients"] as? Int == 8 && (reasons[0]["hosts"] as? [String])?.count == 4)
        let host = try #require((doc["hosts"] as? [String: Any])?["mta2"] as? [String: Any])
        let out = try #require((host["instances"] as? [[String: Any]])?.first { $0["name"] as? String == "postfix-out" })
        #expect((out["queues"] as? [String: [String: Int]])?["deferred"] == ["messages": 2, "bytes": 1000])
        #expect(out["oldest_age_seconds"] as? Int == 600)
        #expect(host["messages"] == nil, "messages only with --messages")
    }

    @Test func aFailedHostFailsTheRunAndAnUnreachableOneAloneExitsFour() throws {
        var broken = HostQueues(host: "mta2")
        broken.error = HostFailure(host: "mta2", phase: .queue, message: "the queue listing failed (exit status 1)")
        let ok = try Self.host("mta1", [])
        #expect(QueueReport(hosts: [ok, broken], request: QueueRequest(target: .all)).exitCode == 2)
        #expect(QueueReport(hosts: [ok, broken], request: QueueRequest(target: .all)).text.contains("1 of 2 hosts read, 2 instances, 0 messages (0); 1 failed"))
        #expect(QueueReport(hosts: [ok], request: QueueRequest(target: .all)).exitCode == 0)
    }

    @Test func checkListsTheSelectionAndSaysNothingWasDone() throws {
        var host = try Self.host("mta1", [Self.deferred("B1", "one.example", at: "192.0.2.1"), Self.deferred("B2", "two.example", at: "192.0.2.2")])
        host.selected = ["/etc/postfix-out": ["B1"]]
        let request = QueueRequest(target: .all, action: .delete, selector: QueueSelector(recipient: "@one.example"), check: true)
        let text = QueueReport(hosts: [host], request: request).text
        #expect(text.contains("postfix-out  1         B1"), "\(text)")
        #expect(text.hasSuffix("1 of 1 host read, 2 instances, 1 message selected; --check: nothing deleted\n"), "\(text)")
    }
}
