/// Why a vault-encrypted text could not be read. Each description is a sentence that says
/// what to do; none holds a password or any part of the decrypted text.
public enum VaultError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The envelope is not what ansible-vault writes: the header, the hex body, or the
    /// salt, HMAC and ciphertext inside it. Ansible stops at these too, whatever the password.
    /// `line` counts from the header (1).
    case malformed(String, line: Int)
    /// No vault password was given at all.
    case noPassword
    /// With ANSIBLE_VAULT_ID_MATCH: no password has the envelope's label.
    case noPasswordForLabel(String, have: [String])
    /// Every password was tried and none gives the HMAC the envelope holds: a wrong password,
    /// or an envelope changed after it was written (salt, HMAC or ciphertext).
    case noPasswordFits(tried: [String])
    /// The HMAC matched but the decrypted text does not end in valid PKCS#7 padding: the
    /// envelope was made with the right password by something other than ansible-vault.
    case badPadding
    /// The decrypted text is not UTF-8, so it cannot be a YAML file or a value.
    case notUTF8

    public var description: String {
        switch self {
        case let .malformed(detail, _):
            return "this is not a valid ansible-vault envelope: \(detail)"
        case .noPassword:
            return "this is vault-encrypted and no vault password was given: use --vault-password-file FILE, --vault-id [LABEL@]SOURCE or --ask-vault-pass (or set ANSIBLE_VAULT_PASSWORD_FILE)"
        case let .noPasswordForLabel(label, have):
            let labels = have.map { "'\($0)'" }.joined(separator: ", ")
            return "this is encrypted for vault id '\(label)', and ANSIBLE_VAULT_ID_MATCH allows only its password; the passwords given are for \(labels)"
        case let .noPasswordFits(tried):
            let which = tried.count == 1 ? "the vault password given (\(tried[0])) does not match"
                : "none of the \(tried.count) vault passwords given (\(tried.joined(separator: ", "))) matches"
            return "cannot decrypt: \(which) its HMAC; the password is wrong, or the encrypted text was changed after ansible-vault wrote it"
        case .badPadding:
            return "cannot decrypt: the password matches, but the decrypted text does not end in valid padding; it was not written by ansible-vault"
        case .notUTF8:
            return "the decrypted text is not UTF-8"
        }
    }
}
