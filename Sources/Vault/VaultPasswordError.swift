/// A vault password that could not be had: the file is missing, the script failed, the
/// prompt was left empty. It names the option or setting that gave it, and never the password.
public struct VaultPasswordError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--vault-password-file pw.txt`, `--vault-id prod@prompt`, `ANSIBLE_VAULT_PASSWORD_FILE x`.
    public let origin: String
    public let reason: String

    public init(origin: String, reason: String) {
        self.origin = origin
        self.reason = reason
    }

    public var description: String { "\(origin): \(reason)" }
}
