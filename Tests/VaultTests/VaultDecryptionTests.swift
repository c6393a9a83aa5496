import Foundation
import Testing

@testable import Vault

/// Envelopes the real ansible-vault wrote, decrypted, and every way a changed or cut one
/// is refused: never a wrong plaintext.
@Suite struct VaultDecryptionTests {
    @Test func aVersion11FileDecryptsWithItsPassword() throws {
        let keyring = VaultKeyring([try Fixture.secret("default")])
        #expect(try keyring.decrypt(Fixture.text("file-1.1.vault")) == Fixture.bytes("plain.txt"))
        let envelope = try VaultEnvelope(parsing: Fixture.text("file-1.1.vault"))
        #expect(envelope.version == "1.1" && envelope.cipher == "AES256" && envelope.label == nil)
    }

    @Test func aVersion12FileDecryptsAndNamesItsLabel() throws {
        let text = try Fixture.text("file-1.2-prod.vault")
        #expect(try VaultEnvelope(parsing: text).label == "prod")
        #expect(try VaultKeyring([try Fixture.secret("prod")]).decrypt(text) == Fixture.bytes("plain.txt"))
        #expect(try VaultKeyring([try Fixture.secret("prod")]).decryptText(text).contains("mot de passe été ✓"))
    }

    /// 32 bytes of plaintext: PKCS#7 adds a whole block of padding.
    @Test func aWholeBlockOfPaddingComesOff() throws {
        #expect(try VaultKeyring([try Fixture.secret("default")]).decrypt(Fixture.text("block-1.1.vault")) == Fixture.bytes("block.txt"))
    }

    @Test func anInlineValueDecrypts() throws {
        // The YAML block scalar's text: the envelope without its indentation.
        let hosts = try Fixture.text("inventory/hosts.yml")
        let lines = hosts.split(separator: "\n").drop { !$0.contains("smtp_token") }.dropFirst().prefix { $0.hasPrefix("     ") }
        let envelope = lines.map { $0.trimmingCharacters(in: .whitespaces) + "\n" }.joined()
        #expect(try VaultKeyring([try Fixture.secret("default")]).decryptText(envelope) == "tok-4f2a9c")
    }

    @Test func aWrongPasswordIsRefused() throws {
        let keyring = VaultKeyring([VaultSecret(label: "default", password: Array("not-it".utf8), origin: "--vault-password-file wrong.pass")])
        #expect(throws: VaultError.noPasswordFits(tried: ["--vault-password-file wrong.pass"])) {
            try keyring.decrypt(Fixture.text("file-1.1.vault"))
        }
        #expect(throws: VaultError.noPassword) { try VaultKeyring.empty.decrypt(Fixture.text("file-1.1.vault")) }
    }

    @Test("a hex digit changed in the salt, the HMAC or the ciphertext", arguments: [(0, "salt"), (1, "HMAC"), (2, "ciphertext")])
    func aChangedDigitIsRefused(part: Int, name: String) throws {
        let original = try Fixture.text("file-1.1.vault")
        let keyring = VaultKeyring([try Fixture.secret("default")])
        for offset in [0, 7, 31] {
            let text = tampered(original) { inner in flipDigit(&inner[start(ofPart: part, in: inner) + offset]) }
            #expect(text != original)
            #expect(throws: VaultError.noPasswordFits(tried: [try Fixture.secret("default").origin]), "\(name) +\(offset)") {
                try keyring.decrypt(text)
            }
        }
    }

    /// Cut anywhere, an envelope gives an error (malformed, or no password fits), never text.
    @Test func aTruncatedEnvelopeIsRefused() throws {
        let original = try Fixture.text("file-1.1.vault")
        let keyring = VaultKeyring([try Fixture.secret("default")])
        for length in stride(from: 15, to: original.count - 1, by: 7) {
            #expect(throws: VaultError.self, "cut at \(length)") { try keyring.decrypt(String(original.prefix(length))) }
        }
        let lastLineGone = original.split(separator: "\n").dropLast().joined(separator: "\n") + "\n"
        #expect(throws: VaultError.self) { try keyring.decrypt(lastLineGone) }
    }

    @Test func badHexIsMalformedAtItsLine() throws {
        let original = try Fixture.text("file-1.1.vault")
        var lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[3] = "g" + lines[3].dropFirst()
        let error = try #require(throws: VaultError.self) { try VaultKeyring([try Fixture.secret("default")]).decrypt(lines.joined(separator: "\n")) }
        #expect(error == .malformed("line 4 is not hexadecimal", line: 4))
        lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[2] += " "
        #expect(throws: VaultError.malformed("line 3 is not hexadecimal", line: 3)) {
            try VaultKeyring([try Fixture.secret("default")]).decrypt(lines.joined(separator: "\n"))
        }
    }

    @Test(arguments: [
        ("$ANSIBLE_VAULT;1.1\n00\n", "its header '$ANSIBLE_VAULT;1.1' should be $ANSIBLE_VAULT;1.1;AES256 or $ANSIBLE_VAULT;1.2;AES256;LABEL"),
        ("$ANSIBLE_VAULT;1.0;AES\n00\n", "format version '1.0' is not one ansible-vault writes (1.1, 1.2)"),
        ("$ANSIBLE_VAULT;1.1;AES128\n00\n", "cipher 'AES128' is not supported; ansible-vault uses AES256"),
        ("$ANSIBLE_VAULT;1.1;AES256\n616263\n", "it holds only a salt; it was cut short"),
        ("$ANSIBLE_VAULT;1.1;AES256\n6162630a6465\n", "it holds a salt and an HMAC but no ciphertext; it was cut short"),
        ("$ANSIBLE_VAULT;1.1;AES256\n7a7a0a30300a3030\n", "its salt is not hexadecimal"),
        ("$ANSIBLE_VAULT;1.1;AES256\n3030300a30300a3030\n", "its salt is not hexadecimal"),
        ("$ANSIBLE_VAULT;1.1;AES256\n30300a30300a303\n", "its hexadecimal text has an odd number of digits; it was cut short"),
        ("$ANSIBLE_VAULT;1.1;AES256\n30300a30300a7a7a\n", "its ciphertext is not hexadecimal; it was cut short or changed"),
        ("$ANSIBLE_VAULT;1.1;AES256\n3030\u{e9}\n", "it holds a character that is not ASCII"),
    ])
    func malformedEnvelopes(text: String, problem: String) throws {
        let error = try #require(throws: VaultError.self) { try VaultKeyring([try Fixture.secret("default")]).decrypt(text) }
        guard case let .malformed(detail, _) = error else {
            Issue.record("\(error)")
            return
        }
        #expect(detail == problem)
    }

    /// Padding is checked once the HMAC holds: a last byte of 0, of 17, or bytes that differ.
    @Test func badPaddingIsRefused() throws {
        for padded: [UInt8] in [[1, 2, 3] + Array(repeating: 0, count: 13), Array(repeating: 17, count: 16),
                                Array(repeating: 4, count: 13) + [3, 4, 4], [], Array(repeating: 1, count: 15)] {
            #expect(throws: VaultError.badPadding) { try VaultCipher.unpadded(padded) }
        }
        #expect(try VaultCipher.unpadded(Array(repeating: 16, count: 16)) == [])
        #expect(try VaultCipher.unpadded([65, 66] + Array(repeating: 14, count: 14)) == [65, 66])
    }
}
