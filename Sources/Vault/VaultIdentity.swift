/// One place a vault password comes from, as Ansible's `--vault-id [LABEL@]SOURCE` says it:
/// a file (read, or run when executable), a prompt on the terminal, with the label the
/// password is for.
public struct VaultIdentity: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// `prompt`: "Vault password (LABEL): ".
        case prompt
        /// `--ask-vault-pass`: "Vault password: ".
        case askVaultPass
        /// A password file, or a script that prints the password (`*-client` scripts are
        /// asked for LABEL's with `--vault-id LABEL`).
        case file(String)
    }

    /// The label as written (`prod@...`); nil: the default label, and a `-client` script is
    /// run without `--vault-id`.
    public let label: String?
    public let source: Source
    /// The option or setting that gave it, for messages: `--vault-id prod@pw.txt`.
    public let origin: String

    public init(label: String?, source: Source, origin: String) {
        self.label = label
        self.source = source
        self.origin = origin
    }

    /// `[LABEL@]SOURCE`, split at the first `@` as Ansible's `split_vault_id` splits it;
    /// SOURCE `prompt` prompts, anything else is a file.
    public init(parsing slug: String, origin: String) {
        let label: String?, source: String
        if let at = slug.firstIndex(of: "@") {
            label = String(slug[..<at])
            source = String(slug[slug.index(after: at)...])
        } else {
            label = nil
            source = slug
        }
        switch source {
        case "prompt": self.init(label: label, source: .prompt, origin: origin)
        case "prompt_ask_vault_pass": self.init(label: label, source: .askVaultPass, origin: origin)
        default: self.init(label: label, source: .file(source), origin: origin)
        }
    }

    /// Every source, in the order Ansible's `setup_vault_secrets` takes them: the configured
    /// identity list, then `--vault-id`, then `--vault-password-file` and the configured
    /// password file (each with the default label), then the prompt of `--ask-vault-pass`.
    public static func all(vaultIDs: [String], passwordFiles: [String], askVaultPass: Bool,
                           settings: VaultSettings) -> [VaultIdentity] {
        var identities: [VaultIdentity] = []
        let listOrigin = settings.origins["identityList"] ?? "vault_identity_list"
        identities += settings.identityList.map { VaultIdentity(parsing: $0, origin: "\($0) of \(listOrigin)") }
        identities += vaultIDs.map { VaultIdentity(parsing: $0, origin: "--vault-id \($0)") }
        identities += passwordFiles.map {
            VaultIdentity(label: settings.identity, source: .file($0), origin: "--vault-password-file \($0)")
        }
        if let file = settings.passwordFile {
            let origin = settings.origins["passwordFile"] ?? "vault_password_file"
            identities.append(VaultIdentity(label: settings.identity, source: .file(file), origin: "\(origin) \(file)"))
        }
        if askVaultPass || settings.askVaultPass {
            identities.append(VaultIdentity(label: nil, source: .askVaultPass, origin: "--ask-vault-pass"))
        }
        return identities
    }
}
