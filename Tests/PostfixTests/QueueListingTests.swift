import Foundation
import Testing
@testable import Postfix

@Suite struct QueueListingTests {
    /// Three queue files as `postqueue -j` (Postfix 3.7) prints them: one line each.
    let listing = """
        {"queue_name": "deferred", "queue_id": "4Q1xYz0bQPz9tq", "arrival_time": 1764940000, "message_size": 1432, "forced_expire": false, "sender": "alerts@example.com", "recipients": [{"address": "ann@one.example", "delay_reason": "host mailhub[198.18.0.250] said: 450 4.2.0 <ann@one.example>: Recipient address rejected: try again later (in reply to RCPT TO command)"}, {"address": "bob@two.example", "delay_reason": "connect to mx.two.example[198.18.0.9]:25: Connection refused"}]}
        {"queue_name": "hold", "queue_id": "4Q1xZ13kRtz9tr", "arrival_time": 1764943000, "message_size": 600, "sender": "", "recipients": [{"address": "Cy@One.Example"}]}
        {"queue_name": "active", "queue_id": "4Q1xZ27Fm1z9ts", "arrival_time": 1764943590, "message_size": 88, "forced_expire": true, "sender": "x@example.com", "recipients": []}

        """

    @Test func everyLineIsOneMessage() throws {
        let messages = try QueueListingReader.messages(in: listing, source: "postqueue -j")
        #expect(messages.map(\.queue) == [.deferred, .hold, .active])
        #expect(messages[0].id == "4Q1xYz0bQPz9tq" && messages[0].size == 1432 && messages[0].arrivalTime == 1764940000)
        #expect(messages[0].recipients[1] == .init(address: "bob@two.example", delayReason: "connect to mx.two.example[198.18.0.9]:25: Connection refused"))
        #expect(messages[1].sender == "" && messages[1].forcedExpire == false && messages[1].recipients[0].delayReason == nil)
        #expect(messages[2].forcedExpire)
    }

    /// Captured from Postfix 3.7 on a lab host (a message sent with sendmail, then `postsuper -h ALL`).
    @Test func aLineAsPostfix37PrintsIt() throws {
        let line = #"{"queue_name": "hold", "queue_id": "C6ED310056B", "arrival_time": 1796491068, "message_size": 267, "forced_expire": false, "sender": "alerts@example.com", "recipients": [{"address": "ann@one.example", "delay_reason": "unable to look up host one.example: Temporary failure in name resolution"}, {"address": "bob@two.example", "delay_reason": "unable to look up host two.example: Temporary failure in name resolution"}]}"# + "\n"
        let messages = try QueueListingReader.messages(in: line, source: "postqueue -j")
        #expect(messages == [QueuedMessage(queue: .hold, id: "C6ED310056B", arrivalTime: 1796491068, size: 267, sender: "alerts@example.com", recipients: [
            .init(address: "ann@one.example", delayReason: "unable to look up host one.example: Temporary failure in name resolution"),
            .init(address: "bob@two.example", delayReason: "unable to look up host two.example: Temporary failure in name resolution"),
        ])])
    }

    @Test func bytesFedInPiecesGiveTheSameMessagesAsTheWhole() throws {
        let whole = try QueueListingReader.messages(in: listing, source: "postqueue -j")
        let bytes = Array(listing.utf8)
        for size in [1, 7, 100, 4096] {
            var reader = QueueListingReader(source: "postqueue -j")
            var seen: [QueuedMessage] = []
            var start = 0
            while start < bytes.count {
                try reader.feed(bytes[start..<min(start + size, bytes.count)]) { seen.append($0) }
                start += size
            }
            try reader.finish { seen.append($0) }
            #expect(seen == whole, "pieces of \(size) bytes")
        }
    }

    @Test func aLastLineWithoutItsNewlineIsRead() throws {
        let messages = try QueueListingReader.messages(in: String(listing.dropLast()), source: "postqueue -j")
        #expect(messages.count == 3)
    }

    @Test func aLineThatIsNotShowqJSONNamesItsLine() {
        let broken = listing + "{\"queue_name\": \"deferred\", \"queue_id\": \"X\"}\n"
        #expect {
            _ = try QueueListingReader.messages(in: broken, source: "postqueue -c /etc/postfix-out -j")
        } throws: { error in
            let e = error as? PostfixParseError
            return e?.line == 4 && e?.source == "postqueue -c /etc/postfix-out -j" && e?.message.contains("no arrival_time") == true
        }
        #expect(throws: PostfixParseError.self) {
            _ = try QueueListingReader.messages(in: "postqueue: fatal: Queue report unavailable - mail system is down\n", source: "q")
        }
        #expect(throws: PostfixParseError.self) {
            _ = try QueueListingReader.messages(in: "{\"queue_name\": \"elsewhere\", \"queue_id\": \"X\", \"arrival_time\": 1, \"message_size\": 1, \"sender\": \"\"}\n", source: "q")
        }
    }

    @Test func theSummaryCountsEachQueueItsBytesAndTheOldestMessage() throws {
        var summary = QueueSummary(now: 1764943600)
        for message in try QueueListingReader.messages(in: listing, source: "q") { summary.add(message) }
        #expect(summary.queues[.deferred] == .init(messages: 1, bytes: 1432))
        #expect(summary.queues[.hold] == .init(messages: 1, bytes: 600))
        #expect(summary.queues[.active] == .init(messages: 1, bytes: 88))
        #expect(summary.queues[.incoming] == nil)
        #expect(summary.messages == 3 && summary.bytes == 2120)
        #expect(summary.oldestAge == 3600)
        #expect(summary.reasons == [
            "host mailhub[IP] said: 450 4.2.0 <ADDRESS>: Recipient address rejected: try again later (in reply to RCPT TO command)": 1,
            "connect to mx.two.example[IP]:N: Connection refused": 1,
        ])
        // Ages: 60 minutes (40...80, bucket 4), 10 minutes (10...20, bucket 2).
        #expect(summary.domains["one.example"] == [0, 0, 1, 0, 1, 0, 0, 0, 0, 0])
        #expect(summary.domains["two.example"] == [0, 0, 0, 0, 1, 0, 0, 0, 0, 0])
    }

    @Test func summariesMergeAndEncodeWithQueueNamesAsKeys() throws {
        var a = QueueSummary(now: 1764943600), b = QueueSummary(now: 1764943600)
        let messages = try QueueListingReader.messages(in: listing, source: "q")
        a.add(messages[0])
        b.add(messages[1])
        b.add(messages[2])
        a.merge(b)
        var whole = QueueSummary(now: 1764943600)
        messages.forEach { whole.add($0) }
        #expect(a == whole)
        let json = String(decoding: try JSONEncoder().encode(whole), as: UTF8.self)
        #expect(json.contains("\"deferred\":{"))
    }

    @Test func distinctReasonsAndDomainsAreBounded() {
        var summary = QueueSummary(now: 1_000_000)
        for i in 0..<(QueueSummary.distinctLimit + 50) {
            summary.add(QueuedMessage(queue: .deferred, id: "ID\(i)", arrivalTime: 1_000_000, size: 10, sender: "s@x",
                                      recipients: [.init(address: "r@d\(i).example", delayReason: "host mx.d\(i).example said: 450 busy")]))
        }
        #expect(summary.domains.count == QueueSummary.distinctLimit + 1)
        #expect(summary.domains[QueueSummary.otherDomains]?.reduce(0, +) == 50)
        #expect(summary.reasons.count == QueueSummary.distinctLimit + 1)
        #expect(summary.reasons[QueueSummary.otherReasons] == 50)
        #expect(summary.messages == QueueSummary.distinctLimit + 50)
    }
}

