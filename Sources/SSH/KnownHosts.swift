import CLibSSH2
import FileStatus
import Foundation
import Glibc
import Synchronization

/// A host key as the server presented it.
struct HostKey: Sendable {
    let type: Int32
    let blob: [UInt8]
    let sha256: [UInt8]

    var algorithm: String { HostKey.algorithms[type] ?? "unknown" }

    /// `SHA256:...` as OpenSSH prints fingerprints.
    var fingerprint: String {
        var text = Data(sha256).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return "SHA256:\(text)"
    }

    var knownHostMask: Int32 { HostKey.knownHostMasks[type] ?? LIBSSH2_KNOWNHOST_KEY_UNKNOWN }

    static let algorithms: [Int32: String] = [
        LIBSSH2_HOSTKEY_TYPE_RSA: "ssh-rsa",
        LIBSSH2_HOSTKEY_TYPE_DSS: "ssh-dss",
        LIBSSH2_HOSTKEY_TYPE_ECDSA_256: "ecdsa-sha2-nistp256",
        LIBSSH2_HOSTKEY_TYPE_ECDSA_384: "ecdsa-sha2-nistp384",
        LIBSSH2_HOSTKEY_TYPE_ECDSA_521: "ecdsa-sha2-nistp521",
        LIBSSH2_HOSTKEY_TYPE_ED25519: "ssh-ed25519",
    ]

    static let knownHostMasks: [Int32: Int32] = [
        LIBSSH2_HOSTKEY_TYPE_RSA: LIBSSH2_KNOWNHOST_KEY_SSHRSA,
        LIBSSH2_HOSTKEY_TYPE_DSS: LIBSSH2_KNOWNHOST_KEY_SSHDSS,
        LIBSSH2_HOSTKEY_TYPE_ECDSA_256: LIBSSH2_KNOWNHOST_KEY_ECDSA_256,
        LIBSSH2_HOSTKEY_TYPE_ECDSA_384: LIBSSH2_KNOWNHOST_KEY_ECDSA_384,
        LIBSSH2_HOSTKEY_TYPE_ECDSA_521: LIBSSH2_KNOWNHOST_KEY_ECDSA_521,
        LIBSSH2_HOSTKEY_TYPE_ED25519: LIBSSH2_KNOWNHOST_KEY_ED25519,
    ]
}

/// An OpenSSH known_hosts file, read through libssh2's parser one line at a time so
/// that a line libssh2 cannot read (a certificate authority, an unsupported key type)
/// is skipped instead of ending the whole file. Plain and hashed (`|1|salt|hash`)
/// names are understood; a port other than 22 is looked up as `[host]:port`, as
/// OpenSSH writes it. `@revoked` keys are refused whatever else the file says.
///
/// The collection lives in a libssh2 session of its own that never connects, so one
/// reading serves every session of the process (``KnownHostsStore``); libssh2 calls on it
/// are serialized by a lock.
final class KnownHosts: @unchecked Sendable {
    enum Verdict: Equatable {
        case match
        case mismatch
        case notFound
        case revoked
    }

    private let handle: OpaquePointer
    private let holder: OpaquePointer
    private let lock = Mutex(())
    private var revokedKeys: Set<String> = []
    let path: String

    /// Reads `path`. A missing file is an empty one.
    init(path: String) throws(KnownHostsError) {
        guard let holder = libssh2_session_init_ex(nil, nil, nil, nil) else {
            throw .unreadable("libssh2 cannot allocate a session for known_hosts")
        }
        guard let handle = libssh2_knownhost_init(holder) else {
            libssh2_session_free(holder)
            throw .unreadable("libssh2 cannot allocate a known_hosts collection")
        }
        self.holder = holder
        self.handle = handle
        self.path = path
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            if FileManager.default.fileExists(atPath: path) {
                throw .unreadable("cannot read \(path): \(error.localizedDescription)")
            }
            return
        }
        load(text)
    }

    private func load(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if trimmed.hasPrefix("@revoked") {
                let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if fields.count >= 4 { revokedKeys.insert(String(fields[3])) }
                continue
            }
            if trimmed.hasPrefix("@") { continue }  // @cert-authority: not supported, not trusted
            // As libssh2's own readfile passes fgets' buffer: the newline, then a NUL, which
            // parts of its parser rely on whatever length they are given.
            let bytes = Array(trimmed.utf8) + [UInt8(ascii: "\n"), 0]
            _ = bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    libssh2_knownhost_readline(handle, chars.baseAddress, chars.count - 1, LIBSSH2_KNOWNHOST_FILE_OPENSSH)
                }
            }
        }
    }

    deinit {
        libssh2_knownhost_free(handle)
        libssh2_session_free(holder)
    }

    /// The name OpenSSH files a host under: `host` for port 22, `[host]:port` otherwise.
    static func entryName(address: String, port: Int) -> String {
        port == 22 ? address : "[\(address)]:\(port)"
    }

    func check(address: String, port: Int, key: HostKey) -> Verdict {
        if revokedKeys.contains(Data(key.blob).base64EncodedString()) { return .revoked }
        let name = KnownHosts.entryName(address: address, port: port)
        let rc = lock.withLock { _ in
            key.blob.withUnsafeBufferPointer { blob in
            blob.withMemoryRebound(to: CChar.self) { chars in
                libssh2_knownhost_checkp(
                    handle, name, -1, chars.baseAddress, chars.count,
                    LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | key.knownHostMask, nil)
                }
            }
        }
        switch rc {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH: return .match
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH: return .mismatch
        default: return .notFound
        }
    }

    /// Host key algorithms this file holds a key of for the host, so the handshake can
    /// ask for one of those first (as OpenSSH does) instead of a type it would not find.
    func knownAlgorithms(address: String, port: Int) -> [String] {
        let name = KnownHosts.entryName(address: address, port: port)
        // A placeholder key never matches: a mismatch means "a key of this type is on file".
        let probe = "AAAA"
        return HostKey.knownHostMasks.sorted { $0.key > $1.key }.compactMap { type, mask in
            let rc = lock.withLock { _ in
                libssh2_knownhost_checkp(
                    handle, name, -1, probe, 0,
                    LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_BASE64 | mask, nil)
            }
            guard rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH, let algorithm = HostKey.algorithms[type] else { return nil }
            return algorithm
        }
    }

    /// Serializes appends of one process; `flock` serializes them across processes.
    private static let appendLock = Mutex(())

    /// Records `key` for the host (accept-new). Under the lock the file is read again:
    /// if another session recorded a key for the host meanwhile, the new key is checked
    /// against that one instead of being added a second time.
    static func record(path: String, address: String, port: Int, key: HostKey) throws(KnownHostsError) -> Verdict {
        try appendLock.withLock { _ throws(KnownHostsError) -> Verdict in
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw .unwritable("cannot open \(path) to record a new host key: \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            guard flock(fd, LOCK_EX) == 0 else { throw .unwritable("cannot lock \(path): \(String(cString: strerror(errno)))") }
            defer { flock(fd, LOCK_UN) }
            let fresh = try KnownHosts(path: path)
            let verdict = fresh.check(address: address, port: port, key: key)
            if verdict != .notFound { return verdict }
            let line = "\(entryName(address: address, port: port)) \(key.algorithm) \(Data(key.blob).base64EncodedString())\n"
            let bytes = Array(line.utf8)
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == bytes.count else { throw .unwritable("cannot append to \(path): \(String(cString: strerror(errno)))") }
            return .match
        }
    }
}

