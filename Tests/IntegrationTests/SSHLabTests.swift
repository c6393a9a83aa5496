import ShellQuoting
import Engine
import Foundation
import Inventory
import SSH
import SSHConfig
import Testing
import Glibc

/// The SSH layer against real OpenSSH servers in the lab.
@Suite(.enabled(if: Lab.isUp, "needs the lab: scripts/lab up 10"), .serialized, .timeLimit(.minutes(10)))
struct SSHLabTests {
    let lab = Lab.current!

    @Test func tenHostsAtOnceEachAnswersWithItsOwnName() async throws {
        let endpoints = try lab.endpoints("mta*").prefix(10)
        try #require(endpoints.count == 10, "the lab needs at least 10 border hosts")
        let outcomes = await runCommand("uname -n", on: Array(endpoints), options: lab.options(), forks: 10)
        for (endpoint, outcome) in zip(endpoints, outcomes) {
            #expect(outcome.status == .ok, "\(outcome.error?.description ?? "")")
            #expect(outcome.result?.stdoutText == "\(endpoint.name)\n")
        }
    }

    @Test func stdoutStderrAndExitStatusAreKeptApart() async throws {
        let session = try await Session.connect(try lab.endpoint("mta1"), options: lab.options())
        let r = try await session.exec("echo out; echo err >&2; printf 'é'; exit 7")
        #expect(r.stdoutText == "out\né")
        #expect(r.stderrText == "err\n")
        #expect(r.exitStatus == 7)
        #expect(r.exitSignal == nil)
        let killed = try await session.exec("kill -TERM $$")
        #expect(killed.exitSignal == "TERM")
        #expect(killed.exitStatus == nil)
        let fed = try await session.exec("tr a-z A-Z", stdin: Array("fed through stdin\n".utf8))
        #expect(fed.stdoutText == "FED THROUGH STDIN\n")
        await session.close()
    }

