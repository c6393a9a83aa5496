/// An SSH failure, named by host and phase so that a person can act on it.
///
/// The description is a sentence: `mta3 (198.18.0.3:22): host key: ...`.
public struct SSHError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Where in the life of a session the failure happened.
    public enum Phase: String, Sendable, Codable, CaseIterable {
        case resolve
        case connect
        case handshake
        case hostKey = "host key"
        case auth
        /// `sudo -n` on the host (become): after login, before the command.
        case become
        case exec
        case upload
        case download
        case disconnect
    }

    /// What went wrong, independent of where. Extensible without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let timeout = Code("timeout")
        public static let connectionRefused = Code("connection refused")
        public static let unreachable = Code("unreachable")
        public static let connectionLost = Code("connection lost")
        public static let resolutionFailed = Code("name resolution failed")
        public static let hostKeyMismatch = Code("host key mismatch")
        public static let hostKeyUnknown = Code("host key unknown")
        public static let hostKeyRevoked = Code("host key revoked")
        public static let knownHostsUnreadable = Code("known_hosts unreadable")
        public static let authenticationFailed = Code("authentication failed")
        public static let keyFileUnusable = Code("key file unusable")
        public static let channelFailure = Code("channel failure")
        public static let becomeRefused = Code("become refused")
        public static let remoteFailure = Code("remote command failed")
        public static let protocolError = Code("protocol error")
        public static let cancelled = Code("cancelled")
    }

    public let host: String
    public let address: String
    public let port: Int
    public let phase: Phase
    public let code: Code
    /// A sentence saying what happened, with the C library's text copied in where it helps.
    public let message: String
    /// libssh2's error code, when the failure came from libssh2.
    public let libssh2Code: Int32?
    /// The system's errno, when the failure came from a system call.
    public let systemErrno: Int32?

    public init(
        host: String, address: String, port: Int, phase: Phase, code: Code, message: String,
        libssh2Code: Int32? = nil, systemErrno: Int32? = nil
    ) {
        self.host = host
        self.address = address
        self.port = port
        self.phase = phase
        self.code = code
        self.message = message
        self.libssh2Code = libssh2Code
        self.systemErrno = systemErrno
    }

    /// Whether trying again later may succeed: refused, reset, timed out. Host key and
    /// authentication failures are never transient.
    public var isTransient: Bool {
        switch code {
        case .timeout, .connectionRefused, .connectionLost, .unreachable: return phase != .exec
        default: return false
        }
    }

    /// Whether the server closed the connection before sending its banner: how sshd drops a
    /// connection past MaxStartups. Nothing ran on the host.
    public var isDroppedBeforeBanner: Bool {
        phase == .handshake && code == .connectionLost && message.contains("Failed getting banner")
    }

    /// Whether the host was never reached far enough to run anything on it.
    public var isUnreachable: Bool {
        switch phase {
        case .resolve, .connect, .handshake, .hostKey, .auth: return true
        case .become, .exec, .upload, .download, .disconnect: return code == .connectionLost
        }
    }

    public var description: String {
        let target = address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
        let who = host == address ? target : "\(host) (\(target))"
        return "\(who): \(phase.rawValue): \(message)"
    }
}
