import CLibSSH2
import Foundation

// Public key authentication: the agent's keys first, then the key files; then the
// endpoint's password, if it has one (as ssh tries publickey before password).

extension Session {
    /// Logs in as the endpoint's user within the auth timeout, or throws what was tried.
    func authenticate() async throws {
        let raw = try live(.auth)
        let deadline = Deadline.after(options.authTimeout)
        var tried: [String] = []

        if options.useAgent, let socketPath = options.agentSocket, !socketPath.isEmpty {
            if try await authenticateWithAgent(raw, socketPath: socketPath, deadline: deadline, tried: &tried) { return }
        }
        let files = endpoint.identityFiles.isEmpty
            ? options.defaultIdentityFiles.filter { FileManager.default.fileExists(atPath: $0) }
            : endpoint.identityFiles
        for file in files {
            guard FileManager.default.isReadableFile(atPath: file) else {
                tried.append("\(file) (no such readable file)")
                continue
            }
            let publicKey = PrivateKeyFile.publicKeyFile(for: file)
            let rc = try await call(.auth, until: deadline) {
                libssh2_userauth_publickey_fromfile_ex(raw, endpoint.user, UInt32(endpoint.user.utf8.count), publicKey, file, nil)
            }
            switch rc {
            case 0:
                return
            case LIBSSH2_ERROR_FILE, LIBSSH2_ERROR_KEYFILE_AUTH_FAILED:
                tried.append("\(file) (unusable: \(lastErrorMessage(raw)))")
            case LIBSSH2_ERROR_AUTHENTICATION_FAILED, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
                tried.append(PrivateKeyFile.keyType(of: file) == "ssh-rsa"
                    ? "\(file) (refused: libssh2 \(LibSSH2.version) signs RSA keys with ssh-rsa (SHA-1), which OpenSSH 8.8 and later refuse unless PubkeyAcceptedAlgorithms allows ssh-rsa; use an ed25519 or ecdsa key)"
                    : "\(file) (refused)")
            default:
                throw libssh2Failure(.auth, rc, "authentication with \(file) failed")
            }
        }
        if let password = endpoint.password {
            try await authenticate(raw, password: password, deadline: deadline, tried: tried)
            return
        }
        let offered = tried.isEmpty ? "no key was available (no agent, no key file)" : "tried " + tried.joined(separator: ", ")
        throw failure(.auth, .authenticationFailed, "authentication failed: the server accepted no key for user \(endpoint.user); \(offered)")
    }

    /// The `password` method, if the server offers it; throws why not, naming the keys tried
    /// first and never the password.
    private func authenticate(_ raw: OpaquePointer, password: Password, deadline: Deadline, tried: [String]) async throws {
        let keys = tried.isEmpty ? "" : " (after the keys: \(tried.joined(separator: ", ")))"
        guard let methods = try await offeredMethods(raw, deadline: deadline) else { return }
        guard methods.contains("password") else {
            let offered = methods.isEmpty ? "none" : methods.joined(separator: ", ")
            throw failure(.auth, .authenticationFailed,
                          "authentication failed: user \(endpoint.user) has ansible_password, but the server does not offer password authentication (it offers: \(offered))\(keys)")
        }
        let user = endpoint.user
        let text = password.revealed
        let rc = try await call(.auth, until: deadline) {
            libssh2_userauth_password_ex(raw, user, UInt32(user.utf8.count), text, UInt32(text.utf8.count), nil)
        }
        switch rc {
        case 0: return
        case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
            throw failure(.auth, .authenticationFailed, "authentication failed: the server refused the password (ansible_password) for user \(user)\(keys)")
        case LIBSSH2_ERROR_PASSWORD_EXPIRED:
            throw failure(.auth, .authenticationFailed, "authentication failed: the password of user \(user) has expired; change it on the host")
        default:
            throw libssh2Failure(.auth, rc, "password authentication failed")
        }
    }

    /// The methods the server lets the user go on with (`publickey`, `password`, ...); nil
    /// when the server let the user in without any (the `none` method).
    private func offeredMethods(_ raw: OpaquePointer, deadline: Deadline) async throws -> [String]? {
        let user = endpoint.user
        while true {
            if let list = libssh2_userauth_list(raw, user, UInt32(user.utf8.count)) {
                return String(cString: list).split(separator: ",").map(String.init)
            }
            let rc = libssh2_session_last_errno(raw)
            guard rc == LIBSSH2_ERROR_EAGAIN else {
                if libssh2_userauth_authenticated(raw) != 0 { return nil }
                throw libssh2Failure(.auth, rc, "cannot list the server's authentication methods")
            }
            try await waitSocket(.auth, until: deadline)
        }
    }

    private func authenticateWithAgent(_ raw: OpaquePointer, socketPath: String, deadline: Deadline, tried: inout [String]) async throws -> Bool {
        guard let agent = libssh2_agent_init(raw) else { return false }
        defer { libssh2_agent_free(agent) }
        libssh2_agent_set_identity_path(agent, socketPath)
        guard libssh2_agent_connect(agent) == 0 else {
            tried.append("ssh-agent (cannot connect to SSH_AUTH_SOCK)")
            return false
        }
        defer { libssh2_agent_disconnect(agent) }
        guard libssh2_agent_list_identities(agent) == 0 else {
            tried.append("ssh-agent (cannot list keys)")
            return false
        }
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        var count = 0
        while true {
            var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
            guard libssh2_agent_get_identity(agent, &identity, previous) == 0, let identity else { break }
            count += 1
            let rc = try await call(.auth, until: deadline) { libssh2_agent_userauth(agent, endpoint.user, identity) }
            if rc == 0 { return true }
            if rc != LIBSSH2_ERROR_AUTHENTICATION_FAILED && rc != LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED
                && rc != LIBSSH2_ERROR_AGENT_PROTOCOL {
                throw libssh2Failure(.auth, rc, "authentication with an agent key failed")
            }
            previous = identity
        }
        tried.append("ssh-agent (\(count) key\(count == 1 ? "" : "s") refused)")
        return false
    }
}