    @Test func twentyMegabytesArriveByteForByte() async throws {
        let session = try await Session.connect(try lab.endpoint("mta2"), options: lab.options())
        let made = try await session.exec("head -c 20971520 /dev/urandom > /tmp/pf-big && sha256sum /tmp/pf-big | cut -d' ' -f1")
        #expect(made.succeeded)
        let big = try await session.exec("cat /tmp/pf-big; echo tail >&2")
        _ = try await session.exec("rm -f /tmp/pf-big")
        await session.close()
        #expect(big.stdout.count == 20_971_520)
        #expect(big.stderrText == "tail\n")
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let local = scratch.appendingPathComponent("big")
        try Data(big.stdout).write(to: local)
        let sum = try await runProcess("/usr/bin/sha256sum", [local.path]).stdout.split(separator: " ").first.map(String.init)
        #expect(sum == made.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// `postfleet queue` reads a 100,000-message listing this way: the pieces arrive in order,
    /// none larger than one SSH packet, and nothing of them is kept in the result.
    @Test func streamedOutputArrivesInPacketSizedPiecesAndIsNotKept() async throws {
        let session = try await Session.connect(try lab.endpoint("mta2"), options: lab.options())
        final class Tally { var bytes = 0, pieces = 0, largest = 0, lines = 0, last = -1, inOrder = true, pending: [UInt8] = [] }
        let tally = Tally()
        // 300,000 numbered lines, about 2 MB.
        let r = try await session.exec("seq 0 299999; echo done >&2", onStdout: { piece in
            tally.bytes += piece.count
            tally.pieces += 1
            tally.largest = max(tally.largest, piece.count)
            // Lines split as the queue probe's reader splits them: one pass, the tail kept.
            // (Removing each line from the front would be quadratic, and this callback runs on
            // the event loop's thread, which every other session of the test process shares.)
            tally.pending += piece
            var start = tally.pending.startIndex
            while let newline = tally.pending[start...].firstIndex(of: 10) {
                let n = Int(String(decoding: tally.pending[start..<newline], as: UTF8.self)) ?? -2
                if n != tally.last + 1 { tally.inOrder = false }
                tally.last = n
                tally.lines += 1
                start = newline + 1
            }
            tally.pending.removeSubrange(..<start)
        })
        await session.close()
        #expect(r.succeeded)
        #expect(r.stdout.isEmpty, "streamed output must not also be kept")
        #expect(r.stderrText == "done\n")
        #expect(tally.lines == 300_000 && tally.inOrder && tally.pending.isEmpty)
        #expect(tally.largest <= 32_768, "a piece larger than one packet: \(tally.largest)")
        #expect(tally.pieces > 1)
    }

    @Test func putThenGetKeepsContentsModeAndOwner() async throws {
        let session = try await Session.connect(try lab.endpoint("mta3"), options: lab.options())
        let path = "/etc/postfix/pf test's file.cf"
        let contents = Array("myhostname = mta3.example.com\n# ünïcode\n".utf8)
        try await session.put(contents, to: path, mode: 0o640, owner: "root:postfix")
        let file = try await session.get(path)
        #expect(file.contents == contents)
        #expect(file.mode == 0o640)
        #expect(file.owner == "root" && file.group == "postfix")
        // What a user would check on the host, and that no temporary file (.NAME.postfleet.XXXXXX)
        // was left behind; a run's backups (main.cf.postfleet-RUN) are not one.
        let listing = try await session.exec("stat -c '%a %U:%G' \(Shell.quote(path)); ls -a /etc/postfix | grep -c '^\\..*\\.postfleet\\.' || true")
        #expect(listing.stdoutText == "640 root:postfix\n0\n")
        _ = try await session.exec("rm -f \(Shell.quote(path))")
        await #expect(throws: SSHError.self) { try await session.get("/nonexistent/file") }
        await session.close()
    }

    @Test func aChangedHostKeyIsRefusedBeforeAnythingRuns() async throws {
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let other = try await makeKey(in: scratch)
        let otherKey = try String(contentsOfFile: other + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let mta4 = try lab.endpoint("mta4")
        // known_hosts where mta4's entry holds another ed25519 key.
        let lines = try String(contentsOfFile: lab.knownHosts, encoding: .utf8).split(separator: "\n").map { line in
            line.hasPrefix("\(mta4.address) ") ? "\(mta4.address) \(otherKey)" : String(line)
        }
        let forged = scratch.appendingPathComponent("known_hosts").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: forged, atomically: true, encoding: .utf8)

        let marker = "/tmp/pf-marker-\(UUID().uuidString)"
        let outcome = await runCommand("touch \(marker)", on: [mta4], options: lab.options(knownHosts: forged), forks: 1)[0]
        #expect(outcome.status == .unreachable)
        #expect(outcome.error?.phase == .hostKey)
        #expect(outcome.error?.code == .hostKeyMismatch)
        #expect(outcome.error?.description.contains("host key mismatch") == true)
        // Nothing ran: the marker does not exist.
        let check = await runCommand("test -e \(marker)", on: [mta4], options: lab.options(), forks: 1)[0]
        #expect(check.result?.exitStatus == 1)
        // accept-new does not accept a changed key either.
        let again = await runCommand("true", on: [mta4], options: lab.options(knownHosts: forged, policy: .acceptNew), forks: 1)[0]
        #expect(again.error?.code == .hostKeyMismatch)
    }

    @Test func unknownHostsAreRefusedUnderStrictAndRecordedUnderAcceptNew() async throws {
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let empty = scratch.appendingPathComponent("known_hosts").path
        let hosts = try lab.endpoints("mta*").prefix(5).map { $0 }

        let strict = await runCommand("true", on: hosts, options: lab.options(knownHosts: empty), forks: 5)
        #expect(strict.allSatisfy { $0.error?.code == .hostKeyUnknown && $0.error?.phase == .hostKey })
        #expect(!FileManager.default.fileExists(atPath: empty))

        // Five new hosts at once: each recorded exactly once.
        let first = await runCommand("uname -n", on: hosts, options: lab.options(knownHosts: empty, policy: .acceptNew), forks: 5)
        #expect(first.allSatisfy { $0.status == .ok })
        let recorded = try String(contentsOfFile: empty, encoding: .utf8).split(separator: "\n")
        #expect(recorded.count == 5)
        let real = try String(contentsOfFile: lab.knownHosts, encoding: .utf8)
        for host in hosts {
            let line = try #require(recorded.first { $0.hasPrefix("\(host.address) ") })
            #expect(real.contains(line), "recorded key for \(host.name) is the host's real key")
        }
        // The second connection is checked against what was recorded: strict now accepts.
        let second = await runCommand("true", on: hosts, options: lab.options(knownHosts: empty, policy: .strict), forks: 5)
        #expect(second.allSatisfy { $0.status == .ok })
    }

    /// As `ssh` reads them: every UserKnownHostsFile, then every GlobalKnownHostsFile (the
    /// machine's /etc/ssh/ssh_known_hosts by default). A key any of them holds is accepted; a
    /// file holding another key is a mismatch that names that file; accept-new records a new
    /// key in the first user file. Through the command line, with an ssh_config (-F).
    @Test func hostKeysAreCheckedAgainstEveryKnownHostsFileSshReads() async throws {
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let mta4 = try lab.endpoint("mta4")
        let real = try String(contentsOfFile: lab.knownHosts, encoding: .utf8)
        let other = try await makeKey(in: scratch)
        let otherKey = try String(contentsOfFile: other + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        func file(_ name: String, _ text: String?) throws -> String {
            let path = scratch.appendingPathComponent(name).path
            if let text { try text.write(toFile: path, atomically: true, encoding: .utf8) }
            return path
        }
        let global = try file("ssh_known_hosts", real)
        let empty = try file("empty", "")
        let forged = try file("forged", real.split(separator: "\n").map { line in
            line.hasPrefix("\(mta4.address) ") ? "\(mta4.address) \(otherKey)" : String(line)
        }.joined(separator: "\n") + "\n")
        let config = scratch.appendingPathComponent("ssh_config").path
        func exec(user: [String], global: [String], policy: String = "yes") async throws -> (status: Int32, stdout: String, stderr: String) {
            try "Host \(mta4.address)\n  UserKnownHostsFile \(user.joined(separator: " "))\n  GlobalKnownHostsFile \(global.joined(separator: " "))\n  StrictHostKeyChecking \(policy)\n"
                .write(toFile: config, atomically: true, encoding: .utf8)
            return try await runProcess(Lab.binary, ["exec", "-i", lab.inventoryPath, "-l", "mta4", "-F", config, "--connect-attempts", "1",
                                               "--", "uname -n"])
        }

        // Only the global file knows mta4, behind a missing and an empty user file.
        let fromGlobal = try await exec(user: [scratch.appendingPathComponent("missing").path, empty], global: [global])
        #expect(fromGlobal.status == 0 && fromGlobal.stdout.contains("\nmta4\n"), "\(fromGlobal.stdout)\(fromGlobal.stderr)")

        // A global file with another key: a mismatch, and the message names that file.
        let mismatch = try await exec(user: [empty], global: [forged])
        #expect(mismatch.status == 4, "\(mismatch.stdout)")
        #expect(mismatch.stdout.contains("host key mismatch") && mismatch.stdout.contains("ssh-keygen -R \(mta4.address) -f \(forged)"),
                "\(mismatch.stdout)")

        // A file that holds the real key vouches for it, as with ssh, whatever another says.
        let vouched = try await exec(user: [forged], global: [global])
        #expect(vouched.status == 0, "\(vouched.stdout)\(vouched.stderr)")

        // No file knows it: strict names every file it read; accept-new records in the first.
        let first = scratch.appendingPathComponent("first").path, second = scratch.appendingPathComponent("second").path
        let unknown = try await exec(user: [first, second], global: [empty])
        #expect(unknown.status == 4 && unknown.stdout.contains("none of \(first), \(second), \(empty) holds a ssh-ed25519 key"),
                "\(unknown.stdout)")
        let accepted = try await exec(user: [first, second], global: [empty], policy: "accept-new")
        #expect(accepted.status == 0, "\(accepted.stdout)\(accepted.stderr)")
        let recorded = try String(contentsOfFile: first, encoding: .utf8)
        #expect(recorded.hasPrefix("\(mta4.address) ssh-ed25519 ") && real.contains(recorded.dropLast()), "\(recorded)")
        #expect(!FileManager.default.fileExists(atPath: second))
    }

