import Foundation
import Synchronization

/// Just enough of OpenSSH's private key container to name the key's type, which is
/// stored unencrypted ahead of the (possibly encrypted) private part.
enum PrivateKeyFile {
    /// `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, ... or nil if the file is not an
    /// OpenSSH-format key (or cannot be read).
    static func keyType(of path: String) -> String? {
        guard var blob = publicKeyBlob(of: path), let type = readString(&blob) else { return nil }
        return String(decoding: type, as: UTF8.self)
    }

    /// The public key blob an OpenSSH-format private key file keeps, unencrypted, ahead of
    /// its private part; nil for any other file.
    static func publicKeyBlob(of path: String) -> ArraySlice<UInt8>? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let data = Data(base64Encoded: body) else { return nil }
        var bytes = ArraySlice(data)
        let magic = Array("openssh-key-v1\0".utf8)
        guard bytes.starts(with: magic) else { return nil }
        bytes = bytes.dropFirst(magic.count)
        // cipher name, kdf name, kdf options, number of keys, then the first public key blob.
        for _ in 0..<3 { guard readString(&bytes) != nil else { return nil } }
        guard bytes.count >= 4 else { return nil }
        bytes = bytes.dropFirst(4)
        return readString(&bytes)
    }

    /// `PATH.pub` when it holds the public half of the private key at `path` (the blob
    /// the key file itself keeps); nil otherwise: no such file, another key's, or a key
    /// file that is not in OpenSSH's format. Worked out once per path and run.
    ///
    /// Given no public key, libssh2 1.10 works it out of the private key for every login,
    /// and its OpenSSL backend first tries the file as PEM through OpenSSL 3's decoders,
    /// which try every format they know: a quarter of `postfleet exec`'s CPU on 160
    /// sessions went there. Given the `.pub` file it reads one line. A `.pub` that is not
    /// the key's own would make the server refuse a key it accepts, so it is used only when
    /// it matches.
    static func publicKeyFile(for path: String) -> String? {
        if let known = matchingPublicKeyFiles.withLock({ $0[path] }) { return known }
        let found = matchingPublicKeyFile(path)
        matchingPublicKeyFiles.withLock { $0[path] = .some(found) }
        return found
    }

    private static let matchingPublicKeyFiles = Mutex<[String: String?]>([:])

    private static func matchingPublicKeyFile(_ path: String) -> String? {
        let pub = path + ".pub"
        guard let blob = publicKeyBlob(of: path), let line = try? String(contentsOfFile: pub, encoding: .utf8) else { return nil }
        var typed = blob
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        guard fields.count >= 2, let type = readString(&typed), fields[0].utf8.elementsEqual(type),
              let data = Data(base64Encoded: String(fields[1])), data.elementsEqual(blob) else { return nil }
        return pub
    }

    private static func readString(_ bytes: inout ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard bytes.count >= 4 else { return nil }
        let length = bytes.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        bytes = bytes.dropFirst(4)
        guard bytes.count >= length else { return nil }
        defer { bytes = bytes.dropFirst(length) }
        return bytes.prefix(length)
    }
}
