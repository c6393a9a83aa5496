import Engine
import Foundation
import Glibc
import Inventory
import SSH
import SSHConfig
import ShellQuoting
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
        let status = try runUnblocked([repository.appendingPathComponent("scripts/lab").path, "env", "--json", "--dir", dir],
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
        o.connectTimeout = .seconds(3)
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
    func script(_ arguments: [String], seconds: Double = 60) throws -> String {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("pf-lab-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let status = try runUnblocked([Self.repository.appendingPathComponent("scripts/lab").path, arguments[0], "--dir", directory]
                                      + arguments.dropFirst(), log: log, seconds: seconds)
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        try #require(status == 0, "scripts/lab \(arguments.joined(separator: " ")): \(output)")
        return output
    }

    /// A shell command as root on `host`, inside its namespaces (`scripts/lab exec`), not
    /// over SSH: behind postfleet's back, and absent from the host's sshd log. It must exit
    /// 0; returns what it printed.
    @discardableResult
    func onHost(_ host: String, _ command: String) throws -> String {
        try script(["exec", host, "--", "sh", "-c", command])
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
    func addSudoUsers(on host: String) throws {
        try onHost(host, """
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
    func addPasswordUser(on host: String, password: String) throws {
        try onHost(host, """
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

/// Runs a program to completion (at most `seconds`, then it is killed) and returns its
/// exit status and output. The default bound, 240 s, is twice what one host's rollout took
/// at worst in CI with every phase-2 suite running at once on two cores (more than 120 s).
///
/// postfleet, run without an `environment`, writes no retry file: many tests run the
/// repository's own playbook with hosts that fail on purpose, and a `.retry` file beside
/// it would be left in the checkout. A test of retry files passes an environment.
@discardableResult
func runProcess(_ path: String, _ args: [String], environment: [String: String]? = nil, seconds: Double = 240,
                directory: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let environment {
        p.environment = environment
    } else if path == Lab.binary {
        p.environment = ProcessInfo.processInfo.environment.merging(["ANSIBLE_RETRY_FILES_ENABLED": "false"]) { _, off in off }
    }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    // Read both pipes while the child runs so a full pipe cannot stall it.
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data(), errData = Data()
    group.enter()
    DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter()
    DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    if group.wait(timeout: .now() + seconds) == .timedOut {
        kill(p.processIdentifier, SIGKILL)  // SIGTERM may be blocked in a child of a dispatch thread
        Issue.record("\(path) \(args.joined(separator: " ")) did not finish within \(seconds) s")
        _ = group.wait(timeout: .now() + 5)
    }
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

func makeKey(in dir: URL, name: String = "id_other") throws -> String {
    let path = dir.appendingPathComponent(name).path
    try runProcess("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path])
    return path
}

/// Runs a program with every signal unblocked and at its default action, its output in
/// `log`, and waits for it (at most `seconds`, then it is killed). For programs that wait
/// for children (bash's `wait`, `timeout`): a process started from a test's thread would
/// inherit that thread's blocked SIGCHLD and wait for ever. Its daemons inherit the log
/// file, not a pipe, so they cannot keep the caller waiting either.
func runUnblocked(_ argv: [String], log: String, seconds: Double = 120) throws -> Int32 {
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
    var pid: pid_t = 0
    let cArgs = argv.map { strdup($0) } + [nil]
    defer { cArgs.forEach { free($0) } }
    let rc = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, environ)
    guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
    let deadline = Date().addingTimeInterval(seconds)
    var status: Int32 = 0
    while waitpid(pid, &status, WNOHANG) == 0 {
        if Date() > deadline {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
            Issue.record("\(argv.joined(separator: " ")) did not finish within \(seconds) s")
            return -1
        }
        usleep(50_000)
    }
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
}

extension Lab {
    /// A command's stdout on a lab host, over SSH; fails the test on a non-zero exit.
    @discardableResult
    func sh(_ host: String, _ command: String) async throws -> String {
        // Generous deadlines: a test waiting for a program blocks one of the two cooperative
        // threads, and with both blocked this session's handshake cannot resume. Its 20 s
        // default expired on healthy hosts in CI (stop 26); running the suites on threads of
        // their own instead loaded the machine past the rollouts' bounds (two CI runs).
        var options = options()
        options.connectTimeout = .seconds(30)
        options.handshakeTimeout = .seconds(120)
        options.authTimeout = .seconds(120)
        return try await Session.with(try endpoint(host), options: options) { session in
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
