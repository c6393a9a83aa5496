import SSH

/// Why work on one host stopped before its end, named by host and phase so that a person
/// can act on it: an SSH failure (connect, handshake, host key, auth, become, exec, ...),
/// kept whole, or a failure after login that is not SSH's (the facts could not be read, the
/// apply script could not be built), which keeps its own error rather than pretending to
/// be an SSH one.
public struct HostFailure: Error, CustomStringConvertible, Sendable, Equatable {
    /// Where in the host's work it failed: an SSH phase, or one of postfleet's own.
    public struct Phase: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ phase: SSHError.Phase) { rawValue = phase.rawValue }
        public var description: String { rawValue }

        public static let resolve = Phase(.resolve)
        public static let connect = Phase(.connect)
        public static let handshake = Phase(.handshake)
        public static let hostKey = Phase(.hostKey)
        public static let auth = Phase(.auth)
        public static let become = Phase(.become)
        public static let exec = Phase(.exec)
        public static let upload = Phase(.upload)
        public static let download = Phase(.download)
        public static let disconnect = Phase(.disconnect)
        /// Reading the host's facts: Postfix's answers could not be understood.
        public static let facts = Phase(rawValue: "facts")
        /// Reading or acting on the host's mail queues (`postfleet queue`).
        public static let queue = Phase(rawValue: "queue")
        /// Reading the certificates the host's listeners serve (`postfleet tls`).
        public static let tls = Phase(rawValue: "tls")
        /// Taking the host lock: another change holds the host (``HostLock``).
        public static let lock = Phase(rawValue: "lock")
        /// Building what to send the host (its apply script, its archive).
        public static let prepare = Phase(rawValue: "prepare")
    }

    public let host: String
    public let phase: Phase
    /// A sentence saying what happened.
    public let message: String
    /// The SSH layer's error, when the failure was SSH's.
    public let ssh: SSHError?
    /// The error underneath, when it was not SSH's.
    public let underlying: (any Error)?

    public init(_ error: SSHError) {
        host = error.host
        phase = Phase(error.phase)
        message = error.message
        ssh = error
        underlying = nil
    }

    public init(host: String, phase: Phase, message: String, underlying: (any Error)? = nil) {
        self.host = host
        self.phase = phase
        self.message = message
        ssh = nil
        self.underlying = underlying
    }

    /// The SSH error's code; nil for a failure that was not SSH's.
    public var code: SSHError.Code? { ssh?.code }

    /// Whether the host was never reached far enough to run anything on it.
    public var isUnreachable: Bool { ssh?.isUnreachable ?? false }

    public var description: String { ssh?.description ?? "\(host): \(phase.rawValue): \(message)" }

    public static func == (a: HostFailure, b: HostFailure) -> Bool {
        a.host == b.host && a.phase == b.phase && a.message == b.message && a.ssh == b.ssh
    }
}
