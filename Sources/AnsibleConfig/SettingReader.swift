import Foundation
import Inventory

/// One of Ansible's settings: its environment variables and its ansible.cfg keys, each
/// list in Ansible's order (a later one that is set wins over an earlier one).
struct Setting: Sendable {
    let environment: [String]
    let file: [(section: String, key: String)]

    init(_ environment: [String], _ file: [(section: String, key: String)]) {
        self.environment = environment
        self.file = file
    }

    static let inventory = Setting(["ANSIBLE_INVENTORY"], [("defaults", "inventory")])
    static let remoteUser = Setting(["ANSIBLE_REMOTE_USER"], [("defaults", "remote_user")])
    static let privateKeyFile = Setting(["ANSIBLE_PRIVATE_KEY_FILE"], [("defaults", "private_key_file")])
    static let forks = Setting(["ANSIBLE_FORKS"], [("defaults", "forks")])
    // The ssh connection plugin's options, which take [ssh_connection] too.
    static let hostKeyChecking = Setting(["ANSIBLE_HOST_KEY_CHECKING", "ANSIBLE_SSH_HOST_KEY_CHECKING"],
                                         [("defaults", "host_key_checking"), ("ssh_connection", "host_key_checking")])
    static let timeout = Setting(["ANSIBLE_TIMEOUT", "ANSIBLE_SSH_TIMEOUT"], [("defaults", "timeout"), ("ssh_connection", "timeout")])
    static let become = Setting(["ANSIBLE_BECOME"], [("privilege_escalation", "become")])
    static let vaultPasswordFile = Setting(["ANSIBLE_VAULT_PASSWORD_FILE"], [("defaults", "vault_password_file")])
    static let vaultIdentityList = Setting(["ANSIBLE_VAULT_IDENTITY_LIST"], [("defaults", "vault_identity_list")])
    static let vaultIdentity = Setting(["ANSIBLE_VAULT_IDENTITY"], [("defaults", "vault_identity")])
    static let askVaultPass = Setting(["ANSIBLE_ASK_VAULT_PASS"], [("defaults", "ask_vault_pass")])
    static let vaultIdMatch = Setting(["ANSIBLE_VAULT_ID_MATCH"], [("defaults", "vault_id_match")])
    static let retryFilesEnabled = Setting(["ANSIBLE_RETRY_FILES_ENABLED"], [("defaults", "retry_files_enabled")])
    static let retryFilesSavePath = Setting(["ANSIBLE_RETRY_FILES_SAVE_PATH"], [("defaults", "retry_files_save_path")])
    /// postfleet's own: the controller's change record (`postfleet run --log`).
    static let changeLog = Setting(["POSTFLEET_CHANGE_LOG"], [("postfleet", "change_log")])
    static let ignoreExtensions = Setting(["ANSIBLE_INVENTORY_IGNORE"],
                                          [("defaults", "inventory_ignore_extensions"), ("inventory", "ignore_extensions")])
    static let ignorePatterns = Setting(["ANSIBLE_INVENTORY_IGNORE_REGEX"],
                                        [("defaults", "inventory_ignore_patterns"), ("inventory", "ignore_patterns")])
}

/// Reads settings from the environment, else from ansible.cfg, and converts them as
/// Ansible's `ensure_type` does, except that a boolean must be one of Ansible's words
/// (Ansible takes any other text as false, which would turn host key checking off).
struct SettingReader {
    let file: ConfigFile?
    let environment: [String: String]
    let paths: PathExpansion

    /// A setting's text and where it came from.
    struct Raw {
        let text: String
        /// The environment variable, or nil for ansible.cfg.
        let variable: String?
        let entry: ConfigFile.Entry?
    }

    func fill(_ config: inout AnsibleConfig) throws {
        config.inventory = try pathList(.inventory)
        config.remoteUser = try string(.remoteUser)
        config.privateKeyFile = try path(.privateKeyFile)
        config.forks = try integer(.forks, what: "forks", minimum: 1)
        config.hostKeyChecking = try boolean(.hostKeyChecking, what: "host_key_checking")
        config.timeout = try integer(.timeout, what: "timeout", minimum: 1)
        config.become = try boolean(.become, what: "become")
        config.vaultPasswordFile = try path(.vaultPasswordFile)
        config.vaultIdentityList = try list(.vaultIdentityList) ?? []
        config.vaultIdentity = try string(.vaultIdentity) ?? config.vaultIdentity
        config.askVaultPass = try boolean(.askVaultPass, what: "ask_vault_pass") ?? false
        config.vaultIdMatch = try boolean(.vaultIdMatch, what: "vault_id_match") ?? false
        config.retryFilesEnabled = try boolean(.retryFilesEnabled, what: "retry_files_enabled")
        config.retryFilesSavePath = try path(.retryFilesSavePath)
        config.changeLog = try path(.changeLog)
        if let extensions = try list(.ignoreExtensions) { config.inventoryIgnore.extensions = extensions }
        if let patterns = try list(.ignorePatterns) {
            config.inventoryIgnore.patterns = patterns
            if let (pattern, reason) = config.inventoryIgnore.invalidPattern(), let raw = raw(.ignorePatterns) {
                throw problem("inventory_ignore_patterns: '\(pattern)' is \(reason)", raw)
            }
        }
    }

