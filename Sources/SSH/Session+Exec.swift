import CLibSSH2
import Foundation
import ShellQuoting

extension Session {
    /// Runs `command` through the remote user's shell, feeding it `stdin`, and returns
    /// its output and exit status. Output of any size arrives whole.
    ///
    /// A timeout leaves the session broken: close it and connect again. libssh2 cannot send
    /// the command a signal, so a command with a timeout runs on the host under timeout(1)
    /// (``boundedOnTheHost(_:timeout:)``): it ends there too, shortly after the controller
    /// gave up on it. `boundOnHost: false` lets it run to its end on the host instead (for a
    /// script that must not stop half-way, and ends by itself).
    ///
    /// With `onStdout`, stdout is not kept: each piece goes to it as it arrives (at most one
    /// SSH packet, 32 KiB), so output of any size costs the controller one packet's memory.
    /// An error it throws ends the command and breaks the session, as a timeout does. It
    /// runs on the event loop's thread, which every session of the process shares: it must
    /// take time linear in the piece (a line splitter that removes each line from the front
    /// of a buffer is quadratic, and delays every other host's I/O and timers meanwhile).
    public func exec(_ command: String, stdin: [UInt8] = [], timeout: Duration? = nil,
                     boundOnHost: Bool = true, onStdout: ((ArraySlice<UInt8>) throws -> Void)? = nil) async throws -> ExecResult {
        let limit = timeout ?? options.commandTimeout
        return try await exclusive {
            let first = try await runBecoming(command, stdin: stdin, limit: limit, boundOnHost: boundOnHost, onStdout: onStdout)
            guard let become = endpoint.become, become.password != nil, !sudoTakesNoPassword,
                  first.stderrText.contains(Self.sudoDidNotRead) else { return first }
            // sudo ran the guard without asking for the password, which the guard then read
            // and refused to run: nothing ran. From now on, sudo -n without the password.
            sudoTakesNoPassword = true
            return try await runBecoming(command, stdin: stdin, limit: limit, boundOnHost: boundOnHost, onStdout: onStdout)
        }
    }

    private func runBecoming(_ command: String, stdin: [UInt8], limit: Duration?, boundOnHost: Bool,
                             onStdout: ((ArraySlice<UInt8>) throws -> Void)?) async throws -> ExecResult {
        var become = endpoint.become
        if sudoTakesNoPassword { become?.password = nil }
        let (privileged, input) = become.map { Self.becoming($0, command, stdin: stdin) } ?? (command, stdin)
        let sent = boundOnHost ? limit.map { Self.boundedOnTheHost(privileged, timeout: $0) } ?? privileged : privileged
        let result = try await run(sent, stdin: input, phase: .exec, timeout: limit, onStdout: onStdout)
        try await checkBecome(result, become: become, timeout: limit)
        return result
    }

    /// Throws sudo's refusal when `result` is sudo's failure rather than the command's.
    func checkBecome(_ result: ExecResult, become: Become?, timeout: Duration?) async throws {
        if let become, become.password != nil, result.stderrText.contains("incorrect password attempt") {
            throw failure(.become, .becomeRefused,
                          "sudo refused the password (ansible_become_password) of \(endpoint.user) to run commands as \(become.user). The command was not run.")
        }
        if let become, Self.maySudoHaveRefused(result) {
            try await checkSudo(become, timeout: timeout)
        }
    }

    /// What the guard of ``becoming(_:_:stdin:)`` says when sudo did not read the password.
    static let sudoDidNotRead = "@@postfleet sudo did not read the password"

