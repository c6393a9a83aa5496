import Engine
import Foundation
import Glibc
import Inventory
import SSH
import SSHConfig
import ShellQuoting
import Synchronization
import Testing

/// The lab fleet that `scripts/lab up` brought up, as `scripts/lab env --json` describes it.
///
/// Integration suites run only when a lab is up. `scripts/test` brings one up and sets
/// POSTFLEET_REQUIRE_LAB=1, which turns a missing lab into a failing test instead of
/// a skipped suite.
struct Lab: Sendable {
    let directory: String
    let inventoryPath: String
    let knownHosts: String
    let key: String
    let hostCount: Int
    /// Each border host's init (`systemd` or `postfix`) and the state `up` left it in
    /// (`running`, `satellite`, `noconfig`), in order; empty from a lab script that does not say.
    let hostKinds: [(name: String, initSystem: String, state: String, knowsInit: Bool)]

    /// Whether the lab script says each host's init at all (`scripts/lab up --init systemd`).
    var knowsInit: Bool { hostKinds.contains { $0.knowsInit } }

    /// The border hosts that boot systemd, in order, in `state` (any when nil).
    func systemdHosts(state: String? = "running") -> [String] {
        hostKinds.filter { $0.initSystem == "systemd" && (state == nil || $0.state == state) }.map(\.name)
    }

    /// The lab in `POSTFLEET_LAB` (default /var/tmp/postfleet-lab), or nil when none is up there.
    static let current: Lab? = {
        let dir = ProcessInfo.processInfo.environment["POSTFLEET_LAB"] ?? "/var/tmp/postfleet-lab"
        guard let json = try? describe(dir) else { return nil }
        return Lab(directory: json.dir, inventoryPath: json.inventory, knownHosts: json.knownHosts,
                   key: json.key, hostCount: json.hostCount,
                   hostKinds: (json.hosts ?? []).map { ($0.name, $0.`init` ?? "postfix", $0.state ?? "running", $0.`init` != nil) })
    }()

    /// The fields of `scripts/lab env --json` (schema postfleet.lab/1) the tests read.
    private struct Description: Decodable {
        let dir, inventory, knownHosts, key: String
        let hostCount: Int
        let hosts: [HostDescription]?
    }

    private struct HostDescription: Decodable {
        let name: String
        let `init`: String?
        let state: String?
    }

    /// Runs `scripts/lab env --json --dir DIR`; nil when it fails (no lab in DIR).
    private static func describe(_ dir: String) throws -> Description? {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("pf-lab-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let status = try runUnblockedNow([repository.appendingPathComponent("scripts/lab").path, "env", "--json", "--dir", dir],
                                         log: log, seconds: 30)
        guard status == 0, let data = FileManager.default.contents(atPath: log) else { return nil }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Description.self, from: data)
    }

    static var isUp: Bool { current != nil }

    var inventory: Inventory { get throws { try Inventory.load(path: inventoryPath) } }

    func endpoints(_ pattern: String) throws -> [Endpoint] {
        try inventory.select(pattern).map { Endpoint($0, defaults: ConnectionDefaults()) }
    }

    func endpoint(_ name: String) throws -> Endpoint {
        try #require(try endpoints(name).first)
    }

    func options(knownHosts: String? = nil, policy: HostKeyPolicy = .strict) -> ConnectionOptions {
        var o = ConnectionOptions(knownHostsFile: knownHosts ?? self.knownHosts)
        o.hostKeyPolicy = policy
        o.useAgent = false
        // Generous deadlines: at the start of phase 1, 800 unit tests and every lab suite
        // share two cores, and 20 s handshakes and logins timed out on healthy hosts (CI).
        // A test of a deadline sets its own.
        o.connectTimeout = .seconds(30)
        o.handshakeTimeout = .seconds(120)
        o.authTimeout = .seconds(120)
        return o
    }

    /// A scratch directory for one test, removed by the caller.
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pf-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

extension Lab {
    /// The repository, for its scripts and playbooks.
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The postfleet under test: `POSTFLEET_BIN`, else the debug build.
    static var binary: String {
        ProcessInfo.processInfo.environment["POSTFLEET_BIN"] ?? repository.appendingPathComponent(".build/debug/postfleet").path
    }

