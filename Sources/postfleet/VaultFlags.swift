import AnsibleConfig
import ArgumentParser
import Fleet
import Foundation
import Vault

/// ansible-vault's password options, as Ansible's commands take them; on every command that
/// loads an inventory. ANSIBLE_VAULT_PASSWORD_FILE, ANSIBLE_VAULT_IDENTITY_LIST,
/// ANSIBLE_ASK_VAULT_PASS, ANSIBLE_VAULT_IDENTITY and ANSIBLE_VAULT_ID_MATCH add to them
/// (``VaultSettings``).
struct VaultFlags: ParsableArguments {
    @Option(name: .customLong("vault-id"),
            help: ArgumentHelp("A vault password and its label: LABEL@FILE (a password file, or a script that prints it), LABEL@prompt, or FILE alone. Repeatable; a value whose label matches is tried with its password first.",
                               valueName: "[label@]source"))
    var vaultIDs: [String] = []

    @Option(name: [.customLong("vault-password-file"), .customLong("vault-pass-file")],
            help: ArgumentHelp("A file holding the vault password (stripped), or an executable that prints it (a *-client script is run with --vault-id LABEL). Repeatable.",
                               valueName: "file"))
    var passwordFiles: [String] = []

    @Flag(name: [.customShort("J"), .customLong("ask-vault-password"), .customLong("ask-vault-pass")],
          help: "Ask for the vault password on the terminal (no echo).")
    var askVaultPass = false

    func validate() throws {
        try refuseControlCharacters(vaultIDs.map { ("--vault-id", $0) } + passwordFiles.map { ("--vault-password-file", $0) })
    }

    /// The passwords, from the options and the environment, in Ansible's order: scripts
    /// run and prompts asked now, once, before anything is loaded.
    /// - Throws: ``InputError`` naming the option or variable whose password could not be had.
    func keyring(config: AnsibleConfig) throws(InputError) -> VaultKeyring {
        var fromFile = VaultSettings()
        fromFile.identityList = config.vaultIdentityList
        fromFile.passwordFile = config.vaultPasswordFile
        fromFile.askVaultPass = config.askVaultPass
        fromFile.identity = config.vaultIdentity
        fromFile.identityMatch = config.vaultIdMatch
        if let path = config.file {
            if !config.vaultIdentityList.isEmpty { fromFile.origins["identityList"] = "\(path) vault_identity_list" }
            if config.vaultPasswordFile != nil { fromFile.origins["passwordFile"] = "\(path) vault_password_file" }
        }
        let settings = fromFile.applying(environment: ProcessInfo.processInfo.environment)
        let identities = VaultIdentity.all(vaultIDs: vaultIDs, passwordFiles: passwordFiles, askVaultPass: askVaultPass, settings: settings)
        do {
            return try VaultIdentity.keyring(identities, settings: settings)
        } catch {
            throw InputError("\(error)")
        }
    }
}
