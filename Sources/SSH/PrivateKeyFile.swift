import Foundation

/// Just enough of OpenSSH's private key container to name the key's type, which is
/// stored unencrypted ahead of the (possibly encrypted) private part.
enum PrivateKeyFile {
    /// `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, ... or nil if the file is not an
    /// OpenSSH-format key (or cannot be read).
    static func keyType(of path: String) -> String? {
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
        guard var blob = readString(&bytes), let type = readString(&blob) else { return nil }
        return String(decoding: type, as: UTF8.self)
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
