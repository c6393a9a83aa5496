import Foundation
import Glibc
import Testing

@testable import Vault

/// The fixtures `Fixtures/make-fixtures.sh` made with the real ansible-vault.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
    }

    /// A password file's password, as Ansible reads it (stripped).
    static func password(_ label: String) throws -> [UInt8] {
        Array(try text("passwords/\(label).pass").trimmingCharacters(in: .whitespacesAndNewlines).utf8)
    }

    static func secret(_ label: String) throws -> VaultSecret {
        VaultSecret(label: label, password: try password(label), origin: "--vault-id \(label)@\(label).pass")
    }
}

/// A fresh directory under the system's temporary directory, removed at the end of `body`.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("postfleet-vault-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory.path)
}

/// Writes `text` to `path` with permission bits `mode`. The file is opened close-on-exec,
/// so a process another test starts meanwhile does not keep it open for writing, which
/// would make running it fail ("text file busy").
func write(_ text: String, to path: String, mode: Int = 0o644) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(mode))
    guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    guard Glibc.write(fd, bytes, bytes.count) == bytes.count else { throw CocoaError(.fileWriteUnknown) }
    _ = fchmod(fd, mode_t(mode))
}

/// The envelope with its inner text (salt \n hmac \n ciphertext, in hex) changed by
/// `change`, then written again as ansible-vault writes it: hex, in lines of 80.
func tampered(_ envelope: String, _ change: (inout [UInt8]) -> Void) -> String {
    let lines = envelope.split(separator: "\n")
    var inner = Hex.decode(lines.dropFirst().joined().utf8)!
    change(&inner)
    let hex = inner.map { String(format: "%02x", $0) }.joined()
    var out = String(lines[0]) + "\n"
    var rest = Substring(hex)
    while !rest.isEmpty {
        out += rest.prefix(80) + "\n"
        rest = rest.dropFirst(80)
    }
    return out
}

/// The index in the inner text of the first hex digit of part `part` (0 salt, 1 HMAC, 2 ciphertext).
func start(ofPart part: Int, in inner: [UInt8]) -> Int {
    var index = 0
    for _ in 0..<part { index = inner[index...].firstIndex(of: 0x0A)! + 1 }
    return index
}

/// One hex digit changed into another (`0` ↔ `1`, ...), so the text stays hexadecimal.
func flipDigit(_ digit: inout UInt8) {
    digit = digit == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
}