    /// `command` run by `/bin/sh` under sudo as `become.user`, and the stdin to send.
    /// Without a password, `sudo -n`: sudo never asks for one (it fails instead), so a run
    /// never hangs on a prompt.
    ///
    /// The command goes on stdin ahead of `stdin`, and sudo runs a fixed line that reads
    /// exactly its bytes (`head -c`, which reads no further) and evaluates them; the command
    /// then reads `stdin` as its own. So sudo logs (syslog, one entry per command, long ones
    /// split into many) and the host's process list show `/bin/sh -c eval "$(head -c N)"`,
    /// not a script of several kilobytes with the postconf values in it, on every host and run.
    ///
    /// With a password, `sudo -S -k -p ''` reads it as the first line of stdin (`-k`: always,
    /// even if sudo remembers an earlier login). A line that only this call knows follows it;
    /// the guard reads one line and runs nothing unless it is that line. So if sudo did not
    /// read the password (the user has NOPASSWD), the password is never run as a command: the
    /// guard says ``sudoDidNotRead`` and exits.
    public static func becoming(_ become: Become, _ command: String, stdin: [UInt8]) -> (command: String, stdin: [UInt8]) {
        let script = Array(command.utf8)
        let bootstrap = "eval \"$(head -c \(script.count))\""
        let user = Shell.quote(become.user)
        guard let password = become.password else {
            return ("exec sudo -n -H -u \(user) -- /bin/sh -c \(Shell.quote(bootstrap))", script + stdin)
        }
        let marker = "pf" + String(UInt64.random(in: .min ... .max), radix: 16)
        let guarded = "IFS= read -r m; [ \"$m\" = \(marker) ] || { echo '\(sudoDidNotRead)' >&2; exit 97; }; " + bootstrap
        let lines = Array((password.revealed + "\n" + marker + "\n").utf8)
        return ("exec sudo -S -k -p '' -H -u \(user) -- /bin/sh -c \(Shell.quote(guarded))", lines + script + stdin)
    }

    /// Whether `result` may be sudo's own failure rather than the command's: sudo exits 1 and
    /// says `sudo: ...`; a shell without sudo exits 127.
    static func maySudoHaveRefused(_ result: ExecResult) -> Bool {
        (result.exitStatus == 1 && result.stderrText.hasPrefix("sudo: "))
            || (result.exitStatus == 127 && result.stderrText.contains("sudo"))
    }

    /// Asks sudo, on its own, whether it runs commands as `become.user` (without a password,
    /// or with the one given); throws the reason it gives if not. Called only when a command
    /// failed as sudo fails, so a working sudo costs nothing.
    func checkSudo(_ become: Become, timeout: Duration?) async throws {
        let (probe, input) = Self.becoming(become, "true", stdin: [])
        let answer = try await run(probe, stdin: input, phase: .become, timeout: timeout ?? .seconds(30))
        guard !answer.succeeded, !answer.stderrText.contains(Self.sudoDidNotRead) else { return }
        let said = answer.stderrText.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
        let reason = answer.exitStatus == 127 ? "sudo is not installed (\(said))" : said.isEmpty ? "sudo failed (\(answer.failureSummary))" : said
        let how = become.password == nil
            ? "sudo -n refused to run commands as \(become.user) for \(endpoint.user): \(reason). postfleet runs sudo -n, which never asks for a password, unless ansible_become_password is set: give \(endpoint.user) NOPASSWD rights on this host (e.g. '\(endpoint.user) ALL=(\(become.user)) NOPASSWD: ALL' in /etc/sudoers.d/), set ansible_become_password (from the vault), or log in as \(become.user)."
            : "sudo refused to run commands as \(become.user) for \(endpoint.user) with the password given (ansible_become_password): \(reason)."
        throw failure(.become, .becomeRefused, how + " The command was not run.")
    }

    /// `command` run by the user's shell under timeout(1) with two seconds more than
    /// `timeout` (then TERM, and KILL two seconds later), where the host has timeout(1);
    /// as it is elsewhere.
    public static func boundedOnTheHost(_ command: String, timeout: Duration) -> String {
        // At most a billion seconds: timeout(1) takes it, and the sum cannot overflow.
        let seconds = min(max(timeout.components.seconds, 0), 1_000_000_000) + (timeout.components.attoseconds > 0 ? 1 : 0) + 2
        let quoted = Shell.quote(command)
        return "if command -v timeout >/dev/null 2>&1; then exec timeout -k 2 \(seconds) \"${SHELL:-/bin/sh}\" -c \(quoted); "
            + "else exec \"${SHELL:-/bin/sh}\" -c \(quoted); fi"
    }

