@testable import Engine
import Foundation
import Postfix
import Testing

/// The host lock (``HostLock``): what a holder that did not get the host printed, read
/// back as the one line the report shows; the holder line of this controller with the
/// values of `-e` hidden; and the holder script and the apply guard run for real with
/// `/bin/sh` and `flock(1)`, their lock files moved under /var/tmp.
@Suite struct HostLockTests {
    static let holder = HostLock.Holder(
        run: "20261206T121044Z-37fb", controller: "ctl1.example.com", user: "ops", pid: 4242,
        command: "postfleet run playbooks/border-cluster.yml -e (hidden)", started: "2026-12-06T12:10:44Z")

    // MARK: Reading a refused holder

    @Test func theHolderIsOneJSONLineWithSortedKeys() {
        #expect(Self.holder.json == #"{"command":"postfleet run playbooks/border-cluster.yml -e (hidden)","controller":"ctl1.example.com","pid":4242,"run":"20261206T121044Z-37fb","started":"2026-12-06T12:10:44Z","user":"ops"}"#)
        #expect(!Self.holder.json.contains("\n"), "the holder file's first line is all a refused change reads")
    }

    @Test func aHeldHostNamesTheRunUserControllerPidStartAndCommand() {
        // A login banner before the marker does not matter.
        let stdout = "Welcome to mta1\n@@postfleet lock busy \(Self.holder.json)\n"
        let refusal = HostLock.refusal(stdout: stdout, stderr: "", exitStatus: HostLock.busyStatus)
        #expect(refusal == .held(by: Self.holder, raw: Self.holder.json))
        #expect(HostLockRefused(refusal: refusal, waited: .zero).description
            == "locked by run 20261206T121044Z-37fb by ops@ctl1.example.com (pid 4242), started 2026-12-06T12:10:44Z: postfleet run playbooks/border-cluster.yml -e (hidden)")
        #expect(HostLockRefused(refusal: refusal, waited: .seconds(30)).description
            == "locked by run 20261206T121044Z-37fb by ops@ctl1.example.com (pid 4242), started 2026-12-06T12:10:44Z: postfleet run playbooks/border-cluster.yml -e (hidden) (waited 30s)")
        #expect(HostLockRefused(refusal: refusal, waited: .milliseconds(1500)).description.hasSuffix(" (waited 2s)"))
    }

    @Test func anUnreadableOrMissingHolderStillSaysTheHostIsLocked() {
        let garbled = HostLock.refusal(stdout: "@@postfleet lock busy {\"run\":\"2026", stderr: "", exitStatus: 75)
        #expect(garbled == .held(by: nil, raw: #"{"run":"2026"#))
        #expect(HostLockRefused(refusal: garbled, waited: .zero).description == #"locked by another change ({"run":"2026)"#)
        // The holder file was not there (yet): the marker with nothing after it.
        let missing = HostLock.refusal(stdout: "@@postfleet lock busy \n", stderr: "", exitStatus: 75)
        #expect(missing == .held(by: nil, raw: ""))
        #expect(HostLockRefused(refusal: missing, waited: .seconds(5)).description == "locked by another change (waited 5s)")
    }

    @Test func anApplyScriptOfADeadControllerIsNamedByItsRun() {
        let refusal = HostLock.refusal(stdout: #"@@postfleet lock apply {"run":"20261205T000000Z-dead","pid":777}"# + "\n",
                                       stderr: "", exitStatus: 75)
        #expect(refusal == .applying(run: "20261205T000000Z-dead", raw: #"{"run":"20261205T000000Z-dead","pid":777}"#))
        #expect(HostLockRefused(refusal: refusal, waited: .seconds(10)).description
            == "the apply script of run 20261205T000000Z-dead still runs on the host (its controller is gone) (waited 10s); it ends by itself")
        let unknown = HostLock.refusal(stdout: "@@postfleet lock apply \n", stderr: "", exitStatus: 75)
        #expect(unknown == .applying(run: nil, raw: ""))
        #expect(HostLockRefused(refusal: unknown, waited: .zero).description
            == "the apply script of run (unknown) still runs on the host (its controller is gone); it ends by itself")
    }

    @Test func aLockThatCouldNotBeTakenSaysWhy() {
        let noFlock = HostLock.refusal(stdout: "@@postfleet lock failed flock(1) is not installed on this host (Debian: util-linux)\n",
                                       stderr: "", exitStatus: 1)
        #expect(noFlock == .failed("flock(1) is not installed on this host (Debian: util-linux)"))
        #expect(HostLockRefused(refusal: noFlock, waited: .seconds(9)).description
            == "cannot lock the host: flock(1) is not installed on this host (Debian: util-linux)")
        // No marker at all: what the holder said on stderr, its blank lines dropped.
        let died = HostLock.refusal(stdout: "", stderr: "sh: 1: cannot create /run/lock/postfleet.lock: Read-only file system\n\n   \n  second line  \n",
                                    exitStatus: 2)
        #expect(died == .failed("the lock holder ended with status 2: sh: 1: cannot create /run/lock/postfleet.lock: Read-only file system; second line"))
        #expect(HostLock.refusal(stdout: "", stderr: "", exitStatus: nil) == .failed("the lock holder ended with status none"))
    }

    // MARK: This controller's holder line

    @Test func theCommandLineHidesEveryExtraVarsValue() {
        let arguments = [
            "/usr/local/bin/postfleet", "run", "playbooks/border-cluster.yml", "-i", "inventories/example.yml",
            "-e", "relay_password=S3cret!", "--extra-vars", #"{"token": "abc123"}"#, "--extra-vars=api_key=K3y",
            "-edb_pass=Pw0rd", "-e", "@vault.yml", "--extra-vars=@extra.yml", "--limit", "mta1,mta2", "my play.yml", "it's",
        ]
        let line = LockRequest.commandLine(arguments)
        #expect(line == "postfleet run playbooks/border-cluster.yml -i inventories/example.yml -e (hidden) --extra-vars (hidden) --extra-vars=(hidden) -e(hidden) -e @vault.yml --extra-vars=@extra.yml --limit mta1,mta2 'my play.yml' 'it'\\''s'")
        for secret in ["S3cret", "abc123", "K3y", "Pw0rd", "relay_password", "token", "api_key", "db_pass"] {
            #expect(!line.contains(secret), "\(secret) shows in \(line)")
        }
        // A trailing -e with no value, and --extra-vars= with an empty one.
        #expect(LockRequest.commandLine(["postfleet", "run", "-e"]) == "postfleet run -e")
        #expect(LockRequest.commandLine(["postfleet", "--extra-vars=", "-e", "-e", "x=1"]) == "postfleet --extra-vars=(hidden) -e (hidden) x=1")
    }

    @Test func theCurrentRequestIsThisControllerNow() throws {
        let now = Date(timeIntervalSince1970: 1_796_601_600)  // 2026-12-07T00:00:00Z
        let request = LockRequest.current(run: "20261207T000000Z-beef", arguments: ["/opt/bin/postfleet", "restore", "--run", "20261201T090000Z-a1", "-e", "pw=hunter2"],
                                          wait: .seconds(120), now: now)
        let user = getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) }
        #expect(request.holder.run == "20261207T000000Z-beef")
        #expect(request.holder.started == "2026-12-07T00:00:00Z")
        #expect(request.holder.command == "postfleet restore --run 20261201T090000Z-a1 -e (hidden)")
        #expect(request.holder.user == user)
        #expect(request.holder.pid == getpid())
        #expect(request.holder.controller == ProcessInfo.processInfo.hostName)
        #expect(request.wait == .seconds(120))
        #expect(!request.holder.json.contains("hunter2"))
    }

    // MARK: The holder script and the apply guard, run for real

    /// A directory under /var/tmp standing for /run/lock.
    final class LockDirectory {
        let path: String
        init() throws {
            path = "/var/tmp/postfleet-hostlock-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        /// `script` with every /run/lock path here instead.
        func localized(_ script: String) -> String { script.replacingOccurrences(of: "/run/lock", with: path) }
        func read(_ name: String) -> String? { try? String(contentsOfFile: path + "/" + name, encoding: .utf8) }
    }

    /// A running `/bin/sh -c script` whose stdin stays open until ``end()``.
    final class Running {
        let process = Process()
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        var output = ""

        init(_ script: String) throws {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", script]
            process.standardInput = stdin
            process.standardOutput = stdout
            process.standardError = stderr
            try process.run()
        }

        /// Reads stdout until `line` arrives or stdout ends; whether it arrived.
        func waitFor(_ line: String) -> Bool {
            while !output.contains(line + "\n") {
                let data = stdout.fileHandleForReading.availableData
                if data.isEmpty { return false }
                output += String(decoding: data, as: UTF8.self)
            }
            return true
        }

        /// Closes stdin and waits for the end: the exit status.
        func end() throws -> Int32 {
            try stdin.fileHandleForWriting.close()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    static func run(_ script: String) throws -> (status: Int32, stdout: String, stderr: String) { try runShell(script) }

    static var hasFlock: Bool {
        ["/usr/bin/flock", "/bin/flock"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test func aSecondChangeIsRefusedWithTheFirstOnesHolderUntilTheFirstEnds() throws {
        try #require(Self.hasFlock, "flock(1), of util-linux, is needed")
        let dir = try LockDirectory()
        let first = HostLock.Holder(run: "20261206T121044Z-aaaa", controller: "ctl1", user: "ops", pid: 100,
                                    command: "postfleet run site.yml", started: "2026-12-06T12:10:44Z")
        let second = HostLock.Holder(run: "20261206T121100Z-bbbb", controller: "ctl2", user: "dev", pid: 200,
                                     command: "postfleet exec -a reload", started: "2026-12-06T12:11:00Z")
        let holding = try Running(dir.localized(HostLock.script(holder: first, wait: 0)))
        #expect(holding.waitFor(HostLock.heldLine), "\(holding.output)")
        #expect(dir.read("postfleet.holder") == first.json + "\n")
        #expect(dir.read("postfleet.holder.pid") == "\(holding.process.processIdentifier)\n")

        // At once, and after waiting a second: refused, with the first change's holder.
        for wait in [0, 1] {
            let refused = try Self.run(dir.localized(HostLock.script(holder: second, wait: wait)))
            #expect(refused.status == HostLock.busyStatus, "wait \(wait): \(refused)")
            #expect(!refused.stdout.contains(HostLock.heldLine))
            let refusal = HostLock.refusal(stdout: refused.stdout, stderr: refused.stderr, exitStatus: refused.status)
            #expect(refusal == .held(by: first, raw: first.json), "wait \(wait)")
        }
        #expect(dir.read("postfleet.holder") == first.json + "\n", "a refused change leaves the holder file alone")

        // The first change ends (its stdin closed, as when its connection goes): the lock goes with it.
        #expect(try holding.end() == 0)
        let next = try Self.run(dir.localized(HostLock.script(holder: second, wait: 0)))
        #expect(next.status == 0 && next.stdout.contains(HostLock.heldLine + "\n"), "\(next)")
        #expect(dir.read("postfleet.holder") == second.json + "\n")
    }

    @Test func anApplyScriptStillRunningKeepsTheNextChangeOut() throws {
        try #require(Self.hasFlock, "flock(1), of util-linux, is needed")
        let dir = try LockDirectory()
        // What the apply guard leaves while its script runs: the apply lock held, its run named.
        let applying = try Running(dir.localized(#"""
            exec 8>>/run/lock/postfleet.apply && flock -n 8 || exit 9
            printf '{"run":"%s","pid":%s}\n' 20261205T000000Z-dead "$$" >/run/lock/postfleet.apply
            echo applying
            cat >/dev/null
            """#))
        #expect(applying.waitFor("applying"), "\(applying.output)")
        let next = HostLock.Holder(run: "20261206T121100Z-bbbb", controller: "ctl2", user: "dev", pid: 200,
                                   command: "postfleet run site.yml", started: "2026-12-06T12:11:00Z")
        let refused = try Self.run(dir.localized(HostLock.script(holder: next, wait: 0)))
        #expect(refused.status == HostLock.busyStatus, "\(refused)")
        let refusal = HostLock.refusal(stdout: refused.stdout, stderr: refused.stderr, exitStatus: refused.status)
        guard case let .applying(run, _) = refusal else {
            Issue.record("expected the apply script's refusal, got \(refusal)")
            return
        }
        #expect(run == "20261205T000000Z-dead")
        #expect(try applying.end() == 0)
        let after = try Self.run(dir.localized(HostLock.script(holder: next, wait: 0)))
        #expect(after.status == 0 && after.stdout.contains(HostLock.heldLine), "\(after)")
    }

    /// The apply guard after the prologue's `mark` and `$ID`, then a line that says it went on.
    static func guarded(_ dir: LockDirectory, run: String) -> String {
        MarkedOutput.functions + "\nID='\(run)'\n" + dir.localized(HostLock.applyGuard) + "\necho \"went on HP=$HP\"\n"
    }

    @Test func theApplyGuardGoesOnOnlyWhileTheHolderNamesItsRun() throws {
        try #require(Self.hasFlock, "flock(1), of util-linux, is needed")
        let dir = try LockDirectory()
        let mine = HostLock.Holder(run: "20261206T121044Z-aaaa", controller: "ctl1", user: "ops", pid: 100,
                                   command: "postfleet run site.yml", started: "2026-12-06T12:10:44Z")
        let other = HostLock.Holder(run: "20261206T121100Z-bbbb", controller: "ctl2", user: "dev", pid: 200,
                                    command: "postfleet run site.yml", started: "2026-12-06T12:11:00Z")

        // No holder file: nothing changes.
        var result = try Self.run(Self.guarded(dir, run: mine.run))
        #expect(result.status == 1)
        #expect(result.stderr == "postfleet: the host lock is not held by run 20261206T121044Z-aaaa: nothing changed\n")
        #expect(result.stdout.contains("@@postfleet end failed") && !result.stdout.contains("went on"))

        // The next run's holder is there (this script's controller died on the way): nothing changes.
        try (other.json + "\n").write(toFile: dir.path + "/postfleet.holder", atomically: true, encoding: .utf8)
        try "31337\n".write(toFile: dir.path + "/postfleet.holder.pid", atomically: true, encoding: .utf8)
        result = try Self.run(Self.guarded(dir, run: mine.run))
        #expect(result.status == 1 && result.stderr.contains("the host lock is not held by run 20261206T121044Z-aaaa"))
        #expect(!result.stdout.contains("went on"))

        // Its own holder, as the holder script writes it: it goes on, says so in the apply
        // file, and knows its holder's pid (the record's controller_lost).
        try (mine.json + "\n").write(toFile: dir.path + "/postfleet.holder", atomically: true, encoding: .utf8)
        result = try Self.run(Self.guarded(dir, run: mine.run))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasSuffix("went on HP=31337\n"), "\(result.stdout)")
        let apply = try #require(dir.read("postfleet.apply"))
        #expect(apply.hasPrefix(#"{"run":"20261206T121044Z-aaaa","pid":"#) && apply.hasSuffix("}\n"), "\(apply)")
        // What the apply file says is what a refused holder reads back.
        #expect(HostLock.refusal(stdout: "@@postfleet lock apply " + apply, stderr: "", exitStatus: 75)
            == .applying(run: "20261206T121044Z-aaaa", raw: String(apply.dropLast())))
    }
}
