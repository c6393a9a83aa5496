import CLibSSH2
import SSHConfig

// The SSH handshake, and the check of the host key the server presents against known_hosts
// under the host key policy.

extension Session {
    /// Sets the session non-blocking, prefers the algorithms of the keys known_hosts holds for
    /// the host, shakes hands within the handshake timeout and checks the host key.
    func handshake() async throws {
        let raw = try live(.handshake)
        libssh2_session_set_blocking(raw, 0)
        let known: KnownHostsFiles?
        if options.hostKeyPolicy == .off {
            known = nil
        } else {
            do {
                known = try KnownHostsFiles(user: options.knownHostsFiles, global: options.globalKnownHostsFiles)
            } catch {
                throw failure(.hostKey, .knownHostsUnreadable, error.message)
            }
        }
        _ = libssh2_session_method_pref(raw, LIBSSH2_METHOD_KEX, Session.keyExchanges)
        var hostKeys = Session.hostKeyAlgorithms
        if let preferred = known?.knownAlgorithms(address: endpoint.address, port: endpoint.port), !preferred.isEmpty {
            hostKeys = preferred + hostKeys.filter { !preferred.contains($0) }
        }
        _ = libssh2_session_method_pref(raw, LIBSSH2_METHOD_HOSTKEY, hostKeys.joined(separator: ","))

        let deadline = Deadline.after(options.handshakeTimeout)
        let rc = try await call(.handshake, until: deadline) { libssh2_session_handshake(raw, socket) }
        guard rc == 0 else { throw libssh2Failure(.handshake, rc, "the SSH handshake failed") }
        try verifyHostKey(raw, known)
    }

    static let keyExchanges = [
        "curve25519-sha256", "curve25519-sha256@libssh.org",
        "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
        "diffie-hellman-group-exchange-sha256", "diffie-hellman-group16-sha512",
        "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256",
    ].joined(separator: ",")

    static let hostKeyAlgorithms = [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa",
    ]

    private func verifyHostKey(_ raw: OpaquePointer, _ known: KnownHostsFiles?) throws {
        var length = 0
        var type: Int32 = 0
        guard let keyPointer = libssh2_session_hostkey(raw, &length, &type) else {
            throw failure(.hostKey, .protocolError, "the server presented no host key")
        }
        let blob = keyPointer.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
        var sha256: [UInt8] = []
        if let hash = libssh2_hostkey_hash(raw, LIBSSH2_HOSTKEY_HASH_SHA256) {
            hash.withMemoryRebound(to: UInt8.self, capacity: 32) { sha256 = Array(UnsafeBufferPointer(start: $0, count: 32)) }
        }
        let key = HostKey(type: type, blob: blob, sha256: sha256)
        hostKeyFingerprint = "\(key.algorithm) \(key.fingerprint)"
        guard let known else { return }  // policy off: the caller has warned

        var (verdict, file) = known.check(address: endpoint.address, port: endpoint.port, key: key)
        let name = KnownHosts.entryName(address: endpoint.address, port: endpoint.port)
        if verdict == .notFound && options.hostKeyPolicy == .acceptNew {
            guard let path = known.recordPath else {
                throw failure(.hostKey, .hostKeyUnknown,
                              "host key unknown: \(name) presented \(hostKeyFingerprint), and \(known.holdNoKey(key.algorithm)); UserKnownHostsFile is none, so accept-new has nowhere to record it; refusing to connect")
            }
            do {
                verdict = try KnownHosts.record(path: path, address: endpoint.address, port: endpoint.port, key: key)
                file = path
            } catch {
                throw failure(.hostKey, .knownHostsUnreadable, error.message)
            }
        }
        switch verdict {
        case .match:
            return
        case .mismatch:
            let path = file ?? "known_hosts"
            throw failure(.hostKey, .hostKeyMismatch,
                          "host key mismatch: the server presented \(hostKeyFingerprint), which differs from the \(key.algorithm) key known_hosts (\(path)) holds for \(name); refusing to connect. If the host was reinstalled, remove its old entry (ssh-keygen -R \(name) -f \(path)).")
        case .revoked:
            throw failure(.hostKey, .hostKeyRevoked, "the server presented \(hostKeyFingerprint), a key marked @revoked in \(file ?? "known_hosts"); refusing to connect")
        case .notFound:
            throw failure(.hostKey, .hostKeyUnknown,
                          "host key unknown: \(name) presented \(hostKeyFingerprint), and \(known.holdNoKey(key.algorithm)); refusing to connect under the strict policy. Add the key to known_hosts or run with --host-key-policy accept-new.")
        }
    }
}