    @Test func aKeyTheHostDoesNotAuthorizeIsAnAuthenticationError() async throws {
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var endpoint = try lab.endpoint("mta5")
        endpoint.identityFiles = [try await makeKey(in: scratch)]
        let outcome = await runCommand("true", on: [endpoint], options: lab.options(), forks: 1)[0]
        #expect(outcome.status == .unreachable)
        #expect(outcome.error?.phase == .auth)
        #expect(outcome.error?.code == .authenticationFailed)
        #expect(outcome.error?.description.contains("authentication failed") == true)
    }

    @Test func aDeadAddressFailsToConnectWithinTheTimeoutWhileOthersFinish() async throws {
        var dead = try lab.endpoint("mta1")
        dead.name = "ghost"
        dead.address = "198.18.0.252"  // inside the lab's range, never a host (border hosts .1-.249, hub .250, bridge .254)
        let live = try lab.endpoints("mta*").prefix(3).map { $0 }
        var options = lab.options()
        options.connectTimeout = .seconds(2)
        let outcomes = await runCommand("uname -n", on: [dead] + live, options: options, forks: 4)
        #expect(outcomes[0].status == .unreachable)
        #expect(outcomes[0].error?.phase == .connect)
        #expect(outcomes.dropFirst().allSatisfy { $0.status == .ok })
        // The 2 s connect timeout fired: without it the kernel gives up on the address itself
        // (no ARP answer, about 3 s: EHOSTUNREACH, code unreachable), and the default timeout
        // is 10 s. The dead host's wall time says little more: it includes waiting for one of
        // the test process's two cooperative threads on a loaded machine.
        #expect(outcomes[0].error?.code == .timeout, "\(String(describing: outcomes[0].error))")
        #expect(outcomes[0].seconds < 30, "the dead host took \(outcomes[0].seconds) s")
    }

