import CLibSSH2
import Glibc
import Synchronization

/// One authenticated SSH connection to one host.
///
/// libssh2 runs in non-blocking mode: every call either makes progress or returns
/// `LIBSSH2_ERROR_EAGAIN` at once, and then the task suspends on the shared
/// ``EventLoop`` until the socket is ready in the direction libssh2 asks for. The
/// cooperative pool is never blocked.
///
/// A session is driven by one task at a time: libssh2 must not be entered on one
/// session from two threads, and a non-blocking call that returned EAGAIN must be
/// repeated before any other call is made. The class is `@unchecked Sendable` so that
/// it can be handed from the task that connects it to the task that uses it; `inUse`
/// turns a second concurrent caller into a crash with a clear message instead of a
/// corrupted connection.
public final class Session: @unchecked Sendable {
    public let endpoint: Endpoint
    let options: ConnectionOptions
    /// The LIBSSH2_SESSION; nil once closed.
    private(set) var raw: OpaquePointer?
    /// The socket libssh2's traffic goes out on: this session's own, or, through a jump
    /// host, the outermost jump host's.
    let socket: Int32
    /// The jump host session and channel this session speaks through; nil: a socket of its own.
    private let tunnel: Tunnel?
    private let inUse = Atomic<Bool>(false)
    /// When the next keepalive is due while a command runs; nil outside commands.
    private var nextKeepalive: Deadline?
    /// Set when a failure left the protocol state unknown; the session only closes after that.
    private(set) var isBroken = false
    /// Set when sudo ran a command without reading the become password it was given
    /// (NOPASSWD): later commands go through `sudo -n` without sending it.
    var sudoTakesNoPassword = false
    /// The host key as presented, with its fingerprint, after the handshake.
    public internal(set) var hostKeyFingerprint: String = ""

    private init(endpoint: Endpoint, options: ConnectionOptions, raw: OpaquePointer, socket: Int32, tunnel: Tunnel? = nil) {
        self.endpoint = endpoint
        self.options = options
        self.raw = raw
        self.socket = socket
        self.tunnel = tunnel
    }

    deinit {
        // close() is the way to end a session (it says goodbye to the server); this
        // only releases what a caller forgot, without blocking.
        if let raw { libssh2_session_free(raw) }
        if tunnel == nil { Glibc.close(socket) }
    }

    // MARK: - Connect

    /// Connects, checks the host key, and authenticates, each phase within its timeout;
    /// through `endpoint.jumpHosts` if it has any (each checked and authenticated in turn,
    /// with its own settings put into `options`).
    public static func connect(_ endpoint: Endpoint, options: ConnectionOptions) async throws -> Session {
        LibSSH2.initialize()
        var outer: Session?
        for jump in endpoint.jumpHosts {
            do {
                // Each target has its own connection to the jump host; their logins take turns
                // (``LoginGate``), so sshd's MaxStartups does not drop them.
                outer = try await LoginGate.jumpHosts.admitted("\(jump.address):\(jump.port)") { [outer] in
                    try await openJump(jump, options: options.applying(jump), via: outer)
                }
            } catch let error as SSHError {
                throw error.reached(through: jump, for: endpoint)
            }
        }
        return try await open(endpoint, options: options.applying(endpoint), via: outer)
    }

    /// A login to a jump host. One that sshd drops before its banner (MaxStartups: other
    /// clients are logging in to the same bastion too, or sshd has not yet counted our
    /// last logins as done) ran nothing on it, so it is tried again, at most
    /// ``jumpBannerAttempts`` times in all, after a short pause that grows each time.
    /// Only a first hop is: a later one's tunnel closes with it.
    private static func openJump(_ jump: Endpoint, options: ConnectionOptions, via outer: Session?) async throws -> Session {
        var attempt = 1
        while true {
            do {
                return try await open(jump, options: options, via: outer)
            } catch let error as SSHError where outer == nil && error.isDroppedBeforeBanner && attempt < jumpBannerAttempts {
                try await Task.sleep(for: .milliseconds(50 * attempt + Int.random(in: 0..<50)))
                attempt += 1
            }
        }
    }