    func run(_ command: String, stdin: [UInt8], phase: SSHError.Phase, timeout: Duration?,
             onStdout: ((ArraySlice<UInt8>) throws -> Void)? = nil) async throws -> ExecResult {
        let raw = try live(phase)
        let deadline = (timeout ?? options.commandTimeout).map(Deadline.after) ?? .distantFuture
        startKeepalives()
        defer { stopKeepalives() }

        let channel = try await openChannel(raw, phase: phase, deadline: deadline)
        do {
            let result = try await drive(channel, command: command, stdin: stdin, phase: phase, deadline: deadline, onStdout: onStdout)
            try await free(channel, phase: phase, deadline: deadline)
            return result
        } catch {
            // The command's state is unknown: the session only closes from here.
            markBroken()
            _ = libssh2_channel_free(channel)
            throw error
        }
    }

    func openChannel(_ raw: OpaquePointer, phase: SSHError.Phase, deadline: Deadline) async throws -> OpaquePointer {
        var channel: OpaquePointer?
        while channel == nil {
            channel = libssh2_channel_open_ex(raw, "session", 7, Session.window, pf_libssh2_packet_default(), nil, 0)
            if channel == nil {
                let rc = libssh2_session_last_errno(raw)
                guard rc == LIBSSH2_ERROR_EAGAIN else { throw libssh2Failure(phase, rc, "cannot open a channel") }
                try await waitSocket(phase, until: deadline)
            }
        }
        guard let channel else { throw failure(phase, .channelFailure, "cannot open a channel") }
        return channel
    }

    /// A receive window large enough that a fast command's output flows without stalls.
    static let window: UInt32 = 4 * 1024 * 1024

    private func drive(_ channel: OpaquePointer, command: String, stdin: [UInt8], phase: SSHError.Phase, deadline: Deadline,
                       onStdout: ((ArraySlice<UInt8>) throws -> Void)?) async throws -> ExecResult {
        let raw = try live(phase)
        try await startup(channel, command: command, phase: phase, deadline: deadline)
        var pump = ExecPump(session: self, raw: raw, channel: channel, phase: phase, stdin: stdin, onStdout: onStdout)
        exchange: while true {
            switch try pump.step() {
            case .moved: continue
            case .stalled: try await waitSocket(phase, until: deadline)
            case .ended: break exchange
            }
        }
        return try await close(channel, output: pump.result, phase: phase, deadline: deadline)
    }

    func startup(_ channel: OpaquePointer, command: String, phase: SSHError.Phase, deadline: Deadline) async throws {
        let started = try await call(phase, until: deadline) {
            libssh2_channel_process_startup(channel, "exec", 4, command, UInt32(command.utf8.count))
        }
        guard started == 0 else { throw libssh2Failure(phase, started, "the server refused to run the command") }
    }

    /// Closes `channel` on both sides, after which its exit status is known, and returns
    /// `output` with it.
    func close(_ channel: OpaquePointer, output: ExecResult, phase: SSHError.Phase, deadline: Deadline) async throws -> ExecResult {
        var result = output
        // The exit status is known only once the channel is closed on both sides.
        let closed = try await call(phase, until: deadline) { libssh2_channel_close(channel) }
        guard closed == 0 else { throw libssh2Failure(phase, closed, "closing the channel failed") }
        let waited = try await call(phase, until: deadline) { libssh2_channel_wait_closed(channel) }
        guard waited == 0 else { throw libssh2Failure(phase, waited, "waiting for the channel to close failed") }

        result.exitSignal = exitSignal(channel)
        result.exitStatus = result.exitSignal == nil ? libssh2_channel_get_exit_status(channel) : nil
        return result
    }

    private func exitSignal(_ channel: OpaquePointer) -> String? {
        var name: UnsafeMutablePointer<CChar>?
        var nameLength = 0
        var message: UnsafeMutablePointer<CChar>?
        var messageLength = 0
        var language: UnsafeMutablePointer<CChar>?
        var languageLength = 0
        guard libssh2_channel_get_exit_signal(channel, &name, &nameLength, &message, &messageLength, &language, &languageLength) == 0 else {
            return nil
        }
        defer {
            if let raw {
                if let name { libssh2_free(raw, name) }
                if let message { libssh2_free(raw, message) }
                if let language { libssh2_free(raw, language) }
            }
        }
        guard let name, nameLength > 0 else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: name, count: nameLength), as: UTF8.self)
    }

    func free(_ channel: OpaquePointer, phase: SSHError.Phase, deadline: Deadline) async throws {
        let rc = try await call(phase, until: deadline) { libssh2_channel_free(channel) }
        if rc != 0 { markBroken() }
    }
}
