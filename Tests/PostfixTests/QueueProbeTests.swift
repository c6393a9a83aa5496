import Foundation
import Testing
@testable import Postfix

/// The queue probe's output as a host writes it, read in pieces of every size.
@Suite struct QueueProbeTests {
    static let deferred = #"{"queue_name": "deferred", "queue_id": "AAA111BBB", "arrival_time": 1000, "message_size": 500, "sender": "a@example.com", "recipients": [{"address": "x@one.example", "delay_reason": "host mailhub[198.18.0.250] said: 450 4.3.2 <x@one.example>: Recipient address rejected: lab hub defers one.example (in reply to RCPT TO command)"}]}"#
    static let held = #"{"queue_name": "hold", "queue_id": "CCC222DDD", "arrival_time": 1300, "message_size": 70, "sender": "", "recipients": [{"address": "y@two.example"}]}"#

    /// Two instances, postfix-out's queue holding two messages, the default's empty.
    static let output = """
        Welcome to a host whose login script talks

        @@postfleet list 0
        | -               -               y         /etc/postfix
        | postfix-out     mta             y         /etc/postfix-out

        @@postfleet queue /etc/postfix

        @@postfleet end /etc/postfix 0

        @@postfleet queue /etc/postfix-out
        | \(deferred)
        | \(held)

        @@postfleet end /etc/postfix-out 0

        """

    func read(_ text: String, pieces size: Int, each: ((QueueProbe.InstanceQueue, QueuedMessage) -> Void)? = nil) throws -> QueueProbe.Reader {
        var reader = QueueProbe.Reader(now: 1600, host: "mta1", each: each)
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            try reader.feed(bytes[start..<min(start + size, bytes.count)])
            start += size
        }
        try reader.finish()
        return reader
    }

    @Test(arguments: [1, 7, 64, 100_000])
    func piecesOfAnySizeReadTheSame(size: Int) throws {
        var seen: [String] = []
        let reader = try read(Self.output, pieces: size) { instance, message in seen.append("\(instance.name) \(message.id)") }
        #expect(reader.instances.map(\.name) == ["default", "postfix-out"])
        #expect(reader.instances[0].summary.messages == 0)
        let out = reader.instances[1].summary
        #expect(out.queues[.deferred] == .init(messages: 1, bytes: 500) && out.queues[.hold] == .init(messages: 1, bytes: 70))
        #expect(out.oldestAge == 600)
        #expect(out.reasons == ["host mailhub[IP] said: 450 4.3.2 <ADDRESS>: Recipient address rejected: lab hub defers one.example (in reply to RCPT TO command)": 1])
        #expect(seen == ["postfix-out AAA111BBB", "postfix-out CCC222DDD"])
        #expect(reader.listFailure == nil && reader.instances.allSatisfy { $0.failure == nil })
    }

    @Test func aFailedPostqueueIsThatInstancesFailureWithWhatItSaid() throws {
        let text = Self.output.replacingOccurrences(of: "@@postfleet end /etc/postfix 0\n", with: "@@postfleet end /etc/postfix 75\n| postqueue: fatal: bad config\n")
        let reader = try read(text, pieces: 5)
        #expect(reader.instances[0].failure == "postqueue exited with status 75: postqueue: fatal: bad config")
        #expect(reader.instances[1].failure == nil)
    }

    @Test func aFailedPostmultiListIsTheHostsFailure() throws {
        let reader = try read("@@postfleet list 1\n| postmulti: fatal: No matching instances\n", pieces: 3)
        #expect(reader.listFailure == "postmulti -l failed: postmulti: fatal: No matching instances")
        #expect(reader.instances.isEmpty)
    }

    @Test func outputCutShortIsAnErrorNotAnEmptyQueue() throws {
        let cut = String(Self.output.prefix(upTo: Self.output.range(of: "@@postfleet end /etc/postfix-out")!.lowerBound))
        #expect(throws: PostfixParseError.self) { try read(cut, pieces: 10) }
        #expect(throws: PostfixParseError.self) { try read("nothing at all\n", pieces: 10) }
    }

    @Test func aLineThatIsNotShowqJSONNamesTheInstanceAndLine() throws {
        let text = Self.output.replacingOccurrences(of: "| \(Self.held)", with: "| {\"queue_name\": 3}")
        do {
            _ = try read(text, pieces: 4)
            Issue.record("no error")
        } catch let error as PostfixParseError {
            #expect(error.source == "postqueue -c /etc/postfix-out -j on mta1" && error.line == 2)
        }
    }

    @Test func theScriptListsTheSelectedInstancesOnly() {
        #expect(QueueProbe.script(.group("mta")).contains("postmulti -l -g mta >"))
        #expect(QueueProbe.script(.instance("default")).contains("postmulti -l -i - >"))
        #expect(QueueProbe.script(.instance("a'b")).contains("postmulti -l -i 'a'\\''b' >"))
        #expect(QueueProbe.script(.all).contains("postmulti -l -a >"))
    }
}