    @Test func aCommandPastItsTimeoutFailsAsATimeout() async throws {
        let session = try await Session.connect(try lab.endpoint("mta6"), options: lab.options())
        let clock = ContinuousClock()
        let start = clock.now
        await #expect {
            _ = try await session.exec("sleep 30", timeout: .seconds(1))
        } throws: { error in
            guard let e = error as? SSHError else { return false }
            return e.code == .timeout && e.phase == .exec
        }
        #expect(clock.now - start < .seconds(5))
        await session.close()

        // On the host: the command ends too (timeout(1) there, 2 s after the controller gave
        // up), and no sshd session of that connection is left. Bounded: at most 10 s.
        let marker = "31.\(Int.random(in: 1000...9999))"
        let timedOut = try await Session.connect(try lab.endpoint("mta6"), options: lab.options())
        await #expect(throws: SSHError.self) { _ = try await timedOut.exec("sleep \(marker)", timeout: .seconds(1)) }
        await timedOut.close()
        var left = ""
        for _ in 0..<20 {
            try await Task.sleep(for: .milliseconds(500))
            left = try await Session.with(try lab.endpoint("mta6"), options: lab.options()) { check in
                // The sleep, anywhere on the machine (its marker is unique), and the sshd
                // sessions of mta6 other than this one.
                try await check.exec("""
                    pgrep -f 'slee[p] \(marker)' | sed 's/^/sleep /'
                    me=$(ps -o ppid= -p $PPID | tr -d ' ')
                    for p in $(pgrep -P "$(cat /run/sshd.pid)"); do
                      [ "$p" = "$PPID" ] || [ "$p" = "$me" ] || echo "session $p $(ps -o args= -p "$p")"
                    done
                    true
                    """).stdoutText
            }
            if !left.contains("sleep ") && !left.contains("session ") { break }
        }
        #expect(!left.contains("sleep "), "the timed-out command still runs on mta6: \(left)")
        #expect(!left.contains("session "), "an sshd session is left on mta6: \(left)")
    }

    /// mta7 counts the packets the controller sends to its sshd (an nft counter). While a
    /// command prints nothing, the client sends only keepalives (and acknowledges sshd's
    /// replies): with a 1 s interval, packets flow in a 3 s window; with 60 s (the
    /// control), none do.
    @Test func keepalivesFlowDuringALongCommand() async throws {
        try await lab.onHost("mta7", """
            nft delete table inet pfkeepalive 2>/dev/null
            nft add table inet pfkeepalive && nft add chain inet pfkeepalive input '{ type filter hook input priority 0; }' \
              && nft add rule inet pfkeepalive input ip saddr 198.18.0.254 tcp dport 22 counter
            """)
        func packets() async throws -> Int {
            let listing = try await lab.onHost("mta7", "nft list chain inet pfkeepalive input")
            let field = listing.split(separator: " ").drop { $0 != "packets" }.dropFirst().first
            return Int(field ?? "") ?? -1
        }
        func sentWhileIdle(interval: Duration) async throws -> Int {
            var options = lab.options()
            options.keepaliveInterval = interval
            let session = try await Session.connect(try lab.endpoint("mta7"), options: options)
            async let r = session.exec("sleep 6; echo done")
            try await Task.sleep(for: .seconds(2))  // the command runs
            let before = try await packets()
            try await Task.sleep(for: .seconds(3))
            let after = try await packets()
            #expect(try await r.stdoutText == "done\n")
            await session.close()
            return after - before
        }
        let control = try await sentWhileIdle(interval: .seconds(60))
        let flowing = try await sentWhileIdle(interval: .seconds(1))
        _ = try? await lab.onHost("mta7", "nft delete table inet pfkeepalive")
        #expect(control == 0, "packets while idle without keepalives due: \(control)")
        #expect(flowing >= 2, "packets while idle with a 1 s keepalive: \(flowing)")
    }
}

