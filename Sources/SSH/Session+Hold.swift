import CLibSSH2

/// A command kept running on its own channel while other commands run on the same session
/// (``Session/hold(_:timeout:ready:)``): a lock holder that lives exactly as long as the
/// controller's connection, or until ``Session/release(_:timeout:)``.
public final class HeldCommand: @unchecked Sendable {
    fileprivate let channel: OpaquePointer
    /// What it printed before it said it was ready.
    public let output: ExecResult
    fileprivate var released = false

    fileprivate init(channel: OpaquePointer, output: ExecResult) {
        self.channel = channel
        self.output = output
    }
}

extension Session {
    /// How a held command started.
    public enum Hold: Sendable {
        /// It printed a line `ready` accepted and runs on, its stdin open: release it.
        case holding(HeldCommand)
        /// It ended before that (it could not get what it holds, or failed): its output.
        case ended(ExecResult)
    }

    /// Starts `command` (as the endpoint's become user, like ``exec(_:stdin:timeout:boundOnHost:onStdout:)``)
    /// and waits, at most `timeout`, until it prints a stdout line that `ready` accepts or ends.
    /// A held command's stdin stays open: it is expected to wait for its end (`cat >/dev/null`),
    /// which comes with ``release(_:timeout:)``, or when the connection is lost, whichever is
    /// first. So what it holds on the host is let go even if this process is killed.
    ///
    /// Other commands run on the session while it is held; libssh2 keeps what the held
    /// command prints meanwhile on its channel. Not bounded on the host by timeout(1): the
    /// command must bound its own wait.
    public func hold(_ command: String, timeout: Duration, ready: @escaping (String) -> Bool) async throws -> Hold {
        try await exclusive {
            let first = try await startHeld(command, timeout: timeout, ready: ready)
            guard case let .ended(result) = first, let become = endpoint.become, become.password != nil, !sudoTakesNoPassword,
                  result.stderrText.contains(Self.sudoDidNotRead) else { return first }
            sudoTakesNoPassword = true
            return try await startHeld(command, timeout: timeout, ready: ready)
        }
    }

    private func startHeld(_ command: String, timeout: Duration, ready: @escaping (String) -> Bool) async throws -> Hold {
        let phase = SSHError.Phase.exec
        let raw = try live(phase)
        let deadline = Deadline.after(timeout)
        var become = endpoint.become
        if sudoTakesNoPassword { become?.password = nil }
        let (privileged, input) = become.map { Self.becoming($0, command, stdin: []) } ?? (command, [])
        let channel = try await openChannel(raw, phase: phase, deadline: deadline)
        let ended: ExecResult
        do {
            try await startup(channel, command: privileged, phase: phase, deadline: deadline)
            var pump = ExecPump(session: self, raw: raw, channel: channel, phase: phase, stdin: input, keepsInputOpen: true)
            exchange: while true {
                switch try pump.step() {
                case .moved: break
                case .stalled:
                    if Self.readyLine(pump.result.stdout, ready) { return .holding(HeldCommand(channel: channel, output: pump.result)) }
                    try await waitSocket(phase, until: deadline)
                    continue
                case .ended:
                    break exchange
                }
                if Self.readyLine(pump.result.stdout, ready) { return .holding(HeldCommand(channel: channel, output: pump.result)) }
            }
            ended = try await close(channel, output: pump.result, phase: phase, deadline: deadline)
        } catch {
            markBroken()
            _ = libssh2_channel_free(channel)
            throw error
        }
        try await free(channel, phase: phase, deadline: deadline)
        try await checkBecome(ended, become: become, timeout: timeout)
        return .ended(ended)
    }

    private static func readyLine(_ stdout: [UInt8], _ ready: (String) -> Bool) -> Bool {
        String(decoding: stdout, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
            .contains { ready(String($0)) } && stdout.last == UInt8(ascii: "\n")
    }

    /// Ends a held command: its stdin is closed, and it is waited for (at most `timeout`)
    /// until it has ended; returns what it printed after it was ready, and its exit status.
    /// Releasing twice does nothing the second time.
    @discardableResult
    public func release(_ held: HeldCommand, timeout: Duration = .seconds(30)) async throws -> ExecResult {
        try await exclusive {
            guard !held.released else { return ExecResult() }
            held.released = true
            let phase = SSHError.Phase.exec
            let deadline = Deadline.after(timeout)
            let raw = try live(phase)
            do {
                var pump = ExecPump(session: self, raw: raw, channel: held.channel, phase: phase, stdin: [])
                exchange: while true {
                    switch try pump.step() {
                    case .moved: continue
                    case .stalled: try await waitSocket(phase, until: deadline)
                    case .ended: break exchange
                    }
                }
                let result = try await close(held.channel, output: pump.result, phase: phase, deadline: deadline)
                try await free(held.channel, phase: phase, deadline: deadline)
                return result
            } catch {
                markBroken()
                _ = libssh2_channel_free(held.channel)
                throw error
            }
        }
    }
}
