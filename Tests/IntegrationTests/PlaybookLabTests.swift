import Foundation
import Testing

/// Playbook features that were only parsed and planned until now, end to end through
/// `postfleet run` on lab hosts: an instance marked `state: absent` (destroyed only when
/// stopped, disabled and its queue empty; refused, with the reason, while it holds mail)
/// and `policy: pause` between batches.
///
/// On `scripts/test`'s lab, mta43..mta45 are this suite's own (``LabHosts``); each test
/// resets its hosts.
@Suite(.cleansUp, .labOf(LabHosts.playbook), .serialized, .timeLimit(.minutes(10)))
struct PlaybookLabTests {
    let lab = Lab.current!

    func postfleet(_ arguments: [String], hosts: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runProcess(Lab.binary, arguments + ["-i", lab.inventoryPath, "--known-hosts", lab.knownHosts,
                                                      "-l", hosts.joined(separator: ":")])
    }

    /// The repository's playbooks in `scratch` (templates included), with `border-spare.yml`:
    /// border-cluster plus a disabled instance postfix-spare in group spare, in `state`.
    func sparePlaybook(in scratch: URL, state: String) throws -> String {
        let books = scratch.appendingPathComponent("playbooks")
        if !FileManager.default.fileExists(atPath: books.path) {
            try FileManager.default.copyItem(at: Lab.repository.appendingPathComponent("playbooks"), to: books)
        }
        let border = try String(contentsOf: books.appendingPathComponent("border-cluster.yml"), encoding: .utf8)
        let path = books.appendingPathComponent("border-spare-\(state).yml")
        try (border.trimmingCharacters(in: .newlines) + """


                - name: postfix-spare
                  group: spare
                  enabled: false
                  state: \(state)
                  main_cf:
                    parameters:
                      # postmulti's new instances take no local submission; this one takes root's.
                      authorized_submit_users: root

            """).write(to: path, atomically: true, encoding: .utf8)
        return path.path
    }

    /// `postmulti -l` names on `host`.
    func instances(_ host: String) async throws -> [String] {
        try await lab.sh(host, "postmulti -l").split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// An instance marked absent while its queue holds a message: the host fails with the
    /// reason, the instance and the message stay. Once the message is gone (taken away by
    /// hand), the next run destroys the instance, and the one after changes nothing.
    @Test func anAbsentInstanceIsDestroyedOnlyOnceItsQueueIsEmpty() async throws {
        let host = "mta43"
        try await lab.resetForTest([host])
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }

        let present = try await postfleet(["run", try sparePlaybook(in: scratch, state: "present")], hosts: [host])
        try #require(present.status == 0, "\(present.stdout)\(present.stderr)")
        #expect(try await instances(host) == ["-", "postfix-out", "postfix-in", "postfix-spare"])
        // A message for the stopped spare instance waits in its maildrop.
        try await lab.sh(host, "printf 'Subject: spare\\n\\nx\\n' | sendmail -C /etc/postfix-spare -f root someone@example.com")
        let queued = "find /var/spool/postfix-spare/maildrop -type f | wc -l"
        #expect(try await lab.sh(host, queued) == "1\n")

        let absent = try sparePlaybook(in: scratch, state: "absent")
        let refused = try await postfleet(["run", absent], hosts: [host])
        #expect(refused.status == 2, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stdout.contains("its queue holds 1 message (postfleet never deletes queued mail)"), "\(refused.stdout)")
        #expect(try await instances(host).contains("postfix-spare"), "the instance was destroyed with mail in its queue")
        #expect(try await lab.sh(host, queued) == "1\n", "the queued message is gone")

        // The administrator deals with the message; then the instance goes.
        try await lab.sh(host, "rm -f /var/spool/postfix-spare/maildrop/*")
        let destroyed = try await postfleet(["run", absent], hosts: [host])
        #expect(destroyed.status == 0, "\(destroyed.stdout)\(destroyed.stderr)")
        #expect(destroyed.stdout.contains("1 host: 0 ok, 1 changed, 0 failed"), "\(destroyed.stdout)")
        #expect(try await instances(host) == ["-", "postfix-out", "postfix-in"])
        #expect(try await lab.sh(host, "postconf -h multi_instance_directories") == "/etc/postfix-out /etc/postfix-in\n")
        #expect(try await lab.sh(host, "test -e /etc/postfix-spare/main.cf && echo left || echo gone") == "gone\n")
        // The other instances run on.
        #expect(try await lab.sh(host, "postfix -c /etc/postfix-in status 2>&1 && postfix -c /etc/postfix-out status 2>&1; echo $?")
                    .hasSuffix("0\n"))

        let again = try await postfleet(["run", absent], hosts: [host])
        #expect(again.status == 0 && again.stdout.contains("1 host: 1 ok, 0 changed, 0 failed"), "\(again.stdout)\(again.stderr)")
    }

    /// `serial: 1` with `pause: 4s`: each host's task stamps the time it ran; consecutive
    /// hosts are at least the pause apart (without it, about a second).
    @Test func aPauseSeparatesTheBatches() async throws {
        let hosts = ["mta43", "mta44", "mta45"]
        let stamps = "/var/lib/pf-pause-stamp"
        for host in hosts { try await lab.sh(host, "rm -f \(stamps)") }
        afterTest { for host in hosts { try await lab.sh(host, "rm -f \(stamps)") } }
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let playbook = scratch.appendingPathComponent("paused.yml").path
        try """
            - name: Paused batches
              hosts: border
              policy:
                serial: 1
                pause: 4s
              tasks:
                - name: stamp
                  command: date +%s.%N > \(stamps)

            """.write(toFile: playbook, atomically: true, encoding: .utf8)
        let run = try await postfleet(["run", playbook], hosts: hosts)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        var times: [Double] = []
        for host in hosts {
            times.append(try #require(Double(try await lab.sh(host, "cat \(stamps)").trimmingCharacters(in: .whitespacesAndNewlines))))
        }
        for (earlier, later) in zip(times, times.dropFirst()) {
            #expect(later - earlier >= 4.0, "batches \(later - earlier) s apart: \(times)")
        }
    }
}

/// With `POSTFLEET_REQUIRE_LAB=1`, a lab too small for PlaybookLabTests is a failure, not a silent skip.
@Suite struct PlaybookLabPresence {
    @Test func theLabIsLargeEnoughWhenRequired() { expectLab(of: LabHosts.playbook, for: "PlaybookLabTests") }
}