/// Authentication through a real ssh-agent holding the lab key.
@Suite(.enabled(if: Lab.isUp, "needs the lab: scripts/lab up 10"), .timeLimit(.minutes(10)))
struct AgentLabTests {
    let lab = Lab.current!

    @Test func theAgentsKeyLogsIn() async throws {
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let socket = scratch.appendingPathComponent("agent.sock").path
        // The agent runs in the foreground (-D) as this test's child: no daemon to hold pipes open.
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-agent")
        agent.arguments = ["-D", "-a", socket]
        agent.standardOutput = FileHandle.nullDevice
        agent.standardError = FileHandle.nullDevice
        try agent.run()
        // SIGKILL: a child spawned from a dispatch thread inherits its blocked signals, SIGTERM among them.
        defer { kill(agent.processIdentifier, SIGKILL); agent.waitUntilExit() }
        for _ in 0..<50 where !FileManager.default.fileExists(atPath: socket) { try await Task.sleep(for: .milliseconds(50)) }
        try #require(FileManager.default.fileExists(atPath: socket))
        // An unrelated key first, then the lab's: the agent offers both, the second is accepted.
        let other = try await makeKey(in: scratch)
        #expect(try await runProcess("/usr/bin/ssh-add", [other], environment: ["SSH_AUTH_SOCK": socket]).status == 0)
        #expect(try await runProcess("/usr/bin/ssh-add", [lab.key], environment: ["SSH_AUTH_SOCK": socket]).status == 0)

        var endpoint = try lab.endpoint("mta1")
        endpoint.identityFiles = []
        var options = lab.options()
        options.useAgent = true
        options.agentSocket = socket
        options.defaultIdentityFiles = []
        let session = try await Session.connect(endpoint, options: options)
        let r = try await session.exec("uname -n")
        #expect(r.stdoutText == "mta1\n")
        await session.close()

        // With only the unrelated key in the agent, authentication fails and says what was tried.
        #expect(try await runProcess("/usr/bin/ssh-add", ["-d", lab.key], environment: ["SSH_AUTH_SOCK": socket]).status == 0)
        let failed = await runCommand("true", on: [endpoint], options: options, forks: 1)[0]
        #expect(failed.error?.code == .authenticationFailed)
        #expect(failed.error?.message.contains("ssh-agent (1 key refused)") == true)
    }
}

/// Private key files of every type the issue names, in OpenSSH's own format.
@Suite(.enabled(if: Lab.isUp, "needs the lab: scripts/lab up 10"), .timeLimit(.minutes(10)), .serialized)
struct KeyTypeLabTests {
    let lab = Lab.current!

    func makeKey(_ type: String, _ bits: [String], in scratch: URL) async throws -> (path: String, publicKey: String) {
        let key = scratch.appendingPathComponent("id_\(type)").path
        try await runProcess("/usr/bin/ssh-keygen", ["-q", "-t", type] + bits + ["-N", "", "-f", key])
        #expect(try String(contentsOfFile: key, encoding: .utf8).hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----"))
        return (key, try String(contentsOfFile: key + ".pub", encoding: .utf8))
    }

    /// Authorizes `publicKey` on the host for the duration of `body`, through the lab key.
    func withAuthorized<T>(_ publicKey: String, on host: String, _ body: () async throws -> T) async throws -> T {
        let admin = try await Session.connect(try lab.endpoint(host), options: lab.options())
        #expect(try await admin.exec("cat >> /root/.ssh/authorized_keys", stdin: Array(publicKey.utf8)).succeeded)
        let marker = Shell.quote(String(publicKey.split(separator: " ")[1]))
        let restore = "grep -v -F \(marker) /root/.ssh/authorized_keys > /root/.ssh/ak.new; mv /root/.ssh/ak.new /root/.ssh/authorized_keys"
        do {
            let result = try await body()
            _ = try await admin.exec(restore)
            await admin.close()
            return result
        } catch {
            _ = try? await admin.exec(restore)
            await admin.close()
            throw error
        }
    }

