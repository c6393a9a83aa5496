import CLibSSH2

/// libssh2's global state, initialized once before the first session.
enum LibSSH2 {
    private static let initialized: Bool = {
        libssh2_init(0) == 0
    }()

    static func initialize() {
        precondition(initialized, "libssh2_init failed")
    }

    /// The libssh2 this process runs with, e.g. "1.10.0".
    static var version: String {
        libssh2_version(0).map { String(cString: $0) } ?? "unknown"
    }
}

/// libssh2's message for the session's last error, copied (libssh2 reuses its buffer).
func lastErrorMessage(_ raw: OpaquePointer) -> String {
    var message: UnsafeMutablePointer<CChar>?
    var length: Int32 = 0
    _ = libssh2_session_last_error(raw, &message, &length, 0)
    guard let message, length > 0 else { return "" }
    return String(decoding: UnsafeRawBufferPointer(start: message, count: Int(length)), as: UTF8.self)
}