/// Every known_hosts file `ssh` reads for a host, in its order: the user's
/// (UserKnownHostsFile), then the machine's (GlobalKnownHostsFile). As in `ssh`, a key that
/// any file holds for the host is accepted, unless one marks it `@revoked`; otherwise a file
/// holding another key of that type for the host makes it a changed key.
struct KnownHostsFiles {
    let files: [KnownHosts]
    /// Where `accept-new` records a new key: the user's first file, if there is one.
    let recordPath: String?

    init(user: [String], global: [String], store: KnownHostsStore = .shared) throws(KnownHostsError) {
        var files: [KnownHosts] = []
        for path in user + global where !files.contains(where: { $0.path == path }) {
            files.append(try store.file(path))
        }
        self.files = files
        recordPath = user.first
    }

    /// The verdict, and the file that gave it (nil for `notFound`).
    func check(address: String, port: Int, key: HostKey) -> (verdict: KnownHosts.Verdict, path: String?) {
        let verdicts = files.map { ($0.check(address: address, port: port, key: key), $0.path) }
        for wanted in [KnownHosts.Verdict.revoked, .match, .mismatch] {
            if let found = verdicts.first(where: { $0.0 == wanted }) { return (wanted, found.1) }
        }
        return (.notFound, nil)
    }

    /// The host key algorithms any file holds a key of for the host, first file first.
    func knownAlgorithms(address: String, port: Int) -> [String] {
        var algorithms: [String] = []
        for file in files {
            for a in file.knownAlgorithms(address: address, port: port) where !algorithms.contains(a) { algorithms.append(a) }
        }
        return algorithms
    }

    /// That no file holds a key of `algorithm` for the host, as a clause.
    func holdNoKey(_ algorithm: String) -> String {
        switch files.count {
        case 0: "no known_hosts file is read (UserKnownHostsFile and GlobalKnownHostsFile are none)"
        case 1: "\(files[0].path) holds no \(algorithm) key for it"
        default: "none of \(files.map(\.path).joined(separator: ", ")) holds a \(algorithm) key for it"
        }
    }
}

/// The known_hosts files of the process, each read once and shared by every session that
/// checks a host key against it, until the file changes (another device, inode, size or
/// modification time: an `accept-new` append, an edit, a replacement).
///
/// Each session used to read every file into a collection of its own: at 1,000 sessions
/// and a known_hosts of 250 hosts, that was 250,000 parsed lines and 57 MB of the
/// controller's peak memory (heaptrack), for the same few kilobytes of file.
final class KnownHostsStore: Sendable {
    static let shared = KnownHostsStore()

    private struct Entry {
        let identity: FileStatus.Identity?
        let file: KnownHosts
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// `path` as it is now. Read under the lock, so sessions that start together wait for
    /// one reading instead of each making its own.
    func file(_ path: String) throws(KnownHostsError) -> KnownHosts {
        try entries.withLock { entries throws(KnownHostsError) -> KnownHosts in
            // Before the read: a change after it is seen as a change next time. A missing
            // file (nil) stays the empty one it was until it appears.
            let identity = FileStatus.of(path)?.identity
            if let entry = entries[path], entry.identity == identity { return entry.file }
            let file = try KnownHosts(path: path)
            entries[path] = Entry(identity: identity, file: file)
            return file
        }
    }
}

enum KnownHostsError: Error {
    case unreadable(String)
    case unwritable(String)

    var message: String {
        switch self {
        case .unreadable(let m), .unwritable(let m): return m
        }
    }
}