@Suite struct QueueSelectorTests {
    func message(_ id: String = "AAA111BBB", queue: QueueName = .deferred, arrival: Int64 = 1000, sender: String = "a@example.com",
                 to recipients: [(String, String?)] = [("x@one.example", "450 busy")]) -> QueuedMessage {
        QueuedMessage(queue: queue, id: id, arrivalTime: arrival, size: 10, sender: sender,
                      recipients: recipients.map { .init(address: $0.0, delayReason: $0.1) })
    }

    func matches(_ selector: QueueSelector, _ m: QueuedMessage, now: Int64 = 2000) throws -> Bool {
        try QueueSelector.Matcher(selector).matches(m, now: now)
    }

    @Test func noCriterionSelectsEverything() throws {
        #expect(QueueSelector().selectsEverything)
        #expect(try matches(QueueSelector(), message()))
    }

    @Test func aDomainIsThatDomainExactlyWhateverItsCase() throws {
        let one = QueueSelector(recipient: "@one.example")
        #expect(try matches(one, message(to: [("X@ONE.Example", nil)])))
        #expect(try !matches(one, message(to: [("x@sub.one.example", nil)])))
        #expect(try !matches(one, message(to: [("x@one.example.org", nil)])))
    }

    @Test func recipientAndReasonMustHoldForTheSameRecipient() throws {
        let m = message(to: [("x@one.example", "450 busy"), ("y@two.example", "connection timed out")])
        #expect(try matches(QueueSelector(recipient: "@one.example", reason: "busy"), m))
        #expect(try !matches(QueueSelector(recipient: "@one.example", reason: "timed out"), m))
        #expect(try matches(QueueSelector(reason: "TIMED"), m), "patterns ignore case")
        #expect(try !matches(QueueSelector(reason: "refused"), m))
    }

    @Test func criteriaCombine() throws {
        let s = QueueSelector(sender: "^a@", olderThan: 900, queues: [.deferred])
        #expect(try matches(s, message(arrival: 1000)))
        #expect(try !matches(s, message(arrival: 1200)), "younger than 900 s")
        #expect(try !matches(s, message(queue: .hold)))
        #expect(try !matches(s, message(sender: "b@example.com")))
        #expect(try matches(QueueSelector(sender: "^$"), message(sender: "")), "bounces")
        #expect(try matches(QueueSelector(ids: ["AAA111BBB"]), message()))
        #expect(try !matches(QueueSelector(ids: ["AAA111BBC"]), message()))
    }

    @Test func badPatternsAndIdsAreRefusedNamingTheFlag() {
        #expect(throws: QueueSelectorError.self) { try QueueSelector(reason: "(unclosed").validate() }
        do {
            try QueueSelector(sender: "[a-").validate()
        } catch {
            #expect(error.description.hasPrefix("--sender: '[a-' is not a regular expression"))
        }
        for bad in ["abc", "ABC DEF123", "ABC123;rm", "ÄÖÜ123456", String(repeating: "A", count: 40)] {
            #expect(throws: QueueSelectorError.self, "\(bad)") { try QueueSelector(ids: [bad]).validate() }
        }
        #expect(QueueSelector.isQueueID("4Q1xYz0bQPz9tq") && QueueSelector.isQueueID("C6ED310056B"))
    }
}

