/// One vault password, and the vault id (label) it is for.
public struct VaultSecret: Sendable {
    /// The vault id: `prod` in `--vault-id prod@FILE`; Ansible's default label otherwise.
    public let label: String
    package let password: [UInt8]
    /// Where it came from, for messages: `--vault-password-file pw.txt`, `--vault-id prod@prompt`.
    public let origin: String

    public init(label: String, password: [UInt8], origin: String) {
        self.label = label
        self.password = password
        self.origin = origin
    }
}

/// The vault passwords of one run, in the order they were given, and how Ansible picks
/// among them: for an envelope of vault id L (a 1.1 envelope has the default label), the
/// passwords labelled L first, then the others in order; with `requireLabelMatch`
/// (ANSIBLE_VAULT_ID_MATCH) only those labelled L.
///
/// ansible-core 2.19 tries the others in the order given too: the first one whose HMAC
/// matches decrypts, so trying the matching label first changes only how soon.
public struct VaultKeyring: Sendable {
    public var secrets: [VaultSecret]
    /// ANSIBLE_VAULT_ID_MATCH.
    public var requireLabelMatch: Bool
    /// ANSIBLE_VAULT_IDENTITY (`default`): the label of a 1.1 envelope, and of a password given without one.
    public var defaultLabel: String

    public init(_ secrets: [VaultSecret] = [], requireLabelMatch: Bool = false, defaultLabel: String = VaultSettings.defaultLabel) {
        self.secrets = secrets
        self.requireLabelMatch = requireLabelMatch
        self.defaultLabel = defaultLabel
    }

    /// No password: any envelope is ``VaultError/noPassword``.
    public static let empty = VaultKeyring()

    /// The plaintext of an envelope.
    /// - Throws: ``VaultError``: malformed, no password, none that fits, bad padding.
    public func decrypt(_ text: String) throws(VaultError) -> [UInt8] {
        let envelope = try VaultEnvelope(parsing: text)
        guard !secrets.isEmpty else { throw .noPassword }
        let label = envelope.label ?? defaultLabel
        let candidates = self.candidates(for: label)
        guard !candidates.isEmpty else { throw .noPasswordForLabel(label, have: secrets.map(\.label)) }
        for secret in candidates {
            if let plaintext = try VaultCipher.decrypt(envelope, password: secret.password) { return plaintext }
        }
        throw .noPasswordFits(tried: candidates.map(\.origin))
    }

    /// The plaintext of an envelope as text.
    /// - Throws: as ``decrypt(_:)``, and ``VaultError/notUTF8``.
    public func decryptText(_ text: String) throws(VaultError) -> String {
        let bytes = try decrypt(text)
        guard let string = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
        return string
    }

    /// The passwords to try for `label`, in order, each distinct password once.
    func candidates(for label: String) -> [VaultSecret] {
        let matching = secrets.filter { $0.label == label }
        let ordered = requireLabelMatch ? matching : matching + secrets.filter { $0.label != label }
        var seen: Set<[UInt8]> = []
        return ordered.filter { seen.insert($0.password).inserted }
    }
}
