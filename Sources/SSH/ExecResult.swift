/// What a remote command left behind.
public struct ExecResult: Sendable, Equatable {
    /// Bytes as they arrived; decode once, at the end, so a character split across reads survives.
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// The command's exit status; nil when it was ended by a signal or the server sent none.
    public var exitStatus: Int32?
    /// The signal that ended the command (`TERM`, `KILL`, ...), if any.
    public var exitSignal: String?

    public init(stdout: [UInt8] = [], stderr: [UInt8] = [], exitStatus: Int32? = 0, exitSignal: String? = nil) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitStatus = exitStatus
        self.exitSignal = exitSignal
    }

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    public var succeeded: Bool { exitStatus == 0 && exitSignal == nil }
}
