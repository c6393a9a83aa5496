import CLibSSH2

/// The non-blocking exchange with one running command's channel: its stdin goes out, its
/// stdout and stderr come in, until the server says the output has ended.
///
/// Each ``step()`` does what can be done without waiting; the caller waits for the socket
/// when a step moved nothing. A read goes through a buffer that lives only while the pump
/// reads (on the thread's stack where it fits): a running command holds no buffer between
/// reads. One held per pump, zero-filled, was 32 KiB resident per open session: a third of
/// what each of 1,000 sessions running a command cost the controller.
struct ExecPump {
    /// What one step achieved.
    enum Step {
        /// Bytes moved: step again at once.
        case moved
        /// Nothing could move: wait for the socket, then step again.
        case stalled
        /// The command's output ended, and all of it is in ``result``.
        case ended
    }

    /// The calls that send (a read sends window adjustments).
    private enum Call { case input, eof, output }

    private let session: Session
    private let raw: OpaquePointer
    private let channel: OpaquePointer
    private let phase: SSHError.Phase
    private let stdin: [UInt8]
    /// Whether the command's stdin stays open once `stdin` is sent (a held command:
    /// ``Session/hold(_:timeout:ready:)``).
    private let keepsInputOpen: Bool
    /// Where stdout goes as it arrives, when it is not kept: each piece once, in order.
    private let onStdout: ((ArraySlice<UInt8>) throws -> Void)?
    /// The output so far (stdout only without ``onStdout``); the exit status and signal are
    /// the caller's to fill in.
    private(set) var result = ExecResult(exitStatus: nil)
    private var written = 0
    private var inputClosed = false
    /// A call that stopped with a packet half-sent (the socket was full): libssh2 1.10 wants
    /// that same call again before any other that sends, and a read sends window
    /// adjustments. libssh2 says OUTBOUND exactly then.
    private var halfSent: Call?
    /// One SSH packet at most (32 KiB) per read.
    private static let readSize = Int(pf_libssh2_packet_default())

    init(session: Session, raw: OpaquePointer, channel: OpaquePointer, phase: SSHError.Phase, stdin: [UInt8],
         keepsInputOpen: Bool = false, onStdout: ((ArraySlice<UInt8>) throws -> Void)? = nil) {
        self.session = session
        self.keepsInputOpen = keepsInputOpen
        self.onStdout = onStdout
        self.raw = raw
        self.channel = channel
        self.phase = phase
        self.stdin = stdin
    }

    /// Sends what stdin it can (then its end), and reads what output there is.
    mutating func step() throws -> Step {
        var progress = false
        if !inputClosed {
            if written < stdin.count && mayCall(.input), try sendInput() { progress = true }
            if written == stdin.count && !inputClosed && !keepsInputOpen && mayCall(.eof), try sendEOF() { progress = true }
        }
        if mayCall(.output), try drain(0) { progress = true }
        if mayCall(.output), try drain(Int32(SSH_EXTENDED_DATA_STDERR)) { progress = true }
        if libssh2_channel_eof(channel) != 0 {
            _ = try drain(0)
            _ = try drain(Int32(SSH_EXTENDED_DATA_STDERR))
            return .ended
        }
        return progress ? .moved : .stalled
    }

    private func mayCall(_ call: Call) -> Bool { halfSent == nil || halfSent == call }

    private func stoppedHalfway(_ call: Call) -> Call? {
        libssh2_session_block_directions(raw) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 ? call : nil
    }

    /// Writes the next piece of stdin. True if any of it went.
    private mutating func sendInput() throws -> Bool {
        let (channel, written) = (self.channel, self.written)
        let n = stdin.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) {
                libssh2_channel_write_ex(channel, 0, $0.baseAddress! + written, min(p.count - written, 256 * 1024))
            }
        }
        halfSent = n == Int(LIBSSH2_ERROR_EAGAIN) ? stoppedHalfway(.input) : nil
        if n > 0 {
            self.written += n
            return true
        } else if n == Int(LIBSSH2_ERROR_CHANNEL_EOF_SENT) || n == Int(LIBSSH2_ERROR_CHANNEL_CLOSED) {
            inputClosed = true  // the command stopped reading; its exit status will tell
        } else if n < 0 && n != Int(LIBSSH2_ERROR_EAGAIN) {
            throw session.libssh2Failure(phase, Int32(n), "sending input to the command failed")
        }
        return false
    }

    /// Closes the command's stdin. True once closed.
    private mutating func sendEOF() throws -> Bool {
        let rc = libssh2_channel_send_eof(channel)
        halfSent = rc == LIBSSH2_ERROR_EAGAIN ? stoppedHalfway(.eof) : nil
        if rc == 0 {
            inputClosed = true
            return true
        } else if rc != LIBSSH2_ERROR_EAGAIN {
            throw session.libssh2Failure(phase, rc, "closing the command's input failed")
        }
        return false
    }

    /// Reads one stream (0: stdout) until it has nothing more for now. True if anything arrived.
    private mutating func drain(_ stream: Int32) throws -> Bool {
        let channel = self.channel
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.readSize) { buffer in
            var any = false
            while true {
                let n = buffer.withMemoryRebound(to: CChar.self) { libssh2_channel_read_ex(channel, stream, $0.baseAddress, $0.count) }
                if n > 0 {
                    let chunk = UnsafeBufferPointer(rebasing: buffer[0..<n])
                    if stream == 0, let onStdout {
                        try onStdout(ArraySlice(chunk))
                    } else if stream == 0 {
                        result.stdout.append(contentsOf: chunk)
                    } else {
                        result.stderr.append(contentsOf: chunk)
                    }
                    any = true
                } else if n == 0 || n == Int(LIBSSH2_ERROR_EAGAIN) {
                    halfSent = n == 0 ? nil : stoppedHalfway(.output)
                    return any
                } else {
                    throw session.libssh2Failure(phase, Int32(n), "reading the command's output failed")
                }
            }
        }
    }
}
