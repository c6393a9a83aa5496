import Foundation
import Inventory
import FileStatus

/// The settings of Ansible's configuration that postfleet has, as Ansible finds them:
/// the `ANSIBLE_*` environment variable over ansible.cfg, ansible.cfg over the default
/// (the command line, over both, is the caller's). The ansible.cfg read is the first of
/// `$ANSIBLE_CONFIG` (a file, or a directory holding ansible.cfg), `./ansible.cfg` (not in a
/// world-writable directory, which is warned about), `~/.ansible.cfg`,
/// `/etc/ansible/ansible.cfg` that exists and can be read; only that one.
///
/// Relative paths in ansible.cfg are relative to its directory, in the environment to the
/// current directory; `~` and `$VAR` are expanded in both. Keys postfleet does not know are
/// ignored, as Ansible ignores them; those that change how Ansible connects and that
/// postfleet does not follow are listed in ``warnings``.
public struct AnsibleConfig: Sendable, Equatable {
    /// The ansible.cfg read, or nil when none was found.
    public var file: String?
    /// `inventory` (ANSIBLE_INVENTORY): the inventory sources when no `-i` is given.
    public var inventory: [String]?
    /// `remote_user` (ANSIBLE_REMOTE_USER): the user where the inventory gives none.
    public var remoteUser: String?
    /// `private_key_file` (ANSIBLE_PRIVATE_KEY_FILE).
    public var privateKeyFile: String?
    /// `forks` (ANSIBLE_FORKS); Ansible's default is 5, postfleet's every host up to 100.
    public var forks: Int?
    /// `host_key_checking` (ANSIBLE_HOST_KEY_CHECKING): false turns host key checking off.
    public var hostKeyChecking: Bool?
    /// `timeout` (ANSIBLE_TIMEOUT): seconds to connect (postfleet's `--connect-timeout`).
    public var timeout: Int?
    /// `[privilege_escalation] become` (ANSIBLE_BECOME): as `--become`.
    public var become: Bool?
    /// `vault_password_file` (ANSIBLE_VAULT_PASSWORD_FILE), for the vault.
    public var vaultPasswordFile: String?
    /// `vault_identity_list` (ANSIBLE_VAULT_IDENTITY_LIST): `LABEL@SOURCE` items, for the vault.
    public var vaultIdentityList: [String] = []
    /// `vault_identity` (ANSIBLE_VAULT_IDENTITY): the label of an unlabelled vault id.
    public var vaultIdentity = "default"
    /// `ask_vault_pass` (ANSIBLE_ASK_VAULT_PASS).
    public var askVaultPass = false
    /// `vault_id_match` (ANSIBLE_VAULT_ID_MATCH): try only the password of a value's label.
    public var vaultIdMatch = false
    /// `retry_files_enabled` (ANSIBLE_RETRY_FILES_ENABLED); nil when unset, and then
    /// postfleet writes retry files (Ansible's default is off: see docs/COMMANDS.md).
    public var retryFilesEnabled: Bool?
    /// `retry_files_save_path` (ANSIBLE_RETRY_FILES_SAVE_PATH): where retry files go
    /// instead of beside the playbook.
    public var retryFilesSavePath: String?
    /// `[postfleet] change_log` (POSTFLEET_CHANGE_LOG): where the controller appends its
    /// change record, as `--log` (postfleet's own setting, in ansible.cfg's format).
    public var changeLog: String?
    /// `inventory_ignore_extensions` and `inventory_ignore_patterns`: what an inventory directory leaves out.
    public var inventoryIgnore = InventoryIgnore()
    /// What to tell the user: a world-writable current directory's ansible.cfg passed over,
    /// settings that postfleet does not follow.
    public var warnings: [String] = []

    /// No ansible.cfg, no environment: Ansible's defaults.
    public init() {}

    /// Finds and reads ansible.cfg, and the environment's settings.
    ///
    /// - Parameters:
    ///   - environment: The process's environment.
    ///   - currentDirectory: Where `./ansible.cfg` is looked for and relative paths of the environment start.
    ///   - home: The home directory, for `~/.ansible.cfg` and `~` in paths.
    /// - Throws: `SourceError` at the line of ansible.cfg at fault, ``ConfigSettingError``
    ///   for an environment variable, `FileError` for an ansible.cfg that cannot be read.
    public static func load(environment: [String: String], currentDirectory: String, home: String) throws -> AnsibleConfig {
        var config = AnsibleConfig()
        let paths = PathExpansion(environment: environment, currentDirectory: currentDirectory, home: home)
        let found = try find(environment: environment, paths: paths)
        config.file = found.file
        config.warnings = found.warnings
        var file: ConfigFile?
        if let path = found.file { file = try ConfigFile.parse(SourceText.read(path: path)) }
        let reader = SettingReader(file: file, environment: environment, paths: paths)
        try reader.fill(&config)
        config.warnings += reader.unfollowed()
        return config
    }

    /// The ansible.cfg to read, as Ansible's `find_ini_config_file` picks it, and the warning
    /// about a world-writable current directory.
    static func find(environment: [String: String], paths: PathExpansion) throws -> (file: String?, warnings: [String]) {
        var candidates: [String] = []
        var fromEnvironment: String?
        if let given = environment["ANSIBLE_CONFIG"] {
            var path = paths.resolve(given, relativeTo: nil)
            if PathExpansion.isDirectory(path) { path = PathExpansion.joined(path, "ansible.cfg") }
            candidates.append(path)
            fromEnvironment = path
        }
        var skippedPublic = false
        let local = PathExpansion.joined(paths.currentDirectory, "ansible.cfg")
        if let status = FileStatus.of(paths.currentDirectory) {
            if status.permissions & 0o002 != 0 {
                skippedPublic = FileManager.default.fileExists(atPath: local)
            } else {
                candidates.append(local)
            }
        }
        candidates.append(PathExpansion.joined(paths.home, ".ansible.cfg"))
        candidates.append("/etc/ansible/ansible.cfg")
        let file = candidates.first { FileManager.default.fileExists(atPath: $0) && access($0, R_OK) == 0 }
        var warnings: [String] = []
        // Unless ANSIBLE_CONFIG named the file read.
        if skippedPublic && (fromEnvironment == nil || file != fromEnvironment) {
            warnings.append("\(local) is ignored, as Ansible ignores it: the directory \(paths.currentDirectory) is world-writable (anyone could put an ansible.cfg there); set ANSIBLE_CONFIG to use it")
        }
        if let file {
            let ext = (file as NSString).pathExtension
            guard ext == "cfg" || ext == "ini" else {
                throw ConfigSettingError(setting: "ANSIBLE_CONFIG", message: "\(file) must end in .cfg or .ini: Ansible reads ansible.cfg in its INI format only")
            }
        }
        return (file, warnings)
    }
}

/// A setting of the environment that cannot be used, or an ansible.cfg that cannot be: no line to point at.
public struct ConfigSettingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The environment variable: `ANSIBLE_FORKS`.
    public let setting: String
    /// What is wrong, as one sentence without a trailing period.
    public let message: String

    public init(setting: String, message: String) {
        self.setting = setting
        self.message = message
    }

    /// `ANSIBLE_FORKS: error: must be an integer, not 'many'`.
    public var description: String { "\(setting): error: \(message)" }
}
