import Foundation
import Testing

/// `postfleet postmulti -p stop --drain` on a border host rolled out with the border-cluster
/// playbook, while an SMTP client on the host keeps sending to postfix-in's public listener,
/// one slow session after another: every session ends accepted (250 after the message) or
/// refused before it began, every accepted message reaches the hub, and the instances come
/// back. And a drain that cannot finish in time fails the host with nothing stopped and the
/// listeners open again.
///
/// On `scripts/test`'s lab, mta49 is this suite's own (``LabHosts``).
@Suite(.labOf(LabHosts.drain), .serialized, .timeLimit(.minutes(10)))
struct DrainLabTests {
    let lab = Lab.current!
    let host = "mta49"
    let address = "198.18.0.49"

    /// postfleet on mta49. `queued: false` for what must happen while a client this test
    /// started is still sending (its sessions are bounded in time): it must not wait behind
    /// other suites' rollouts (``ProgramSlots``).
    func postfleet(_ arguments: [String], queued: Bool = true) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runProcess(Lab.binary, arguments + ["-i", lab.inventoryPath, "--known-hosts", lab.knownHosts, "-l", host],
                             seconds: 120, queued: queued)
    }

    func rollOut() async throws {
        let run = try await postfleet(["run", Lab.repository.appendingPathComponent("playbooks/border-cluster.yml").path])
        try #require(run.status == 0, "\(run.stdout)\(run.stderr)")
        // Started, whatever an earlier test left.
        _ = try await postfleet(["postmulti", "-g", "mta", "-p", "start"])
    }

    /// The PIDs of the group's masters, by configuration directory ("" when not running).
    func masters() async throws -> [String: String] {
        let out = try await lab.sh(host, """
            for d in /etc/postfix-in /etc/postfix-out; do
              q=$(postconf -c $d -h queue_directory); p=$(sed -n 1p $q/pid/master.pid 2>/dev/null | tr -d ' ')
              if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then echo "$d $p"; else echo "$d"; fi
            done
            """)
        var result: [String: String] = [:]
        for line in out.split(separator: "\n") {
            let words = line.split(separator: " ")
            result[String(words[0])] = words.count > 1 ? String(words[1]) : ""
        }
        return result
    }

    /// What postfix-in's public listener answers a new connection with: its banner, or socat's refusal.
    func banner() async throws -> String {
        try await lab.sh(host, "printf 'QUIT\\r\\n' | socat -t 2 - TCP:\(address):25 2>&1 | head -n 1; true")
    }

    /// A client that sends one slow session after another (about 2 s each) to `target`, each
    /// message's subject `SUBJECT-N`, and logs each session on one line, until
    /// ``stopClient(_:)`` (or `seconds` at most).
    func client(to target: String, subject: String, seconds: Int) -> String {
        """
        i=0; end=$(( $(date +%s) + \(seconds) ))
        while [ "$(date +%s)" -lt "$end" ] && [ "$i" -lt 200 ] && [ ! -e /var/log/\(subject).stop ]; do
          i=$((i + 1))
          out=$( { printf 'EHLO client\\r\\n'; sleep 0.3; printf 'MAIL FROM:<sender@example.net>\\r\\n'; sleep 0.3
                   printf 'RCPT TO:<someone@example.com>\\r\\n'; sleep 0.3; printf 'DATA\\r\\n'; sleep 0.3
                   printf 'Subject: \(subject)-%s\\r\\n\\r\\nhi\\r\\n.\\r\\n' "$i"; sleep 0.5; printf 'QUIT\\r\\n'; sleep 0.2
                 } | socat -t 3 - TCP:\(target) 2>&1 )
          echo "session $i: $(printf '%s' "$out" | tr -d '\\r' | tr '\\n' '|')" | tee -a /var/log/\(subject).log
        done
        """
    }

    /// Waits (at most 30 s) until `condition`, a shell test on the host, holds. The tests start
    /// a client in a child task and then run postfleet: without this wait the client may
    /// start only after the stop has begun.
    func waitOnHost(_ condition: String, _ what: String) async throws {
        for _ in 0..<60 {
            if try await lab.sh(host, "if \(condition); then echo yes; else echo no; fi") == "yes\n" { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        Issue.record("\(host): \(what) did not happen within 30 s")
    }

    /// Tells the client sending `subject` to stop after its current session.
    func stopClient(_ subject: String) async throws {
        _ = try await lab.sh(host, "touch /var/log/\(subject).stop")
    }

    /// Waits until the client sending `subject` has had a message accepted.
    func clientSent(_ subject: String) async throws {
        try await waitOnHost("grep -qs 'queued as' /var/log/\(subject).log", "the client's first accepted message")
    }

    /// The client's log: every session accepted (250 after the message) or refused before it
    /// began, none cut after DATA's 354; at least one of each (the drain came while it sent).
    /// Returns the numbers of the accepted messages.
    func sessions(_ log: String) -> [String] {
        var accepted: [String] = []
        var refused = 0
        for line in log.split(separator: "\n") {
            if line.contains("250 2.0.0 Ok: queued as") {
                accepted.append(line.split(separator: ":")[0].split(separator: " ").last.map(String.init) ?? "?")
            } else {
                #expect(!line.contains("354 "), "a session was cut after DATA: \(line)")
                refused += 1
            }
        }
        #expect(accepted.count >= 1 && refused >= 1, "the drain happened while the client sent: \(log)")
        return accepted
    }

    /// Whether the drain's nft table is on the host.
    func blocked() async throws -> Bool {
        try await lab.sh(host, "nft list table inet postfleet_drain >/dev/null 2>&1 && echo blocked || echo open") == "blocked\n"
    }

    @Test func aStopWaitsForEverySessionAndLosesNoMessage() async throws {
        try await rollOut()
        let tag = UUID().uuidString.prefix(8)
        async let sending = lab.sh(host, client(to: "\(address):25", subject: "pf-drain-\(tag)", seconds: 90))
        try await clientSent("pf-drain-\(tag)")
        try await Task.sleep(for: .seconds(1))
        let stop = try await postfleet(["postmulti", "-g", "mta", "-p", "stop", "--drain", "--drain-deadline", "30s"], queued: false)
        // Sessions after the stop: refused, as nothing listens any more.
        try await Task.sleep(for: .seconds(3))
        try await stopClient("pf-drain-\(tag)")
        let log = try await sending
        #expect(stop.status == 0, "\(stop.stdout)\(stop.stderr)")
        #expect(stop.stdout.contains("postfix-in   drained in ") && stop.stdout.contains("postfix-out  drained in "), "\(stop.stdout)")
        let running = try await masters()
        #expect(running.values.allSatisfy { $0.isEmpty }, "the group is stopped: \(running)\n\(stop.stdout)")
        #expect(try await !blocked())
        let accepted = sessions(log)

        // The instances come back, and nothing accepted is lost: all of it reaches the hub.
        let start = try await postfleet(["postmulti", "-g", "mta", "-p", "start"])
        #expect(start.status == 0, "\(start.stdout)\(start.stderr)")
        #expect(try await banner().hasPrefix("220 "))
        for number in accepted {
            #expect(try await lab.delivered("pf-drain-\(tag)-\(number)"), "message \(number) was accepted and never delivered")
        }
    }

    @Test func aDrainPastItsDeadlineFailsTheHostStopsNothingAndReopensTheListeners() async throws {
        try await rollOut()
        let before = try await masters()
        #expect(before.values.allSatisfy { !$0.isEmpty })
        // A session that stays open (EHLO, then nothing) for 8 s: longer than the 2 s deadline.
        async let idle = lab.sh(host, "{ printf 'EHLO idle\\r\\n'; sleep 8; printf 'QUIT\\r\\n'; } | socat -t 2 - TCP:\(address):25 2>&1 | tr -d '\\r'")
        try await waitOnHost("ss -Htn state established '( sport = :25 )' | grep -q .", "the idle session's connection")
        let stop = try await postfleet(["postmulti", "-g", "mta", "-p", "stop", "--drain", "--drain-deadline", "2s"], queued: false)
        #expect(stop.status == 2, "\(stop.stdout)\(stop.stderr)")
        #expect(stop.stdout.contains("not drained: at the 2s deadline 1 SMTP session(s) open"), "\(stop.stdout)")
        #expect(try await masters() == before, "nothing was stopped")
        #expect(try await banner().hasPrefix("220 "), "the listener accepts new connections again")
        #expect(try await !blocked())
        let session = try await idle
        #expect(session.contains("221 2.0.0 Bye"), "the open session went on to its end: \(session)")
    }

    @Test func aRestartThePlaybookNeedsIsDrainedWhenItsPolicySaysSo() async throws {
        try await rollOut()
        // The border cluster with `policy: {drain: 30s}`, next to the shipped templates.
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let shipped = Lab.repository.appendingPathComponent("playbooks")
        try FileManager.default.createSymbolicLink(at: scratch.appendingPathComponent("templates"),
                                                   withDestinationURL: shipped.appendingPathComponent("templates"))
        let text = try String(contentsOf: shipped.appendingPathComponent("border-cluster.yml"), encoding: .utf8)
        let playbook = scratch.appendingPathComponent("drained.yml")
        try text.replacingOccurrences(of: "  hosts: border\n", with: "  hosts: border\n  policy: {drain: 30s, health: none}\n")
            .write(to: playbook, atomically: true, encoding: .utf8)
        #expect(try String(contentsOf: playbook, encoding: .utf8).contains("policy: {drain: 30s"))
        // postfix-out's listener changed behind postfleet's back: the run restarts postfix-out to put it back.
        _ = try await lab.sh(host, "postconf -c /etc/postfix-out -Me '127.0.0.1:10026/inet=127.0.0.1:10026 inet n - n - 20 smtpd' && postfix -c /etc/postfix-out reload 2>/dev/null")
        let before = try await masters()

        let tag = UUID().uuidString.prefix(8)
        async let sending = lab.sh(host, client(to: "127.0.0.1:10026", subject: "pf-redrain-\(tag)", seconds: 90))
        try await clientSent("pf-redrain-\(tag)")
        try await Task.sleep(for: .seconds(1))
        let run = try await postfleet(["run", playbook.path], queued: false)
        try await stopClient("pf-redrain-\(tag)")
        let log = try await sending
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("drained in ") && run.stdout.contains("restarted"), "\(run.stdout)")
        let after = try await masters()
        #expect(after["/etc/postfix-out"] != before["/etc/postfix-out"] && after["/etc/postfix-out"]?.isEmpty == false, "postfix-out was restarted")
        #expect(after["/etc/postfix-in"] == before["/etc/postfix-in"], "postfix-in was left alone")
        #expect(try await lab.sh(host, "postconf -c /etc/postfix-out -M 127.0.0.1:10026/inet").split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") == "127.0.0.1:10026 inet n - n - - smtpd\n", "the listener is as the playbook has it")
        #expect(try await !blocked())
        #expect(try await lab.sh(host, "printf 'QUIT\\r\\n' | socat -t 2 - TCP:127.0.0.1:10026 2>&1 | head -n 1").hasPrefix("220 "))
        for number in sessions(log) {
            #expect(try await lab.delivered("pf-redrain-\(tag)-\(number)"), "message \(number) was accepted and never delivered")
        }
    }
}

/// With `POSTFLEET_REQUIRE_LAB=1`, a lab too small for DrainLabTests is a failure, not a silent skip.
@Suite struct DrainLabPresence {
    @Test func theLabIsLargeEnoughWhenRequired() { expectLab(of: LabHosts.drain, for: "DrainLabTests") }
}
