import Foundation
import Glibc
import SSH
import Testing

/// `postfleet exec` as a user runs it: output, exit codes, JSON.
@Suite(.enabled(if: Lab.isUp, "needs the lab: scripts/lab up 10"), .serialized, .timeLimit(.minutes(10)))
struct ExecCommandTests {
    let lab = Lab.current!

    /// The binary `swift build` made (scripts/test sets POSTFLEET_BIN).
    var binary: String {
        if let path = ProcessInfo.processInfo.environment["POSTFLEET_BIN"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/postfleet").path
    }

    func postfleet(_ args: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runProcess(binary, args)
    }

    var common: [String] { ["-i", lab.inventoryPath, "--known-hosts", lab.knownHosts] }

    @Test func allOkGroupsIdenticalOutputAndExitsZero() async throws {
        // Output every host shares whatever other suites do to its instances meanwhile; not
        // mta11..mta13, which RunLabTests resets (they are briefly unreachable then).
        let r = try await postfleet(["exec"] + common + ["-l", (1...10).map { "mta\($0)" }.joined(separator: ":"), "--", "postconf", "-h", "mail_version"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("mta[1-10] (10)"), "\(r.stdout)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.contains { $0.split(separator: ".").count == 3 && $0.allSatisfy { $0.isNumber || $0 == "." } }, "\(r.stdout)")
        #expect(r.stdout.contains("ok=10 failed=0 unreachable=0"))
    }

    /// 40 sessions at once under a soft limit of 24 open files, as a login shell's 1,024
    /// is to `--forks 1000`: postfleet raises the soft limit to the hard one and every
    /// session opens, where without it the hosts past the limit fail with "Too many open files".
    @Test func moreSessionsThanTheSoftLimitOnOpenFiles() async throws {
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var yaml = "all:\n  vars:\n    ansible_ssh_private_key_file: \(lab.key)\n  hosts:\n"
        for k in 1...10 {
            let address = try lab.endpoint("mta\(k)").address
            for name in ["a", "b", "c", "d"] { yaml += "    mta\(k)\(name):\n      ansible_host: \(address)\n" }
        }
        let inventory = scratch.appendingPathComponent("sessions.yml").path
        try yaml.write(toFile: inventory, atomically: true, encoding: .utf8)
        var hard = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &hard)
        try #require(hard.rlim_max >= 256, "the hard limit on open files here is \(hard.rlim_max)")
        let r = try await runProcess("/usr/bin/prlimit", ["--nofile=24:\(hard.rlim_max)", binary, "exec", "-i", inventory,
                                                    "--known-hosts", lab.knownHosts, "-f", "40", "--", "uname -n"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("ok=40 failed=0 unreachable=0"), "\(r.stdout)")
        #expect(!r.stdout.contains("Too many open files"), "\(r.stdout)")
    }

    @Test func oneFailingHostMakesExitTwoAndJSONSaysWhy() async throws {
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let json = scratch.appendingPathComponent("out.json").path
        let r = try await postfleet(["exec"] + common + ["-l", "mta1:mta2:mta3", "--json", json, "--", "test $(uname -n) != mta2 || { echo no >&2; exit 3; }"])
        #expect(r.status == 2)
        #expect(r.stdout.contains("mta2 (1): exit status 3"))
        #expect(r.stdout.contains("ok=2 failed=1 unreachable=0"))
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        let hosts = doc["hosts"] as! [String: [String: Any]]
        #expect(hosts["mta2"]?["status"] as? String == "failed")
        #expect(hosts["mta2"]?["exit_status"] as? Int == 3)
        #expect(hosts["mta2"]?["stderr"] as? String == "no\n")
        #expect(hosts["mta1"]?["status"] as? String == "ok")
        #expect((doc["summary"] as? [String: Any])?["failed"] as? Int == 1)
    }

    @Test func unreachableOnlyExitsFour() async throws {
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inventory = scratch.appendingPathComponent("inv.yml").path
        try """
            all:
              vars:
                ansible_user: root
                ansible_ssh_private_key_file: \(lab.key)
              hosts:
                mta1:
                  ansible_host: 198.18.0.1
                ghost:
                  ansible_host: 198.18.0.252
            """.write(toFile: inventory, atomically: true, encoding: .utf8)
        let r = try await postfleet(["exec", "-i", inventory, "--known-hosts", lab.knownHosts, "--connect-timeout", "2", "--", "true"])
        #expect(r.status == 4)
        #expect(r.stdout.contains("ghost (1): unreachable"))
        #expect(r.stdout.contains("ghost (198.18.0.252:22): connect:") || r.stdout.contains("error: connect:"))
    }

    /// Bad input exits 1 before any connection: every inventory below names `canary`, a
    /// listener on loopback, and none of the runs leaves a connection in its backlog. The
    /// same inventory with good input does connect (the canary can fail the test).
    @Test func badInputExitsOneAndContactsNoHost() async throws {
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let canary = try Canary()
        let inventory = scratch.appendingPathComponent("inventory.yml").path
        try "all:\n  hosts:\n    \(canary.inventoryEntry())\n".write(toFile: inventory, atomically: true, encoding: .utf8)
        let withCanary = ["-i", inventory, "--known-hosts", lab.knownHosts, "--connect-attempts", "1"]

        let broken = scratch.appendingPathComponent("broken.yml").path
        try "all:\n  hosts:\n    \(canary.inventoryEntry())\n    mta1:\n      ansible_host: [198.18.0.1\n"
            .write(toFile: broken, atomically: true, encoding: .utf8)
        let r1 = try await postfleet(["exec", "-i", broken, "--", "true"])
        #expect(r1.status == 1)
        #expect(r1.stderr.contains("broken.yml:6:1: error: invalid YAML"), "\(r1.stderr)")
        let r2 = try await postfleet(["exec"] + withCanary + ["-l", "nosuchgroup", "--", "true"])
        #expect(r2.status == 1, "\(r2.stderr)")
        let r3 = try await postfleet(["exec"] + withCanary + ["--host-key-policy", "maybe", "--", "true"])
        #expect(r3.status == 1)
        #expect(r3.stderr.contains("strict, accept-new, off"))
        let r4 = try await postfleet(["exec"] + withCanary)
        #expect(r4.status == 1, "\(r4.stderr)")
        for r in [r1, r2, r3, r4] { #expect(r.stdout.isEmpty, "\(r.stdout)") }
        #expect(canary.connections() == 0, "bad input connected to a host")

        // The control: good input reaches the canary (which closes the connection at once).
        // Not queued for a slot: its 20 s to reach the canary must not count a wait behind
        // other suites' rollouts (a CI run waited longer and failed here); it contacts only
        // the canary, on loopback.
        async let good = runProcess(binary, ["exec"] + withCanary + ["--", "true"], queued: false)
        var reached = 0
        for _ in 0..<200 where reached == 0 {  // at most 20 s
            try await Task.sleep(for: .milliseconds(100))
            reached = canary.connections()
        }
        #expect(reached == 1, "good input did not reach the canary: the check above proves nothing")
        let control = try await good
        #expect(control.status == 4, "\(control.stdout)\(control.stderr)")
    }
}