    /// How many times in all a jump-host login dropped before its banner is tried.
    static let jumpBannerAttempts = 4

    /// One session: over a socket of its own, or through a direct-tcpip channel of `outer`,
    /// which it then owns (and closes, also when it fails).
    private static func open(_ endpoint: Endpoint, options: ConnectionOptions, via outer: Session?) async throws -> Session {
        let session: Session
        if let outer {
            let tunnel: Tunnel
            do {
                tunnel = try await Tunnel.open(through: outer, to: endpoint, deadline: .after(options.connectTimeout))
            } catch {
                await outer.close()
                throw error
            }
            guard let raw = pf_tunnel_session(tunnel.state) else {
                await tunnel.close()
                throw TCP.failure(endpoint, .handshake, .protocolError, "libssh2 cannot allocate a session")
            }
            session = Session(endpoint: endpoint, options: options, raw: raw, socket: outer.socket, tunnel: tunnel)
        } else {
            let fd = try await TCP.connect(endpoint, deadline: .after(options.connectTimeout))
            guard let raw = pf_session_new(nil) else {
                Glibc.close(fd)
                throw TCP.failure(endpoint, .handshake, .protocolError, "libssh2 cannot allocate a session")
            }
            session = Session(endpoint: endpoint, options: options, raw: raw, socket: fd)
        }
        do {
            try await session.exclusive {
                try await session.handshake()
                try await session.authenticate()
            }
        } catch {
            await session.close()
            throw error
        }
        return session
    }

    /// Connects, runs `body` with the session, and closes it whatever `body` does.
    public static func with<T: Sendable>(_ endpoint: Endpoint, options: ConnectionOptions, _ body: (Session) async throws -> T) async throws -> T {
        let session = try await connect(endpoint, options: options)
        do {
            let result = try await body(session)
            await session.close()
            return result
        } catch {
            await session.close()
            throw error
        }
    }


    // MARK: - Close

    /// Says goodbye to the server and releases the session. Safe to call more than once.
    public func close() async {
        guard let raw else { return }
        let deadline = Deadline.after(.seconds(2))
        if !isBroken {
            _ = try? await call(.disconnect, until: deadline) {
                libssh2_session_disconnect_ex(raw, SSH_DISCONNECT_BY_APPLICATION, "postfleet: done", "")
            }
        }
        // A broken session's peer may never answer: cut the connection so freeing does not wait for it.
        if isBroken { shutdown(socket, Int32(SHUT_RDWR)) }
        // Freeing a session does I/O; in non-blocking mode it may ask to be called again.
        for _ in 0..<100 {
            if libssh2_session_free(raw) != LIBSSH2_ERROR_EAGAIN { break }
            if (try? await waitSocket(.disconnect, until: deadline)) == nil { break }
        }
        self.raw = nil
        // Then the channel this session spoke through, and the jump host's session.
        await tunnel?.close()
    }

    // MARK: - Driving libssh2