    /// `uname -n` on `host`, logged in with the key file alone, the key authorized meanwhile.
    func loginName(on host: String, with key: (path: String, publicKey: String)) async throws -> String {
        var endpoint = try lab.endpoint(host)
        endpoint.identityFiles = [key.path]
        return try await withAuthorized(key.publicKey, on: host) {
            let session = try await Session.connect(endpoint, options: lab.options())
            let name = try await session.exec("uname -n").stdoutText
            await session.close()
            return name
        }
    }

    @Test(arguments: [("ed25519", [String]()), ("ecdsa", ["-b", "256"]), ("ecdsa", ["-b", "521"])])
    func aKeyFileLogsIn(type: String, bits: [String]) async throws {
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let key = try await makeKey(type, bits, in: scratch)
        #expect(try await loginName(on: "mta8", with: key) == "mta8\n")
    }

    /// A `.pub` beside the key that is another key's public half (renamed, copied over) is
    /// not what postfleet offers: the key itself logs in. (Offered as the key's public half,
    /// the server would refuse the login: the other key is not authorized.)
    @Test func aPublicKeyFileOfAnotherKeyBesideTheKeyDoesNotStopItsLogin() async throws {
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let key = try await makeKey("ed25519", [], in: scratch)
        let other = try await IntegrationTests.makeKey(in: scratch, name: "id_unrelated")
        try FileManager.default.removeItem(atPath: key.path + ".pub")
        try FileManager.default.copyItem(atPath: other + ".pub", toPath: key.path + ".pub")
        #expect(try await loginName(on: "mta8", with: key) == "mta8\n")
    }

    /// Debian 12's libssh2 (1.10) can sign with an RSA key only as ssh-rsa (SHA-1). Under
    /// OpenSSH's defaults that is refused, and the error says why and what to do; a server
    /// that still accepts ssh-rsa (here a second sshd on port 2222) lets the same key in.
    @Test func anRSAKeyFileWorksWhereTheServerAcceptsSSHRSAAndIsExplainedWhereNot() async throws {
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let key = try await makeKey("rsa", ["-b", "3072"], in: scratch)
        var endpoint = try lab.endpoint("mta9")
        endpoint.identityFiles = [key.path]
        let knownHosts = scratch.appendingPathComponent("known_hosts").path
        try await withAuthorized(key.publicKey, on: "mta9") {
            let refused = await runCommand("true", on: [endpoint], options: lab.options(), forks: 1)[0]
            #expect(refused.error?.code == .authenticationFailed)
            #expect(refused.error?.message.contains("ssh-rsa (SHA-1)") == true)
            #expect(refused.error?.message.contains("use an ed25519 or ecdsa key") == true)

            let admin = try await Session.connect(try lab.endpoint("mta9"), options: lab.options())
            let started = try await admin.exec("/usr/sbin/sshd -f /etc/ssh/sshd_config.pflab -p 2222 -o ListenAddress=\(endpoint.address) -o PubkeyAcceptedAlgorithms=+ssh-rsa -o PidFile=/run/sshd-2222.pid -E /var/log/sshd-2222.log && for i in $(seq 50); do ss -ltn | grep -q ':2222 ' && exit 0; sleep 0.1; done; exit 1")
            #expect(started.succeeded, "\(started.stderrText)")
            do {
                var legacy = endpoint
                legacy.port = 2222
                // A port other than 22 is recorded and then checked as [host]:2222.
                let outcome = await runCommand("uname -n", on: [legacy], options: lab.options(knownHosts: knownHosts, policy: .acceptNew), forks: 1)[0]
                #expect(outcome.result?.stdoutText == "mta9\n", "\(outcome.error?.description ?? "")")
                let recorded = try String(contentsOfFile: knownHosts, encoding: .utf8)
                #expect(recorded.hasPrefix("[\(endpoint.address)]:2222 ssh-ed25519 "))
            }
            _ = try await admin.exec("kill $(cat /run/sshd-2222.pid)")
            await admin.close()
        }
    }
}
