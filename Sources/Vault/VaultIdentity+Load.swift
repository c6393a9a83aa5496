import Foundation

extension VaultIdentity {
    /// How a password is asked for on the terminal: the prompt in, the line typed out.
    public typealias Prompt = @Sendable (String) throws -> String

    /// The passwords of `identities`, read in order into one keyring. A password file that
    /// is itself vault-encrypted is decrypted with the passwords read before it, as Ansible does.
    ///
    /// Stricter than Ansible, which warns about a source it cannot read and goes on when
    /// another works: any source that gives no password is an error.
    public static func keyring(_ identities: [VaultIdentity], settings: VaultSettings,
                               prompt: Prompt = TerminalPrompt.ask) throws(VaultPasswordError) -> VaultKeyring {
        var keyring = VaultKeyring(requireLabelMatch: settings.identityMatch, defaultLabel: settings.identity)
        for identity in identities {
            let password = try identity.password(prompt: prompt, decryptingWith: keyring)
            keyring.secrets.append(VaultSecret(label: identity.label ?? settings.identity, password: password, origin: identity.origin))
        }
        return keyring
    }

    /// This source's password.
    func password(prompt: Prompt, decryptingWith keyring: VaultKeyring) throws(VaultPasswordError) -> [UInt8] {
        let password: [UInt8]
        switch source {
        case .prompt, .askVaultPass:
            let text: String
            do {
                text = try prompt(source == .askVaultPass ? "Vault password: " : "Vault password (\(label ?? keyring.defaultLabel)): ")
            } catch {
                throw fail("\(error)")
            }
            // Python's str.strip(), as Ansible's prompt strips.
            password = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        case let .file(path):
            // Ansible's unfrackpath: `--vault-id prod@~/.vault/prod` reaches the home directory.
            password = try fromFile((path as NSString).expandingTildeInPath, keyring: keyring)
        }
        guard !password.isEmpty else { throw fail("the vault password is empty") }
        return password
    }

    /// Ansible's `get_file_vault_secret`: an executable file is run (a `*-client` script
    /// with `--vault-id LABEL`) and its output taken; any other is read.
    private func fromFile(_ path: String, keyring: VaultKeyring) throws(VaultPasswordError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw fail("no such file") }
        if isDirectory.boolValue { throw fail("it is a directory, not a password file") }
        if Self.isExecutable(path) {
            let output = try PasswordScript(path: path, origin: origin).run(client: Self.isClient(path), label: label)
            return Self.stripping(output, of: [0x0D, 0x0A])
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("cannot be read") }
        var password = Self.stripping(Array(data), of: [0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C])
        if VaultEnvelope.isEncrypted(String(decoding: password, as: UTF8.self)) {
            do {
                password = try keyring.decrypt(String(decoding: password, as: UTF8.self))
            } catch {
                throw fail("the password file is vault-encrypted, and \(error)")
            }
        }
        return Self.stripping(password, of: [0x0D, 0x0A])
    }

    private func fail(_ reason: String) -> VaultPasswordError {
        VaultPasswordError(origin: origin, reason: reason)
    }

    /// Ansible's `is_executable`: any of the three execute bits.
    static func isExecutable(_ path: String) -> Bool {
        guard let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int else { return false }
        return mode & 0o111 != 0
    }

    /// Ansible's `script_is_client`: the name, without its extension, ends in `-client`.
    static func isClient(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent
        let stem = name.lastIndex(of: ".").map { $0 == name.startIndex ? name : String(name[..<$0]) } ?? name
        return stem.hasSuffix("-client")
    }

    /// Python's `bytes.strip(chars)`.
    static func stripping(_ bytes: [UInt8], of set: Set<UInt8>) -> [UInt8] {
        Array(bytes.drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
