import Crypto
import _CryptoExtras

/// Ansible's `VaultAES256`: PBKDF2-HMAC-SHA256 (10,000 rounds) turns the password and the
/// salt into 80 bytes, an AES-256 key, an HMAC-SHA256 key and a 16-byte counter block;
/// the HMAC of the ciphertext is checked first, in constant time, then the ciphertext is
/// decrypted with AES-256 in CTR mode and its PKCS#7 padding taken off.
/// Every primitive is swift-crypto's (BoringSSL's).
package enum VaultCipher {
    static let rounds = 10_000
    static let keyLength = 32
    static let counterLength = 16

    /// The plaintext, or nil when the password does not give the envelope's HMAC (a wrong
    /// password, or a salt, HMAC or ciphertext changed since).
    ///
    /// - Throws: ``VaultError/badPadding`` when the HMAC holds but the padding does not.
    static func decrypt(_ envelope: VaultEnvelope, password: [UInt8]) throws(VaultError) -> [UInt8]? {
        let derived: SymmetricKey
        do {
            derived = try KDF.Insecure.PBKDF2.deriveKey(
                from: password, salt: envelope.salt, using: .sha256,
                outputByteCount: 2 * keyLength + counterLength, unsafeUncheckedRounds: rounds)
        } catch {
            // BoringSSL's PBKDF2 fails only on a length or round count out of range; these are constants.
            preconditionFailure("PBKDF2 refused Ansible's parameters: \(error)")
        }
        let bytes = derived.withUnsafeBytes { Array($0) }
        let cipherKey = SymmetricKey(data: bytes[0..<keyLength])
        let macKey = SymmetricKey(data: bytes[keyLength..<(2 * keyLength)])
        let counter = bytes[(2 * keyLength)...]

        guard HMAC<SHA256>.isValidAuthenticationCode(envelope.hmac, authenticating: envelope.ciphertext, using: macKey) else {
            return nil
        }
        let padded: [UInt8]
        do {
            padded = Array(try AES._CTR.decrypt(envelope.ciphertext, using: cipherKey, nonce: AES._CTR.Nonce(nonceBytes: counter)))
        } catch {
            preconditionFailure("AES-CTR refused a 32-byte key and a 16-byte counter block: \(error)")
        }
        return try unpadded(padded)
    }

    /// PKCS#7 with AES's 16-byte blocks, as `cryptography`'s unpadder checks it: a whole
    /// number of blocks, the last byte n from 1 to 16, and the last n bytes all n.
    static func unpadded(_ padded: [UInt8]) throws(VaultError) -> [UInt8] {
        guard !padded.isEmpty, padded.count % 16 == 0, let n = padded.last, (1...16).contains(n),
              padded.suffix(Int(n)).allSatisfy({ $0 == n })
        else { throw .badPadding }
        return Array(padded.dropLast(Int(n)))
    }
}
