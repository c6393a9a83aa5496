/// An ansible-vault envelope, as `ansible-vault encrypt` and `encrypt_string` write it:
///
///     $ANSIBLE_VAULT;1.1;AES256            (1.2 adds the vault id: $ANSIBLE_VAULT;1.2;AES256;prod)
///     6636393166343930...                  hex, in lines of 80, of three lines of hex:
///     ...                                  salt \n HMAC-SHA256 \n ciphertext
///
/// Read as Ansible's `parse_vaulttext_envelope` and `parse_vaulttext` read it: the lines
/// after the header are joined as they are (a space in them is an error), decoded from
/// hex, split at the first two line breaks, and the salt and ciphertext decoded again.
/// The label is not authenticated (Ansible says so too): it only picks which password to
/// try first.
public struct VaultEnvelope: Sendable, Hashable {
    /// What every envelope starts with.
    public static let header = "$ANSIBLE_VAULT"

    /// `1.1` or `1.2`.
    public let version: String
    /// `AES256`, the one cipher Ansible reads and writes.
    public let cipher: String
    /// The vault id of a 1.2 envelope (`prod` in `$ANSIBLE_VAULT;1.2;AES256;prod`).
    public let label: String?
    let salt: [UInt8]
    /// The HMAC as the envelope holds it; checked in constant time before anything is decrypted.
    let hmac: [UInt8]
    let ciphertext: [UInt8]

    /// Whether `text` is vault-encrypted: it starts with `$ANSIBLE_VAULT`, as Ansible's
    /// `is_encrypted` asks (no leading space, no byte order mark).
    public static func isEncrypted(_ text: some StringProtocol) -> Bool {
        text.hasPrefix(header)
    }

    /// - Throws: ``VaultError/malformed(_:line:)``, its line counted from the header (1).
    public init(parsing text: String) throws(VaultError) {
        // Python's bytes.splitlines: \n, \r\n and \r end a line.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        guard let first = lines.first, Self.isEncrypted(first) else {
            throw .malformed("it does not start with \(Self.header)", line: 1)
        }
        guard text.unicodeScalars.allSatisfy(\.isASCII) else {
            throw .malformed("it holds a character that is not ASCII", line: Self.firstLine(in: lines) { !$0.unicodeScalars.allSatisfy(\.isASCII) })
        }
        let fields = first.trimmingASCIISpace().split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingASCIISpace() }
        guard fields.count >= 3 else {
            throw .malformed("its header '\(first)' should be \(Self.header);1.1;AES256 or \(Self.header);1.2;AES256;LABEL", line: 1)
        }
        guard fields[1] == "1.1" || fields[1] == "1.2" else {
            throw .malformed("format version '\(fields[1])' is not one ansible-vault writes (1.1, 1.2)", line: 1)
        }
        guard fields[2] == "AES256" else {
            throw .malformed("cipher '\(fields[2])' is not supported; ansible-vault uses AES256", line: 1)
        }
        version = fields[1]
        cipher = fields[2]
        label = fields.count >= 4 ? fields[3] : nil

        let body = lines.dropFirst().joined()
        // Where a text cut short ends: its last line that holds anything.
        let last = (lines.lastIndex { !$0.isEmpty } ?? 0) + 1
        if let bad = Self.firstLine(in: lines, from: 1, where: { !$0.allSatisfy(\.isHexDigit) }) {
            throw .malformed("line \(bad) is not hexadecimal", line: bad)
        }
        guard body.utf8.count % 2 == 0, let inner = Hex.decode(body.utf8) else {
            throw .malformed("its hexadecimal text has an odd number of digits; it was cut short", line: last)
        }
        let parts = inner.split(separator: UInt8(ascii: "\n"), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .malformed("it holds \(parts.count == 1 ? "only a salt" : "a salt and an HMAC but no ciphertext"); it was cut short", line: last)
        }
        guard let salt = Hex.decode(parts[0]) else { throw .malformed("its salt is not hexadecimal", line: 2) }
        guard let hmac = Hex.decode(parts[1]) else { throw .malformed("its HMAC is not hexadecimal", line: 2) }
        guard let ciphertext = Hex.decode(parts[2]) else {
            throw .malformed("its ciphertext is not hexadecimal; it was cut short or changed", line: last)
        }
        self.salt = salt
        self.hmac = hmac
        self.ciphertext = ciphertext
    }

    /// The number (from 1) of the first line from index `start` that `predicate` holds for.
    private static func firstLine(in lines: [Substring], from start: Int = 0, where predicate: (Substring) -> Bool) -> Int? {
        lines.indices.dropFirst(start).first { predicate(lines[$0]) }.map { $0 + 1 }
    }

    private static func firstLine(in lines: [Substring], where predicate: (Substring) -> Bool) -> Int {
        firstLine(in: lines, from: 0, where: predicate) ?? 1
    }
}

/// Python's binascii.unhexlify: pairs of hex digits, either case.
enum Hex {
    static func decode<Digits: Collection>(_ digits: Digits) -> [UInt8]? where Digits.Element == UInt8 {
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var high: UInt8?
        for digit in digits {
            guard let value = value(of: digit) else { return nil }
            if let first = high {
                bytes.append(first << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return bytes
    }

    private static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension StringProtocol {
    /// Python's `bytes.strip()`: ASCII white space off both ends.
    func trimmingASCIISpace() -> String {
        let space: Set<Character> = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\r\n"]
        guard let start = firstIndex(where: { !space.contains($0) }) else { return "" }
        let end = lastIndex(where: { !space.contains($0) })!
        return String(self[start...end])
    }
}
