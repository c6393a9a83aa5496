import Foundation
import ShellQuoting
import Testing

/// `postfleet queue` against real deferred queues: three border hosts rolled out with the
/// border-cluster playbook, mail to `@defer-one.example` and `@defer-two.example` (which the
/// lab hub answers with 450, each with its own reason) and some held mail, in the default
/// and postfix-out instances. Every count is checked against `postqueue -c DIR -j` on the host,
/// every move by queue id.
///
/// On `scripts/test`'s lab, mta46..mta48 are this suite's own (``LabHosts``).
@Suite(.cleansUp, .labOf(LabHosts.queue), .serialized, .timeLimit(.minutes(10)))
struct QueueLabTests {
    let lab = Lab.current!
    let hosts = ["mta46", "mta47", "mta48"]
    var limit: String { hosts.joined(separator: ":") }
    let directories = ["/etc/postfix", "/etc/postfix-out", "/etc/postfix-in"]

    func postfleet(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runProcess(Lab.binary, arguments + ["-i", lab.inventoryPath, "--known-hosts", lab.knownHosts, "-l", limit], seconds: 240)
    }

    /// One queued message as the host's own postqueue lists it.
    struct Queued: Hashable {
        var id: String
        var queue: String
        var domains: Set<String>
        /// Each recipient's delay reason, as showq gives it.
        var reasons: [String]
    }

    /// `postqueue -c DIR -j` on `host`, for every instance.
    func listing(_ host: String) async throws -> [String: [Queued]] {
        let out = try await lab.sh(host, "for d in \(directories.joined(separator: " ")); do echo \"== $d\"; postqueue -c $d -j; done")
        var result: [String: [Queued]] = [:]
        var current = ""
        for line in out.split(separator: "\n") {
            if line.hasPrefix("== ") {
                current = String(line.dropFirst(3))
                result[current] = []
                continue
            }
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let recipients = object["recipients"] as? [[String: Any]] ?? []
            result[current, default: []].append(Queued(
                id: object["queue_id"] as? String ?? "", queue: object["queue_name"] as? String ?? "",
                domains: Set(recipients.compactMap { ($0["address"] as? String)?.split(separator: "@").last.map(String.init) }),
                reasons: recipients.compactMap { $0["delay_reason"] as? String }))
        }
        return result
    }

    /// Rolls the border cluster out, empties the three instances' queues, and queues on each
    /// host: through the default instance 3 messages to defer-one and 3 to defer-two; through
    /// postfix-out 2 to defer-one. Waits (bounded) until all of it is deferred, then holds
    /// one defer-two message (b3) with the host's own postsuper.
    func prepare() async throws {
        let run = try await runProcess(Lab.binary, ["run", Lab.repository.appendingPathComponent("playbooks/border-cluster.yml").path,
                                              "-i", lab.inventoryPath, "--known-hosts", lab.knownHosts, "-l", limit], seconds: 240)
        try #require(run.status == 0, "\(run.stdout)\(run.stderr)")
        for host in hosts {
            _ = try await lab.sh(host, """
                for d in \(directories.joined(separator: " ")); do postsuper -c $d -d ALL 2>/dev/null; done
                for i in 1 2 3; do printf 'Subject: one\\n\\nx\\n' | sendmail -f root a$i@defer-one.example; done
                for i in 1 2 3; do printf 'Subject: two\\n\\nx\\n' | sendmail -f root b$i@defer-two.example; done
                for i in 1 2; do printf 'Subject: out\\n\\nx\\n' | sendmail -C /etc/postfix-out -f root c$i@defer-one.example; done
                """)
        }
        for host in hosts {
            var settled = false
            for _ in 0..<60 {
                let all = try await listing(host).values.flatMap { $0 }
                if all.count == 8 && all.allSatisfy({ $0.queue == "deferred" }) {
                    settled = true
                    break
                }
                try await Task.sleep(for: .milliseconds(500))
            }
            let seen = try await listing(host)
            try #require(settled, "\(host): the queues did not settle: \(seen)")
            _ = try await lab.sh(host, """
                postqueue -j | grep '"b3@defer-two.example"' | sed 's/.*"queue_id": "\\([0-9A-Za-z]*\\)".*/\\1/' | postsuper -h - 2>/dev/null
                """)
            let held = try await listing(host).values.flatMap { $0 }.filter { $0.queue == "hold" }
            try #require(held.count == 1 && held[0].domains == ["defer-two.example"], "\(host): \(held)")
        }
    }