    /// `scripts/lab ARGS` with this lab's directory (`reset mta24`, `exec ...`); it must exit
    /// 0. Returns what it printed (stdout and stderr).
    @discardableResult
    func script(_ arguments: [String], seconds: Double = 60) async throws -> String {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("pf-lab-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        // A reset rebuilds hosts (and boots the ones that run systemd): it takes a slot.
        let status = try await ProgramSlots.run(queued: arguments[0] == "reset", label: "scripts/lab " + arguments.prefix(4).joined(separator: " ")) {
            try await runUnblocked([Self.repository.appendingPathComponent("scripts/lab").path, arguments[0], "--dir", directory]
                                   + arguments.dropFirst(), log: log, seconds: seconds)
        }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        try #require(status == 0, "scripts/lab \(arguments.joined(separator: " ")): \(output)")
        return output
    }

    /// A shell command as root on `host`, inside its namespaces (`scripts/lab exec`), not
    /// over SSH: behind postfleet's back, and absent from the host's sshd log. It must exit
    /// 0; returns what it printed.
    @discardableResult
    func onHost(_ host: String, _ command: String) async throws -> String {
        try await script(["exec", host, "--", "sh", "-c", command])
    }
}

extension Lab {
    /// An inventory of `host` alone in group border, at its lab address, logging in as
    /// `user` with the lab key, with the variables the border-cluster playbook needs and
    /// `hostVars` (`"ansible_become: true"`); returns its path.
    func borderInventory(in dir: URL, host: String, user: String, hostVars: [String] = []) throws -> String {
        let path = dir.appendingPathComponent("inventory.yml").path
        try """
            all:
              vars:
                ansible_ssh_private_key_file: \(key)
                domain: example.com
                admin: mtaadmin
                mailhub: mailhub.example.com
              children:
                border:
                  hosts:
                    \(host):
                      ansible_host: \(try endpoint(host).address)
                      border_address: \(try endpoint(host).address)
                      ansible_user: \(user)
            \(hostVars.map { "          \($0)\n" }.joined())
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Two logins on `host` with the lab key: `pfadmin`, who may run anything as root through
    /// sudo without a password, and `pfpw`, whose sudo asks for one. sudo logs every command
    /// it runs to /var/log/sudo.log, one line each. `scripts/lab reset` takes it all away again.
    func addSudoUsers(on host: String) async throws {
        try await onHost(host, """
            set -e
            mkdir -p /var/lib/pflab-home
            for u in pfadmin pfpw; do
              useradd -m -d /var/lib/pflab-home/$u -s /bin/bash $u
              usermod -p '*' $u  # no password, but not locked: sshd lets the key in
              install -d -m 0700 -o $u -g $u /var/lib/pflab-home/$u/.ssh
              install -m 0600 -o $u -g $u \(key).pub /var/lib/pflab-home/$u/.ssh/authorized_keys
            done
            printf '%s\\n' 'Defaults logfile=/var/log/sudo.log' 'Defaults loglinelen=0' \\
              'pfadmin ALL=(ALL) NOPASSWD: ALL' 'pfpw ALL=(ALL) ALL' >/etc/sudoers.d/pflab
            chmod 0440 /etc/sudoers.d/pflab
            """)
    }
}

extension Lab {
    /// A login on `host` that has no key, only `password`: `pfpass`, for whom sshd accepts
    /// passwords (a `Match User` block; every other login still needs a key) and whose sudo
    /// asks for the same password. sudo logs to /var/log/sudo.log. `scripts/lab reset` takes
    /// it all away again (the host's sshd_config is written anew).
    func addPasswordUser(on host: String, password: String) async throws {
        try await onHost(host, """
            set -e
            mkdir -p /var/lib/pflab-home
            useradd -m -d /var/lib/pflab-home/pfpass -s /bin/bash pfpass
            printf 'pfpass:%s\\n' \(Shell.quote(password)) | chpasswd
            printf '%s\\n' 'Defaults logfile=/var/log/sudo.log' 'Defaults loglinelen=0' 'pfpass ALL=(ALL) ALL' >/etc/sudoers.d/pflab-pass
            chmod 0440 /etc/sudoers.d/pflab-pass
            printf '%s\\n' 'Match User pfpass' '  PasswordAuthentication yes' >>/etc/ssh/sshd_config.pflab
            old=$(cat /run/sshd.pid)
            kill -HUP "$old"
            # sshd re-executes itself; ready when it listens again (bounded: 5 s).
            for _ in $(seq 50); do
              sleep 0.1
              ss -ltn | grep -q ':22 ' && break
            done
            ss -ltn | grep -q ':22 '
            """)
    }
}

/// Fails the run when the lab was required and is not there, so CI cannot pass by skipping.
@Suite struct LabPresence {
    @Test func labIsUpWhenRequired() {
        if ProcessInfo.processInfo.environment["POSTFLEET_REQUIRE_LAB"] == "1" {
            #expect(Lab.isUp, "POSTFLEET_REQUIRE_LAB=1 but `scripts/lab env --json` found no lab: run scripts/lab up N")
        }
    }
}

/// How many border hosts each suite that needs more than a few uses (mta1..mtaN). Every
/// suite has hosts of its own, so that all of them run at once on scripts/test's one lab of
/// 55 hosts: mta1..mta27 the suites of ordinary hosts, mta28..mta39
/// the fresh-install and systemd suites, then ChangeLab mta40..42, PlaybookLab mta43..45,
/// QueueLab mta46..48, DrainLab mta49, TLSLab mta50..52 and PackageLab mta53..55.
enum LabHosts {
    static let run = 13
    static let rolling = 23
    static let drift = 24
    static let access = 27
    static let jump = 27
    static let change = 42
    static let playbook = 45
    static let queue = 48
    static let drain = 49
    static let tls = 52
    static let package = 55
}

extension Trait where Self == ConditionTrait {
    /// Runs the suite or test only on a lab of at least `hosts` border hosts. Each suite
    /// that needs more than one has a `...Presence` suite beside it (``expectLab(of:for:)``),
    /// named so that a filter for the one selects the other.
    static func labOf(_ hosts: Int) -> Self {
        .enabled(if: (Lab.current?.hostCount ?? 0) >= hosts, "needs a lab of \(hosts) hosts: scripts/lab up \(hosts)")
    }
}

/// With POSTFLEET_REQUIRE_LAB=1, fails unless the lab has at least `hosts` border hosts:
/// `suite` would otherwise be skipped and the run stay green without it.
func expectLab(of hosts: Int, for suite: String) {
    guard ProcessInfo.processInfo.environment["POSTFLEET_REQUIRE_LAB"] == "1" else { return }
    let count = Lab.current?.hostCount ?? 0
    #expect(count >= hosts, "POSTFLEET_REQUIRE_LAB=1 but the lab has \(count) border hosts and \(suite) needs \(hosts): scripts/lab up \(hosts)")
}

/// Runs a program to completion (at most `seconds`, then it is killed) and returns its
/// exit status and output, without holding a thread while it waits: the test process has
/// two cooperative threads on this machine, and a test that blocked them starved the
/// in-process SSH sessions of the tests running beside it (their handshakes timed out, and a
/// run held open by one test outlived its hold before the test could go on). Its output
/// goes to files, not pipes, so a daemon it leaves behind cannot keep the caller waiting.
///
/// postfleet, run without an `environment`, writes no retry file: many tests run the
/// repository's own playbook with hosts that fail on purpose, and a `.retry` file beside
/// it would be left in the checkout. A test of retry files passes an environment.
///
/// A run of postfleet waits for one of ``ProgramSlots``' two slots first (`queued`), and
/// its `seconds` count from when it starts.
@discardableResult
func runProcess(_ path: String, _ args: [String], environment: [String: String]? = nil, seconds: Double = 240,
                directory: String? = nil, queued: Bool? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
    try await ProgramSlots.run(queued: queued ?? (path == Lab.binary),
                               label: ([URL(fileURLWithPath: path).lastPathComponent] + args.prefix(6)).joined(separator: " ")) {
        try await runNow(path, args, environment: environment, seconds: seconds, directory: directory)
    }
}

private func runNow(_ path: String, _ args: [String], environment: [String: String]?, seconds: Double,
                    directory: String?) async throws -> (status: Int32, stdout: String, stderr: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let environment {
        p.environment = environment
    } else if path == Lab.binary {
        p.environment = ProcessInfo.processInfo.environment.merging(["ANSIBLE_RETRY_FILES_ENABLED": "false"]) { _, off in off }
    }
    let out = try OutputFile(), err = try OutputFile()
    defer { out.remove(); err.remove() }
    p.standardOutput = out.handle
    p.standardError = err.handle
    p.standardInput = FileHandle.nullDevice
    if try await launch(p, seconds: seconds) {
        Issue.record("\(path) \(args.joined(separator: " ")) did not finish within \(seconds) s")
    }
    return (p.terminationStatus, out.text(), err.text())
}

/// At most two heavy lab programs at once (postfleet's runs and `scripts/lab reset`), in the
/// order they asked. The suites run in parallel and the lab's hosts share the machine's two
/// cores: with every suite's rollout at once, one-host rollouts took more than 120 s in CI,
/// where two at a time (what two blocked threads used to allow) took 10 to 30 s. Three at a
/// time, tried with every suite on one lab, slowed the unit tests beside them sevenfold (a
/// 4 s hostile-input test passed its 30 s bound) and made nothing finish sooner. A test's
/// time limit counts its wait here, which with every suite on one lab reached 7 minutes:
/// every lab suite's limit is 10 minutes, a bound on a hang, as each program has its own.
/// A test that must act while a run it started holds the hosts (ChangeLabTests) runs its own
/// programs unqueued, so that no other suite's rollout delays it past the hold.
actor ProgramSlots {
    static let shared = ProgramSlots(2)

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { free = count }

    /// With POSTFLEET_TEST_SLOT_LOG=FILE, each queued program adds a line to FILE: the test,
    /// the seconds it waited for a slot, the seconds it held one, and `label`. This is how
    /// CI's time is measured (docs/TESTS.md, "How long CI takes").
    static let logPath = ProcessInfo.processInfo.environment["POSTFLEET_TEST_SLOT_LOG"]

    /// `body` in a slot when `queued`, else at once.
    static func run<T>(queued: Bool, label: String, _ body: () async throws -> T) async throws -> T {
        guard queued else { return try await body() }
        let asked = ContinuousClock.now
        await shared.acquire()
        let began = ContinuousClock.now
        defer { log(label, waited: began - asked, held: .now - began) }
        do {
            let result = try await body()
            await shared.release()
            return result
        } catch {
            await shared.release()
            throw error
        }
    }

    private static func log(_ label: String, waited: Duration, held: Duration) {
        guard let logPath else { return }
        func seconds(_ d: Duration) -> String { String(format: "%.1f", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) }
        let line = "\(Test.current?.name ?? "-")\t\(seconds(waited))\t\(seconds(held))\t\(label.replacingOccurrences(of: "\n", with: " "))\n"
        // O_APPEND: each line is one write, whole, whichever test wrote it.
        let fd = open(logPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        _ = line.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

/// A temporary file a child process writes its output to.
struct OutputFile {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("pf-out-\(UUID().uuidString)")
    let handle: FileHandle

    init() throws {
        FileManager.default.createFile(atPath: url.path, contents: nil)
        handle = try FileHandle(forWritingTo: url)
    }

    func text() -> String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }

    func remove() {
        try? handle.close()
        try? FileManager.default.removeItem(at: url)
    }
}

/// Starts `p` and waits for it to exit without holding a thread (Foundation calls the
/// termination handler); after `seconds` it is killed. Returns whether it was killed.
func launch(_ p: Process, seconds: Double) async throws -> Bool {
    let killed = Killed()
    try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
        p.terminationHandler = { _ in done.resume() }
        do {
            try p.run()
        } catch {
            p.terminationHandler = nil
            done.resume(throwing: error)
            return
        }
        let pid = p.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            // SIGTERM may be blocked in a child of a dispatch thread.
            if p.isRunning { killed.set(); kill(pid, SIGKILL) }
        }
    }
    return killed.value
}

/// Whether a deadline killed a process.
final class Killed: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set() { lock.withLock { flag = true } }
    var value: Bool { lock.withLock { flag } }
}

func makeKey(in dir: URL, name: String = "id_other") async throws -> String {
    let path = dir.appendingPathComponent(name).path
    try await runProcess("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path])
    return path
}

/// Runs a program with every signal unblocked and at its default action, its output in
/// `log`, and waits for it without holding a thread (at most `seconds`, then it is killed).
/// For programs that wait for children (bash's `wait`, `timeout`): a process started from a
/// test's thread would inherit that thread's blocked SIGCHLD and wait for ever. Its daemons
/// inherit the log file, not a pipe, so they cannot keep the caller waiting either.
func runUnblocked(_ argv: [String], log: String, seconds: Double = 120) async throws -> Int32 {
    let child = try Unblocked(argv, log: log, seconds: seconds)
    while true {
        if let status = child.reap() {
            if child.killed { Issue.record("\(argv.joined(separator: " ")) did not finish within \(seconds) s") }
            return status
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// ``runUnblocked(_:log:seconds:)`` for the one caller that cannot wait asynchronously: the
/// lab's description, read once when a suite first asks for it (`scripts/lab env` takes
/// milliseconds).
func runUnblockedNow(_ argv: [String], log: String, seconds: Double) throws -> Int32 {
    let child = try Unblocked(argv, log: log, seconds: seconds)
    while true {
        if let status = child.reap() { return status }
        usleep(10_000)
    }
}

/// A child spawned with every signal unblocked, and the time it has.
private final class Unblocked {
    let pid: pid_t
    let deadline: Date
    private(set) var killed = false

    init(_ argv: [String], log: String, seconds: Double) throws {
        pid = try spawnUnblocked(argv, log: log)
        deadline = Date().addingTimeInterval(seconds)
    }

    /// Its exit code once it has exited (128 + N for signal N; -1 when killed past its
    /// deadline), nil while it runs.
    func reap() -> Int32? {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) != 0 { return exitCode(status) }
        guard Date() > deadline else { return nil }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        killed = true
        return -1
    }
}

private func exitCode(_ status: Int32) -> Int32 {
    (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
}

private func spawnUnblocked(_ argv: [String], log: String) throws -> pid_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t(), all = sigset_t()
    sigemptyset(&none)
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    // Nothing else of the test process: a descriptor another test holds open for writing
    // (a script it is writing, then runs) would otherwise stay open in this child for as
    // long as it runs, and running that script fail with "Text file busy" (seen in CI).
    _ = spawnCloseFrom(&actions, 3)
    var pid: pid_t = 0
    let cArgs = argv.map { strdup($0) } + [nil]
    defer { cArgs.forEach { free($0) } }
    let rc = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, environ)
    guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
    return pid
}

extension Lab {
    /// A command's stdout on a lab host, over SSH; fails the test on a non-zero exit.
    @discardableResult
    func sh(_ host: String, _ command: String) async throws -> String {
        try await Session.with(try endpoint(host), options: options()) { session in
            let r = try await session.exec(command)
            #expect(r.succeeded, "\(host): \(command): \(r.stderrText)")
            return r.stdoutText
        }
    }

    /// Waits (at most 30 s) until the hub's mailbox holds a message with `subject`.
    func delivered(_ subject: String) async throws -> Bool {
        let mailbox = ProcessInfo.processInfo.environment["POSTFLEET_LAB_MAILBOX"]
            ?? directory + "/hosts/mailhub/upper/mail/vhosts/example.com/catchall"
        for _ in 0..<60 {
            if let text = try? String(contentsOfFile: mailbox, encoding: .utf8), text.contains("Subject: \(subject)\n") { return true }
            try await Task.sleep(for: .milliseconds(500))
        }
        return false
    }
}

/// What a lab test puts back when it ends, awaited: a `defer` cannot await, and a cleanup
/// that blocked its thread (a host's reset takes seconds; a host that boots systemd, up to
/// two minutes) would starve the tests running beside it. A suite marked `.cleansUp` runs
/// every action a test registered with ``afterTest(_:)``, last first, when the test ends,
/// whether it passed, failed or threw.
struct CleansUp: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    @TaskLocal static var pending: Pending?

    final class Pending: @unchecked Sendable {
        private let lock = NSLock()
        private var actions: [(run: @Sendable () async throws -> Void, resets: [String]?)] = []
        /// The hosts the test before it in its suite left as `scripts/lab up` did: reset
        /// by its last cleanup action (``Lab/resetForTest(_:seconds:)``).
        let freshAtStart: Set<String>
        /// The hosts this test's cleanup reset with nothing run after the reset.
        private(set) var freshAtEnd: Set<String> = []

        init(freshAtStart: Set<String>) { self.freshAtStart = freshAtStart }

        func add(_ action: @escaping @Sendable () async throws -> Void, resets: [String]? = nil) {
            lock.withLock { actions.append((action, resets)) }
        }

        func runAll() async {
            let all = lock.withLock { defer { actions = [] }; return actions }
            for action in all.reversed() {
                do {
                    try await action.run()
                    freshAtEnd = action.resets.map { freshAtEnd.union($0) } ?? []
                } catch {
                    freshAtEnd = []
                    Issue.record("a test's cleanup failed: \(error)")
                }
            }
        }
    }

    /// Per suite, the hosts its last test's cleanup reset (``Pending/freshAtEnd``). A suite
    /// owns its hosts (``LabHosts``) and runs its tests one at a time, so they are as `up`
    /// left them until its next test starts; that test takes them, and any test after it
    /// finds only what its own predecessor left.
    private static let fresh = Mutex<[String: Set<String>]>([:])

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }
        // A test function's ID is its suite's, its name, then its source location.
        var suite: String? = nil
        if let function = test.id.parent, String(describing: function).hasSuffix("/" + test.name), let parent = function.parent {
            suite = String(describing: parent)
        }
        let pending = Pending(freshAtStart: suite.flatMap { key in Self.fresh.withLock { $0.removeValue(forKey: key) } } ?? [])
        do {
            try await Self.$pending.withValue(pending) { try await function() }
        } catch {
            await pending.runAll()
            throw error
        }
        await pending.runAll()
        if let suite { Self.fresh.withLock { $0[suite] = pending.freshAtEnd } }
    }
}

extension Lab {
    /// `hosts` as `scripts/lab up` left them, for this test and again once it ends (whatever
    /// happens), in a suite marked `.cleansUp`. Hosts the previous test of the suite reset as
    /// it ended, which nothing has touched since, are not reset a second time: in CI's lab
    /// every suite's tests reset their hosts at both ends, and back-to-back resets were about
    /// a tenth of the time the lab's programs held their slots (``ProgramSlots``).
    func resetForTest(_ hosts: [String], seconds: Double = 60) async throws {
        guard let pending = CleansUp.pending else {
            Issue.record("resetForTest outside a suite marked .cleansUp: the hosts would not be reset after the test")
            return
        }
        if !Set(hosts).isSubset(of: pending.freshAtStart) {
            try await script(["reset"] + hosts, seconds: seconds)
        }
        pending.add({ try await script(["reset"] + hosts, seconds: seconds) }, resets: hosts)
    }
}

extension Trait where Self == CleansUp {
    /// Runs what each test registers with ``afterTest(_:)`` when it ends.
    static var cleansUp: Self { CleansUp() }
}

/// Registers `action` to run, awaited, when the current test ends (in a suite marked
/// `.cleansUp`): the lab test's `defer`.
func afterTest(_ action: @escaping @Sendable () async throws -> Void) {
    guard let pending = CleansUp.pending else {
        Issue.record("afterTest outside a suite marked .cleansUp: the cleanup would never run")
        return
    }
    pending.add(action)
}

extension Lab {
    /// The addresses and ports `host`'s sshd has had a connection from, one per connection
    /// in order (the lab's sshd logs each at LogLevel VERBOSE: "Connection from 198.18.0.254
    /// port 40112 on ..."), read behind postfleet's back.
    func sshdConnections(_ host: String) async throws -> [String] {
        try await onHost(host, "sed -n 's/^Connection from \\([0-9.]* port [0-9]*\\) on .*/\\1/p' /var/log/sshd.log")
            .split(separator: "\n").map(String.init)
    }
}

/// A TCP listener on loopback that never answers: an inventory host that points at it
/// (``inventoryEntry``) shows whether postfleet connected to it at all, because a
/// connection waits in the listener's backlog whether or not anyone accepts it.
final class Canary {
    let port: UInt16
    private let fd: Int32

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, pointer, &length) == 0
            }
        }
        guard bound, fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK) == 0 else {
            let error = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EINVAL)
            close(listener)
            throw error
        }
        fd = listener
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(fd) }

    /// An inventory host line (YAML, under `hosts:`) for a host named `name` at the canary.
    func inventoryEntry(_ name: String = "canary") -> String {
        "\(name): {ansible_host: 127.0.0.1, ansible_port: \(port)}"
    }

    /// How many connections arrived since the last call; each is closed at once, so a
    /// client waiting on one sees it end.
    func connections() -> Int {
        var count = 0
        while true {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return count }
            close(client)
            count += 1
        }
    }
}