    /// The setting's text: the last of its environment variables that is set, else the last
    /// of its keys in ansible.cfg; nil when none is. An empty environment variable means
    /// the default, ansible.cfg unread (as Ansible has it for settings that are not text).
    func raw(_ setting: Setting) -> Raw? {
        if let name = setting.environment.last(where: { environment[$0] != nil }) {
            let text = environment[name]!
            return text.isEmpty ? nil : Raw(text: text, variable: name, entry: nil)
        }
        guard let file else { return nil }
        for (section, key) in setting.file.reversed() {
            if let entry = file.entry(section: section, key: key) { return Raw(text: entry.value, variable: nil, entry: entry) }
        }
        return nil
    }

    /// A mistake in a setting: at its line of ansible.cfg, or naming its environment variable.
    func problem(_ message: String, _ raw: Raw) -> any Error {
        if let entry = raw.entry, let file {
            return file.source.error(message, line: entry.line, column: entry.column)
        }
        return ConfigSettingError(setting: raw.variable ?? "?", message: message)
    }

    /// Text; from ansible.cfg without surrounding quotes (Ansible's `unquote`).
    func string(_ setting: Setting) throws -> String? {
        guard let raw = raw(setting) else { return nil }
        let text = raw.entry == nil ? raw.text : raw.text.ansibleUnquoted
        return text.isEmpty ? nil : text
    }

    func path(_ setting: Setting) throws -> String? {
        guard let raw = raw(setting), let text = try string(setting) else { return nil }
        return paths.resolve(text, relativeTo: base(of: raw))
    }

    /// Ansible's `pathlist`: comma-separated paths (empty items left out, where Ansible would
    /// take the directory itself).
    func pathList(_ setting: Setting) throws -> [String]? {
        guard let raw = raw(setting) else { return nil }
        let items = raw.text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        return items.map { paths.resolve($0, relativeTo: base(of: raw)) }
    }

    /// Ansible's `list`: comma-separated, each item stripped and unquoted (empty ones left out).
    func list(_ setting: Setting) throws -> [String]? {
        guard let raw = raw(setting) else { return nil }
        return raw.text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines).ansibleUnquoted }.filter { !$0.isEmpty }
    }

    func integer(_ setting: Setting, what: String, minimum: Int) throws -> Int? {
        guard let raw = raw(setting) else { return nil }
        let text = raw.text.trimmingCharacters(in: .whitespaces).ansibleUnquoted
        let pattern = #"^[+-]?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?$"#
        guard text.range(of: pattern, options: .regularExpression) != nil, let number = Double(text),
              number == number.rounded(), abs(number) < 1e15 else {
            throw problem("\(what) must be a whole number, not '\(raw.text)'", raw)
        }
        guard Int(number) >= minimum else { throw problem("\(what) must be at least \(minimum), not \(Int(number))", raw) }
        return Int(number)
    }

    static let trueWords: Set<String> = ["y", "yes", "on", "1", "true", "t", "1.0"]
    static let falseWords: Set<String> = ["n", "no", "off", "0", "false", "f", "0.0"]

    func boolean(_ setting: Setting, what: String) throws -> Bool? {
        guard let raw = raw(setting) else { return nil }
        let word = raw.text.trimmingCharacters(in: .whitespaces).ansibleUnquoted.lowercased()
        if Self.trueWords.contains(word) { return true }
        if Self.falseWords.contains(word) { return false }
        throw problem("\(what) must be true or false (or yes, no, on, off, 1, 0), not '\(raw.text)'", raw)
    }

    /// Where a relative path starts: ansible.cfg's directory, or the current directory.
    private func base(of raw: Raw) -> String? {
        guard raw.entry != nil, let file else { return nil }
        return (file.source.path as NSString).deletingLastPathComponent
    }
}