    @Test func theFleetViewCountsWhatPostqueueListsAndNamesEachReasonOnce() async throws {
        try await prepare()
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let json = scratch.appendingPathComponent("queue.json").path
        let r = try await postfleet(["queue", "--json", json, "--messages"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        #expect(doc["schema"] as? String == "postfleet.queue/1")
        let reported = try #require(doc["hosts"] as? [String: [String: Any]])
        var recipients = ["defer-one": 0, "defer-two": 0]
        for host in hosts {
            let truth = try await listing(host)
            for reason in truth.values.flatMap({ $0 }).flatMap(\.reasons) {
                for name in recipients.keys where reason.contains("lab hub defers \(name).example") { recipients[name]! += 1 }
            }
            let instances = try #require(reported[host]?["instances"] as? [[String: Any]])
            #expect(Set(instances.compactMap { $0["config_directory"] as? String }) == Set(directories))
            for instance in instances {
                let dir = try #require(instance["config_directory"] as? String)
                let queues = try #require(instance["queues"] as? [String: [String: Int]])
                for name in ["incoming", "active", "deferred", "hold"] {
                    #expect(queues[name]?["messages"] == truth[dir, default: []].filter { $0.queue == name }.count, "\(host) \(dir) \(name)")
                }
            }
            // Every message, with its instance.
            let messages = try #require(reported[host]?["messages"] as? [[String: Any]])
            #expect(Set(messages.compactMap { $0["id"] as? String }) == Set(truth.values.flatMap { $0 }.map(\.id)))
        }
        // The hub's two reasons, once each, with their recipients and all three hosts.
        let fleet = try #require(doc["fleet"] as? [String: Any])
        let reasons = try #require(fleet["reasons"] as? [[String: Any]])
        #expect(reasons.count == 2, "\(reasons)")
        let one = reasons.first { ($0["reason"] as? String)?.contains("lab hub defers defer-one.example") == true }
        let two = reasons.first { ($0["reason"] as? String)?.contains("lab hub defers defer-two.example") == true }
        #expect(recipients["defer-one"] == 15, "every defer-one recipient has the hub's reason on the hosts")
        #expect(one?["recipients"] as? Int == recipients["defer-one"] && (one?["hosts"] as? [String]).map(Set.init) == Set(hosts), "\(reasons)")
        #expect(two?["recipients"] as? Int == recipients["defer-two"] && (two?["hosts"] as? [String]).map(Set.init) == Set(hosts), "\(reasons)")
        // The text says the same: one line per reason, with its host count, and the totals.
        #expect(r.stdout.components(separatedBy: "lab hub defers defer-one.example").count == 2, "\(r.stdout)")
        let line = r.stdout.split(separator: "\n").first { $0.contains("lab hub defers defer-one.example") } ?? ""
        #expect(line.hasPrefix("  15  3 hosts (mta[46-48])  host ") && line.contains(" said: 450 4.3.2 <ADDRESS>: Recipient address rejected:"), "\(r.stdout)")
        #expect(r.stdout.contains("3 of 3 hosts read, 9 instances, 24 messages"), "\(r.stdout)")
        #expect(r.stdout.contains("3 hold"), "\(r.stdout)")
    }

    @Test func actionsMoveExactlyTheSelectedMessages() async throws {
        try await prepare()
        func ids(_ queues: [String: [Queued]], _ domain: String, in queue: String? = nil) -> Set<String> {
            Set(queues.values.flatMap { $0 }.filter { $0.domains.contains(domain) && (queue == nil || $0.queue == queue) }.map(\.id))
        }
        var before: [String: [String: [Queued]]] = [:]
        for host in hosts { before[host] = try await listing(host) }

        // hold: exactly the defer-one messages, in both instances.
        var r = try await postfleet(["queue", "hold", "--recipient", "@defer-one.example"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("15 messages selected, 15 held, 0 gone"), "\(r.stdout)")
        for host in hosts {
            let now = try await listing(host)
            #expect(ids(now, "defer-one.example", in: "hold") == ids(before[host]!, "defer-one.example"), "\(host)")
            #expect(ids(now, "defer-two.example") == ids(before[host]!, "defer-two.example"), "\(host)")
            #expect(ids(now, "defer-two.example", in: "hold").count == 1, "\(host)")
            #expect(ids(now, "defer-two.example", in: "hold") == ids(before[host]!, "defer-two.example", in: "hold"), "\(host)")
        }

        // release: the defer-one messages only (the held defer-two message stays held).
        r = try await postfleet(["queue", "release", "--recipient", "@defer-one.example"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("15 messages selected, 15 released"), "\(r.stdout)")
        for host in hosts {
            let now = try await listing(host)
            #expect(ids(now, "defer-one.example", in: "hold").isEmpty, "\(host)")
            #expect(ids(now, "defer-one.example") == ids(before[host]!, "defer-one.example"), "\(host)")
            #expect(ids(now, "defer-two.example", in: "hold") == ids(before[host]!, "defer-two.example", in: "hold"), "\(host)")
        }

        // requeue: the same ids go back through cleanup (postsuper logs each), and nothing else does.
        // Each instance's log file and its size now: the requeue lines are the ones written after.
        var logged: [String: String] = [:]
        for host in hosts {
            logged[host] = try await lab.sh(host, "for f in /var/log/postfix*.log; do printf '%s %s\\n' \"$f\" \"$(wc -c <\"$f\")\"; done")
        }
        r = try await postfleet(["queue", "requeue", "--recipient", "@defer-one.example", "--serial", "1", "--pause", "200ms"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("15 messages selected, 15 requeued"), "\(r.stdout)")
        for host in hosts {
            let requeued = Set(try await lab.sh(host, """
                printf '%s' \(Shell.quote(logged[host]!)) | while read -r f n; do tail -c +$((n + 1)) "$f"; done \\
                  | sed -n 's/.*postsuper.*: \\([0-9A-Za-z]*\\): requeued$/\\1/p'
                """).split(separator: "\n").map(String.init))
            #expect(requeued == ids(before[host]!, "defer-one.example"), "\(host): postsuper requeued exactly the selected ids")
            // A requeued message waits in maildrop until pickup copies it to a new queue file
            // (a new queue id): wake pickup, and wait (bounded) until all of it is deferred again.
            var now: [String: [Queued]] = [:]
            for _ in 0..<60 {
                _ = try await lab.sh(host, "for d in \(directories.joined(separator: " ")); do postkick -c $d public pickup W 2>/dev/null; done; true")
                now = try await listing(host)
                let ones = now.values.flatMap { $0 }.filter { $0.domains.contains("defer-one.example") }
                if ones.count == ids(before[host]!, "defer-one.example").count && ones.allSatisfy({ $0.queue == "deferred" }) { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(ids(now, "defer-one.example", in: "deferred").count == ids(before[host]!, "defer-one.example").count, "\(host): \(now)")
            #expect(ids(now, "defer-two.example") == ids(before[host]!, "defer-two.example"), "\(host): nothing else was requeued")
            before[host] = now
        }

        // delete --check: the selection is listed, nothing changes.
        // The held message keeps its recipient's delay reason only if showq reports one for hold.
        let twos = hosts.reduce(0) { n, host in n + before[host]!.values.flatMap { $0 }.filter { $0.reasons.contains { $0.contains("defers defer-two") } }.count }
        #expect(twos >= 6)
        r = try await postfleet(["queue", "delete", "--reason", "defers defer-two", "--check"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("\(twos) messages selected; --check: nothing deleted"), "\(r.stdout)")
        for host in hosts {
            #expect(Set(try await listing(host).values.flatMap { $0 }.map(\.id)) == Set(before[host]!.values.flatMap { $0 }.map(\.id)), "\(host)")
        }
        // delete without --yes is refused before any host is contacted.
        r = try await postfleet(["queue", "delete", "--reason", "defers defer-two"])
        #expect(r.status == 1 && r.stderr.contains("add --yes"), "\(r.stderr)")

        // delete --yes: exactly the defer-two messages, and the count is right.
        r = try await postfleet(["queue", "delete", "--reason", "defers defer-two", "--yes"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("\(twos) messages selected, \(twos) deleted, 0 gone"), "\(r.stdout)")
        for host in hosts {
            let now = try await listing(host)
            let selected = Set(before[host]!.values.flatMap { $0 }.filter { $0.reasons.contains { $0.contains("defers defer-two") } }.map(\.id))
            let left = Set(now.values.flatMap { $0 }.map(\.id))
            #expect(left == Set(before[host]!.values.flatMap { $0 }.map(\.id)).subtracting(selected), "\(host): exactly the selected ids are gone")
            #expect(ids(now, "defer-one.example") == ids(before[host]!, "defer-one.example"), "\(host)")
        }
    }

    /// The hub unreachable from one host (its packets to the hub's port 25 dropped in that
    /// host's own namespace; `scripts/lab hub block` would do it for every host, and the other
    /// suites running at the same time send mail to the hub): mail to it waits in the deferred
    /// queue with a timeout as its reason, which `queue` names once for the host; once the hub
    /// is back, `queue flush` sends exactly the selected message on, and it arrives.
    @Test func anUnreachableHubDefersAndAFlushSendsTheMailOnceItIsBack() async throws {
        try await prepare()
        let host = hosts[0]
        let hub = try await lab.sh(host, "getent hosts mailhub.example.com | cut -d ' ' -f 1").trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(hub.hasPrefix("198.18.0."), "the hub's address: \(hub)")
        let unblock = "nft delete table inet pftest_hub 2>/dev/null; true"
        _ = try await lab.sh(host, """
            \(unblock)
            nft add table inet pftest_hub && nft add chain inet pftest_hub out '{ type filter hook output priority 0; }' \\
              && nft add rule inet pftest_hub out ip daddr \(hub) tcp dport 25 drop
            """)
        afterTest { _ = try await lab.script(["exec", host, "--", "sh", "-c", unblock]) }
        // A 2 s connect timeout instead of 30 s; the next rollout writes main.cf back.
        _ = try await lab.sh(host, "postconf -e smtp_connect_timeout=2s && postfix reload 2>/dev/null")
        let subject = "pf-flush-\(UUID().uuidString.prefix(8))"
        _ = try await lab.sh(host, "printf 'Subject: \(subject)\\n\\nx\\n' | sendmail -f root someone@example.com")
        var id = ""
        for _ in 0..<60 {
            let waiting = try await listing(host)["/etc/postfix", default: []].filter { $0.domains == ["example.com"] }
            if let m = waiting.first, m.queue == "deferred", m.reasons.contains(where: { $0.contains("timed out") }) {
                id = m.id
                break
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        try #require(!id.isEmpty, "the message to the blocked hub was not deferred with a timeout")
        let look = try await runProcess(Lab.binary, ["queue", "-i", lab.inventoryPath, "--known-hosts", lab.knownHosts, "-l", host], seconds: 60)
        #expect(look.status == 0)
        let line = look.stdout.split(separator: "\n").first { $0.contains("timed out") } ?? ""
        #expect(line.hasPrefix("  1  1 host (\(host))  connect to ") && line.contains("[IP]") && line.hasSuffix("Connection timed out"), "\(look.stdout)")

        _ = try await lab.sh(host, unblock)
        let flush = try await postfleet(["queue", "flush", "--id", id])
        #expect(flush.status == 0, "\(flush.stdout)\(flush.stderr)")
        #expect(flush.stdout.contains("1 message selected, 1 flushed"), "\(flush.stdout)")
        #expect(try await lab.delivered(subject), "the flushed message did not reach the hub")
        // Only that one: the defer-one and defer-two messages are all still queued.
        #expect(try await listing(host).values.flatMap { $0 }.count == 8)
    }
}

/// With `POSTFLEET_REQUIRE_LAB=1`, a lab too small for QueueLabTests is a failure, not a silent skip.
@Suite struct QueueLabPresence {
    @Test func theLabIsLargeEnoughWhenRequired() { expectLab(of: LabHosts.queue, for: "QueueLabTests") }
}