    /// Runs `body` with this session to itself; a second concurrent caller is a programming error.
    func exclusive<T>(_ body: () async throws -> T) async throws -> T {
        guard inUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            preconditionFailure("postfleet: session to \(endpoint.name) used by two tasks at once")
        }
        defer { inUse.store(false, ordering: .releasing) }
        return try await body()
    }

    func live(_ phase: SSHError.Phase) throws -> OpaquePointer {
        guard let raw, !isBroken else {
            throw failure(phase, .connectionLost, "the session is closed")
        }
        return raw
    }

    /// Calls `body` until it stops returning EAGAIN, waiting for the socket in between.
    func call(_ phase: SSHError.Phase, until deadline: Deadline, _ body: () -> Int32) async throws -> Int32 {
        while true {
            let rc = body()
            if rc != LIBSSH2_ERROR_EAGAIN { return rc }
            try await waitSocket(phase, until: deadline)
        }
    }

    /// Waits until the socket is ready in the direction libssh2 last blocked on.
    /// While a command runs, sends a keepalive whenever one is due.
    func waitSocket(_ phase: SSHError.Phase, until deadline: Deadline) async throws {
        guard let raw else { throw failure(phase, .connectionLost, "the session is closed") }
        let directions = blockDirections(raw)
        var interest: Interest = []
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { interest.insert(.readable) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { interest.insert(.writable) }
        if interest.isEmpty { interest = .readable }
        let wakeAt = min(deadline, nextKeepalive ?? .distantFuture)
        switch await EventLoop.shared.wait(fd: socket, for: interest, until: wakeAt) {
        case .ready:
            return
        case .cancelled:
            isBroken = true
            throw failure(phase, .cancelled, "cancelled")
        case .timedOut:
            if deadline.hasPassed {
                isBroken = true
                throw failure(phase, .timeout, "timed out (\(phase.rawValue) took longer than allowed)")
            }
            // Only when waiting to read: a keepalive never competes with a pending write.
            if interest == .readable {
                var seconds: Int32 = 0
                _ = libssh2_keepalive_send(raw, &seconds)
            }
            nextKeepalive = .after(options.keepaliveInterval)
        }
    }

    /// The directions to wait for on `socket`. Through a jump host, libssh2's calls on this
    /// session block on the jump host's channel: the jump host's session (and so on, out to
    /// the one that owns the socket) knows which way its own call blocked.
    private func blockDirections(_ raw: OpaquePointer) -> Int32 {
        if let outer = tunnel?.outer, let outerRaw = outer.raw {
            let outward = outer.blockDirections(outerRaw)
            if outward != 0 { return outward }
        }
        return libssh2_session_block_directions(raw)
    }

    func startKeepalives() {
        if let raw { libssh2_keepalive_config(raw, 0, UInt32(max(1, options.keepaliveInterval.components.seconds))) }
        nextKeepalive = .after(options.keepaliveInterval)
    }

    func stopKeepalives() { nextKeepalive = nil }

    func markBroken() { isBroken = true }

    // MARK: - Errors

    func failure(_ phase: SSHError.Phase, _ code: SSHError.Code, _ message: String, libssh2Code: Int32? = nil) -> SSHError {
        SSHError(host: endpoint.name, address: endpoint.address, port: endpoint.port,
                 phase: phase, code: code, message: message, libssh2Code: libssh2Code)
    }

    /// An error for a libssh2 return code, with libssh2's own message copied (its buffer is reused).
    func libssh2Failure(_ phase: SSHError.Phase, _ rc: Int32, _ what: String) -> SSHError {
        let detail = raw.map(lastErrorMessage) ?? ""
        let code: SSHError.Code
        switch rc {
        case LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_DISCONNECT,
             LIBSSH2_ERROR_BANNER_RECV, LIBSSH2_ERROR_BANNER_SEND:
            code = .connectionLost
        case LIBSSH2_ERROR_TIMEOUT, LIBSSH2_ERROR_SOCKET_TIMEOUT:
            code = .timeout
        case LIBSSH2_ERROR_AUTHENTICATION_FAILED, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
            code = .authenticationFailed
        case LIBSSH2_ERROR_CHANNEL_FAILURE, LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED, LIBSSH2_ERROR_CHANNEL_CLOSED,
             LIBSSH2_ERROR_CHANNEL_UNKNOWN:
            code = .channelFailure
        default:
            code = .protocolError
        }
        if code == .connectionLost || code == .protocolError { isBroken = true }
        let text = detail.isEmpty ? "\(what) (libssh2 error \(rc))" : "\(what): \(detail) (libssh2 error \(rc))"
        return failure(phase, code, code == .connectionLost ? "connection lost: \(text)" : text, libssh2Code: rc)
    }
}
