import Crypto
import _CryptoExtras

extension VaultCipher {
    /// An envelope as `ansible-vault encrypt` writes it (1.1, or 1.2 with a label), for
    /// tests that need envelopes of their own: a vars file with a mistake in it, many values.
    /// postfleet itself never encrypts.
    package static func encrypt(_ plaintext: [UInt8], password: [UInt8], label: String? = nil,
                                salt: [UInt8] = Array((0..<32).map { _ in UInt8.random(in: 0...255) })) -> String {
        // swiftlint:disable:next force_try
        let derived = try! KDF.Insecure.PBKDF2.deriveKey(from: password, salt: salt, using: .sha256,
                                                         outputByteCount: 2 * keyLength + counterLength, unsafeUncheckedRounds: rounds)
        let bytes = derived.withUnsafeBytes { Array($0) }
        let padding = 16 - plaintext.count % 16
        // swiftlint:disable:next force_try
        let ciphertext = Array(try! AES._CTR.encrypt(plaintext + Array(repeating: UInt8(padding), count: padding),
                                                     using: SymmetricKey(data: bytes[0..<keyLength]),
                                                     nonce: AES._CTR.Nonce(nonceBytes: bytes[(2 * keyLength)...])))
        let mac = Array(HMAC<SHA256>.authenticationCode(for: ciphertext, using: SymmetricKey(data: bytes[keyLength..<(2 * keyLength)])))
        let inner = hex(salt) + "\n" + hex(mac) + "\n" + hex(ciphertext)
        let outer = hex(Array(inner.utf8))
        var text = label.map { "\(VaultEnvelope.header);1.2;AES256;\($0)\n" } ?? "\(VaultEnvelope.header);1.1;AES256\n"
        var rest = Substring(outer)
        while !rest.isEmpty {
            text += rest.prefix(80) + "\n"
            rest = rest.dropFirst(80)
        }
        return text
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
    }
}