@Suite struct DelayReasonTests {
    @Test(arguments: [
        ("host mailhub[198.18.0.250] said: 450 4.2.0 <ann@one.example>: Recipient address rejected: try again later (in reply to RCPT TO command)",
         "host mailhub[IP] said: 450 4.2.0 <ADDRESS>: Recipient address rejected: try again later (in reply to RCPT TO command)"),
        ("connect to mx1.two.example[198.18.0.9]:25: Connection timed out",
         "connect to mx1.two.example[IP]:N: Connection timed out"),
        ("host mx.three.example[2001:db8::25] said: 421 4.7.0 Too many connections from 198.18.0.3, try again in 300 seconds (in reply to end of DATA command)",
         "host mx.three.example[IP] said: 421 4.7.0 Too many connections from IP, try again in N seconds (in reply to end of DATA command)"),
        ("delivery temporarily suspended: host mta12.example.com[198.18.0.12] refused to talk to me: 554 5.7.1 bob@one.example blocked",
         "delivery temporarily suspended: host mta12.example.com[IP] refused to talk to me: 554 5.7.1 ADDRESS blocked"),
        ("250 2.0.0 Ok: queued as 4Q1xYz0bQPz9tq)", "250 2.0.0 Ok: queued as ID)"),
        ("mail for one.example loops back to myself", "mail for one.example loops back to myself"),
        ("conversation with mx[IPv6:2001:db8::1] timed out while sending <>", "conversation with mx[IP] timed out while sending <ADDRESS>"),
    ])
    func whatDiffersPerMessageIsTakenOut(raw: String, normalized: String) {
        #expect(DelayReason.normalized(raw) == normalized)
    }

    @Test func theSameRemoteErrorForManyRecipientsAndHostsIsOneReason() {
        let reasons = (1...40).map { i in
            "host mailhub[198.18.0.250] said: 450 4.2.0 <user\(i)@one.example>: Recipient address rejected: greylisted for \(i * 10) seconds (in reply to RCPT TO command)"
        }
        #expect(Set(reasons.map(DelayReason.normalized)).count == 1)
    }
}

@Suite struct DelayReasonAddressTests {
    /// Without DNS (the lab), Postfix names the host by its address: both are addresses.
    @Test func aDottedQuadIsAnAddressNotANumber() {
        #expect(DelayReason.normalized("host 198.18.0.250[198.18.0.250] said: 450 4.3.2 busy")
                == "host IP[IP] said: 450 4.3.2 busy")
        #expect(DelayReason.normalized("conversation timed out after 300 s") == "conversation timed out after N s")
    }
}
