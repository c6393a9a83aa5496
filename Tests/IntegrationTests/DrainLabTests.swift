import Foundation
import Testing

/// `postfleet postmulti -p stop --drain` on a border host rolled out with the border-cluster
/// playbook, while an SMTP client on the host keeps sending to postfix-in's public listener,
/// one slow session after another: every session ends accepted (250 after the message) or
/// refused before it began, every accepted message reaches the hub, and the instances come
/// back. And a drain that cannot finish in time fails the host with nothing stopped and the
/// listeners open again.
///
/// `scripts/test` runs it on the second lab (39 hosts), where mta24 is free.
@Suite(.enabled(if: (Lab.current?.hostCount ?? 0) >= 24, "needs the lab: scripts/lab up 24"), .serialized, .timeLimit(.minutes(5)))
struct DrainLabTests {
    let lab = Lab.current!
    let host = "mta24"
    let address = "198.18.0.24"

    func postfleet(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try runProcess(Lab.binary, arguments + ["-i", lab.inventoryPath, "--known-hosts", lab.knownHosts, "-l", host], seconds: 120)
    }

    func rollOut() throws {
        let run = try postfleet(["run", Lab.repository.appendingPathComponent("playbooks/border-cluster.yml").path])
        try #require(run.status == 0, "\(run.stdout)\(run.stderr)")
        // Started, whatever an earlier test left.
        _ = try postfleet(["postmulti", "-g", "mta", "-p", "start"])
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

    @Test func aStopWaitsForEverySessionAndLosesNoMessage() async throws {
        try rollOut()
        let tag = UUID().uuidString.prefix(8)
        // One slow session after another for 14 s (about 2 s each), each logged on one line.
        let client = """
            i=0; end=$(( $(date +%s) + 14 ))
            while [ "$(date +%s)" -lt "$end" ] && [ "$i" -lt 200 ]; do
              i=$((i + 1))
              out=$( { printf 'EHLO client\\r\\n'; sleep 0.3; printf 'MAIL FROM:<sender@example.net>\\r\\n'; sleep 0.3
                       printf 'RCPT TO:<someone@example.com>\\r\\n'; sleep 0.3; printf 'DATA\\r\\n'; sleep 0.3
                       printf 'Subject: pf-drain-\(tag)-%s\\r\\n\\r\\nhi\\r\\n.\\r\\n' "$i"; sleep 0.5; printf 'QUIT\\r\\n'; sleep 0.2
                     } | socat -t 3 - TCP:\(address):25 2>&1 )
              echo "session $i: $(printf '%s' "$out" | tr -d '\\r' | tr '\\n' '|')"
            done
            """
        async let sending = lab.sh(host, client)
        try await Task.sleep(for: .seconds(3))
        let stop = try postfleet(["postmulti", "-g", "mta", "-p", "stop", "--drain", "--drain-deadline", "30s"])
        let log = try await sending
        #expect(stop.status == 0, "\(stop.stdout)\(stop.stderr)")
        #expect(stop.stdout.contains("postfix-in   drained in ") && stop.stdout.contains("postfix-out  drained in "), "\(stop.stdout)")
        #expect(try await masters().values.allSatisfy(\.isEmpty), "the group is stopped")
        #expect(try await lab.sh(host, "nft list table inet postfleet_drain >/dev/null 2>&1 && echo blocked || echo open") == "open\n")

        // Every session: accepted (250 after the message), or refused at connect; none cut after DATA.
        var accepted: [String] = []
        var refused = 0
        for line in log.split(separator: "\n") {
            let number = line.split(separator: ":")[0].split(separator: " ").last.map(String.init) ?? "?"
            if line.contains("250 2.0.0 Ok: queued as") {
                accepted.append(number)
            } else if line.contains("Connection refused") {
                refused += 1
            } else {
                #expect(!line.contains("354 "), "a session was cut after DATA: \(line)")
                refused += 1
            }
        }
        #expect(accepted.count >= 1 && refused >= 1, "the drain happened while the client sent: \(log)")

        // The instances come back, and nothing accepted is lost: all of it reaches the hub.
        let start = try postfleet(["postmulti", "-g", "mta", "-p", "start"])
        #expect(start.status == 0, "\(start.stdout)\(start.stderr)")
        #expect(try await banner().hasPrefix("220 "))
        for number in accepted {
            #expect(try await lab.delivered("pf-drain-\(tag)-\(number)"), "message \(number) was accepted and never delivered")
        }
    }

    @Test func aDrainPastItsDeadlineFailsTheHostStopsNothingAndReopensTheListeners() async throws {
        try rollOut()
        let before = try await masters()
        #expect(before.values.allSatisfy { !$0.isEmpty })
        // A session that stays open (EHLO, then nothing) for 8 s: longer than the 2 s deadline.
        async let idle = lab.sh(host, "{ printf 'EHLO idle\\r\\n'; sleep 8; printf 'QUIT\\r\\n'; } | socat -t 2 - TCP:\(address):25 2>&1 | tr -d '\\r'")
        try await Task.sleep(for: .milliseconds(700))
        let stop = try postfleet(["postmulti", "-g", "mta", "-p", "stop", "--drain", "--drain-deadline", "2s"])
        #expect(stop.status == 2, "\(stop.stdout)\(stop.stderr)")
        #expect(stop.stdout.contains("not drained: at the 2s deadline 1 SMTP session(s) open"), "\(stop.stdout)")
        #expect(try await masters() == before, "nothing was stopped")
        #expect(try await banner().hasPrefix("220 "), "the listener accepts new connections again")
        #expect(try await lab.sh(host, "nft list table inet postfleet_drain >/dev/null 2>&1 && echo blocked || echo open") == "open\n")
        let session = try await idle
        #expect(session.contains("221 2.0.0 Bye"), "the open session went on to its end: \(session)")
    }
}