@Suite struct QueueActionTests {
    let work = [QueueActionScript.Work(configDirectory: "/etc/postfix-out", ids: ["AAA111", "BBB222", "CCC333", "DDD444"])]

    func output(before: [String], act: String = "0", after: [String]) -> MarkedOutput {
        MarkedOutput("""

            @@postfleet before /etc/postfix-out
            \(before.map { "| " + $0 }.joined(separator: "\n"))

            @@postfleet act /etc/postfix-out \(act)
            | postsuper: Placed on hold: 2 messages

            @@postfleet after /etc/postfix-out
            \(after.map { "| " + $0 }.joined(separator: "\n"))

            """)
    }

    @Test func holdCountsWhatMovedWhatWasGoneAndWhatDidNot() throws {
        // BBB222 was delivered before the action; CCC333 left during it; DDD444 stayed deferred.
        let out = output(before: ["AAA111 deferred", "CCC333 deferred", "DDD444 deferred"], after: ["AAA111 hold", "DDD444 deferred"])
        let o = try #require(try QueueActionScript.outcomes(.hold, work, output: out, host: "mta1")["/etc/postfix-out"])
        #expect(o.selected == 4 && o.done == 1 && o.gone == 2 && o.notDone == ["DDD444"] && o.failed)
    }

    @Test func deleteIsDoneWhenTheMessageIsNoLongerQueued() throws {
        let out = output(before: ["AAA111 deferred", "BBB222 hold", "CCC333 active"], after: ["CCC333 active"])
        let o = try #require(try QueueActionScript.outcomes(.delete, work, output: out, host: "mta1")["/etc/postfix-out"])
        #expect(o.done == 2 && o.gone == 1 && o.notDone == ["CCC333"])
    }

    @Test func releaseAndRequeueAcceptADeliveryRightAfter() throws {
        let out = output(before: ["AAA111 hold", "BBB222 hold"], after: ["BBB222 maildrop"])
        #expect(try QueueActionScript.outcomes(.release, work, output: out, host: "h")["/etc/postfix-out"]?.done == 2)
        #expect(try QueueActionScript.outcomes(.requeue, work, output: out, host: "h")["/etc/postfix-out"]?.done == 2)
    }

    @Test func aFailedCommandIsReportedWithItsOutput() throws {
        let out = output(before: ["AAA111 deferred"], act: "1", after: ["AAA111 deferred"])
        let o = try #require(try QueueActionScript.outcomes(.hold, work, output: out, host: "h")["/etc/postfix-out"])
        #expect(o.failure == "exited with status 1: postsuper: Placed on hold: 2 messages")
    }

    @Test func aScriptThatStoppedEarlyIsAnError() {
        #expect(throws: PostfixParseError.self) {
            try QueueActionScript.outcomes(.hold, work, output: MarkedOutput("@@postfleet before /etc/postfix-out\n"), host: "h")
        }
    }

    @Test func idsTravelOnStdinOneALineInTheInstancesOrder() {
        let two = [QueueActionScript.Work(configDirectory: "/etc/postfix-in", ids: ["AAA111"]),
                   QueueActionScript.Work(configDirectory: "/etc/postfix-out", ids: ["BBB222", "CCC333"], wholeQueue: true)]
        let (script, stdin) = QueueActionScript.script(.flush, two)
        #expect(String(decoding: stdin, as: UTF8.self) == "AAA111\nBBB222\nCCC333\n")
        #expect(script.contains("sed -n '1,1p'") && script.contains("sed -n '2,3p'"))
        #expect(script.contains("postqueue -c /etc/postfix-in -i \"$id\""), "a partial selection is flushed by id")
        #expect(script.contains("postqueue -c /etc/postfix-out -f"), "a whole queue is flushed at once")
        #expect(!script.contains("AAA111"), "ids are never part of the script")
        #expect(QueueActionScript.script(.delete, two).script.contains("postsuper -c /etc/postfix-in -d - <\"$t/k\""))
    }
}
