/// Where vault passwords come from besides the command line, as Ansible's configuration
/// says: ansible.cfg's `[defaults]` and, over it, the environment. A reader of ansible.cfg
/// fills these first; ``applying(environment:)`` then lays the environment over them, as
/// Ansible weighs them (command line, then environment, then file).
///
/// | setting | environment | ansible.cfg [defaults] |
/// |---|---|---|
/// | ``identityList`` | ANSIBLE_VAULT_IDENTITY_LIST | vault_identity_list |
/// | ``passwordFile`` | ANSIBLE_VAULT_PASSWORD_FILE | vault_password_file |
/// | ``askVaultPass`` | ANSIBLE_ASK_VAULT_PASS | ask_vault_pass |
/// | ``identity`` | ANSIBLE_VAULT_IDENTITY | vault_identity |
/// | ``identityMatch`` | ANSIBLE_VAULT_ID_MATCH | vault_id_match |
public struct VaultSettings: Sendable, Equatable {
    /// Ansible's default vault id.
    public static let defaultLabel = "default"

    /// Vault ids (`[LABEL@]SOURCE`) tried before those of `--vault-id`.
    public var identityList: [String] = []
    /// A password file (or script) tried after those of `--vault-password-file`.
    public var passwordFile: String?
    /// Prompt for a password, as `--ask-vault-pass`.
    public var askVaultPass = false
    /// The label of a password given without one, and of a 1.1 envelope.
    public var identity = defaultLabel
    /// Try only the password whose label is the envelope's.
    public var identityMatch = false
    /// Where each setting was read, for messages (`ANSIBLE_VAULT_PASSWORD_FILE`, `ansible.cfg vault_password_file`).
    public var origins: [String: String] = [:]

    public init() {}

    /// These settings with what `environment` sets laid over them.
    public func applying(environment: [String: String]) -> VaultSettings {
        var settings = self
        if let list = environment["ANSIBLE_VAULT_IDENTITY_LIST"] {
            settings.identityList = Self.list(list)
            settings.origins["identityList"] = "ANSIBLE_VAULT_IDENTITY_LIST"
        }
        if let file = environment["ANSIBLE_VAULT_PASSWORD_FILE"] {
            settings.passwordFile = file.isEmpty ? nil : Self.expandingTilde(file, home: environment["HOME"])
            settings.origins["passwordFile"] = "ANSIBLE_VAULT_PASSWORD_FILE"
        }
        if let ask = environment["ANSIBLE_ASK_VAULT_PASS"] { settings.askVaultPass = Self.boolean(ask) }
        if let label = environment["ANSIBLE_VAULT_IDENTITY"], !label.isEmpty { settings.identity = label }
        if let match = environment["ANSIBLE_VAULT_ID_MATCH"] { settings.identityMatch = Self.boolean(match) }
        return settings
    }

    /// Ansible's `list` setting: comma-separated, each item stripped; empty items dropped.
    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingASCIISpace() }.filter { !$0.isEmpty }
    }

    /// Ansible's lenient `boolean`: yes, on, 1, true, t, y (any case) are true; anything else false.
    static func boolean(_ text: String) -> Bool {
        ["y", "yes", "on", "1", "true", "t"].contains(text.trimmingASCIISpace().lowercased())
    }

    /// `~/x` as Ansible's `path` settings expand it.
    static func expandingTilde(_ path: String, home: String?) -> String {
        guard let home, path == "~" || path.hasPrefix("~/") else { return path }
        return home + path.dropFirst()
    }
}
