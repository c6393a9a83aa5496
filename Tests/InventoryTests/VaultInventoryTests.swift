import Foundation
import Testing
import Vault

@testable import Inventory

/// The vault fixtures (Tests/VaultTests/Fixtures, made by the real ansible-vault) loaded as
/// an inventory: what the values are, and where each way of failing is reported.
@Suite struct VaultInventoryTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("VaultTests/Fixtures").path

    static func secret(_ label: String) throws -> VaultSecret {
        let text = try String(contentsOfFile: "\(fixtures)/passwords/\(label).pass", encoding: .utf8)
        return VaultSecret(label: label, password: Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8),
                           origin: "--vault-id \(label)@\(label).pass")
    }

    static var allSecrets: VaultKeyring {
        get throws { VaultKeyring([try secret("default"), try secret("prod"), try secret("staging")]) }
    }

    static func fixture(_ path: String) throws -> String {
        try String(contentsOfFile: "\(fixtures)/inventory/\(path)", encoding: .utf8)
    }

    /// The fixture inventory's files, `changes` over them, in a temporary directory.
    func withInventory<T>(_ changes: [String: String] = [:], _ body: (String) throws -> T) throws -> T {
        var files: [String: String] = [:]
        for path in ["hosts.yml", "group_vars/all.yml", "group_vars/border/main.yml", "group_vars/border/vault.yml", "host_vars/mta1.yml"] {
            files[path] = try Self.fixture(path)
        }
        files.merge(changes) { _, new in new }
        return try withFiles(files.filter { !$0.value.isEmpty }) { directory in try body(directory + "/hosts.yml") }
    }

    func loadError(_ changes: [String: String] = [:], vault: VaultKeyring) throws -> SourceError {
        try withInventory(changes) { path in
            let error = try #require(throws: SourceError.self) { try Inventory.load(path: path, vault: vault) }
            return SourceError(file: (error.file as NSString).lastPathComponent, line: error.line, column: error.column,
                               message: error.message, sourceLine: error.sourceLine)
        }
    }

    @Test func valuesAreVaultStringsThatReadAsTheirPlaintext() throws {
        let inventory = try withInventory { try Inventory.load(path: $0, vault: try Self.allSecrets) }
        let mta1 = try #require(inventory.host(named: "mta1")), mta2 = try #require(inventory.host(named: "mta2"))
        #expect(mta1.vars["relay_password"]?.stringValue == "s3cret-relay-pw")
        guard case let .vault(inline)? = mta1.vars["relay_password"] else { throw CancellationError() }
        #expect(inline.envelope?.hasPrefix("$ANSIBLE_VAULT;1.2;AES256;prod\n") == true)
        // A file encrypted whole: its strings are vault strings without envelope; its numbers stay numbers.
        #expect(mta1.vars["vault_sasl"] == .map(["user": .vault(VaultedString(plaintext: "sasl-user", envelope: nil)),
                                                 "password": .vault(VaultedString(plaintext: "sasl-pw-91", envelope: nil))]))
        #expect(mta1.vars["vault_relay_port"] == .int(587))
        #expect(mta1.vars["relayhost"] == .string("[relay.example.com]:587"))
        #expect(mta1.vars["tls"]?["cert_pass"]?.stringValue == "staging-cert-pw")
        #expect(mta1.vars["api_keys"]?[0]?.stringValue == "key-one-xyz")
        #expect(mta2.vars["relay_user"]?.stringValue == "relay-user-7" && mta2.vars["smtp_token"]?.stringValue == "tok-4f2a9c")
        #expect(Set(inventory.vaultPlaintexts) == ["s3cret-relay-pw", "sasl-user", "sasl-pw-91", "staging-cert-pw", "key-one-xyz",
                                                   "relay-user-7", "tok-4f2a9c", "sel-2026", "one-secret", "two-secret"])
    }

    @Test func connectionVariablesFromTheVaultAreUsed() throws {
        let user = VaultCipher.encrypt(Array("deploy-x".utf8), password: try Self.secret("prod").password, label: "prod")
        let port = VaultCipher.encrypt(Array("2222".utf8), password: try Self.secret("prod").password, label: "prod")
        let yaml = "all:\n  hosts:\n    mta9:\n      ansible_user: !vault |\n\(Self.indented(user, 8))      ansible_port: !vault |\n\(Self.indented(port, 8))"
        let inventory = try withFiles(["hosts.yml": yaml]) { try Inventory.load(path: $0 + "/hosts.yml", vault: try Self.allSecrets) }
        let host = try #require(inventory.host(named: "mta9"))
        #expect(host.user == "deploy-x" && host.port == 2222)
    }

    static func indented(_ text: String, _ spaces: Int) -> String {
        text.split(separator: "\n").map { String(repeating: " ", count: spaces) + $0 + "\n" }.joined()
    }

    @Test func noPasswordIsAnErrorAtTheFirstVaultValue() throws {
        let error = try loadError(vault: .empty)
        #expect(error.location == "hosts.yml:3:17")
        #expect(error.message.hasPrefix("this is vault-encrypted and no vault password was given: use --vault-password-file FILE"))
    }

    @Test func aWrongPasswordIsAnErrorAtTheValueItCannotOpen() throws {
        // Only the default password: the first prod value, relay_user, cannot be opened.
        let error = try loadError(vault: VaultKeyring([try Self.secret("default")]))
        #expect(error.location == "hosts.yml:15:23")
        #expect(error.message == "cannot decrypt: the vault password given (--vault-id default@default.pass) does not match its HMAC; the password is wrong, or the encrypted text was changed after ansible-vault wrote it")
    }

    @Test func aWrongPasswordForAnEncryptedFileIsAnErrorAtItsStart() throws {
        // No inline values left: only group_vars/all.yml (default) and border/vault.yml (prod).
        let hosts = "all:\n  children:\n    border:\n      hosts:\n        mta1:\n"
        let error = try loadError(["hosts.yml": hosts, "host_vars/mta1.yml": ""], vault: VaultKeyring([try Self.secret("default")]))
        #expect(error.location == "vault.yml:1:1")
        #expect(error.message.hasPrefix("cannot decrypt: the vault password given (--vault-id default@default.pass)"))
        #expect(error.sourceLine == "(secret)")
    }

    /// One hex digit changed in an inline value (in the middle of its ciphertext) and in an
    /// encrypted file: each is refused where it is, with the right password.
    @Test func aChangedDigitIsAnErrorWhereItIs() throws {
        var hosts = try Self.fixture("hosts.yml").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The 4th line of relay_password's envelope (line 23) holds ciphertext.
        hosts[27] = Self.flippingADigit(hosts[27])
        let inline = try loadError(["hosts.yml": hosts.joined(separator: "\n")], vault: try Self.allSecrets)
        #expect(inline.location == "hosts.yml:23:25")
        #expect(inline.message.contains("the password is wrong, or the encrypted text was changed after ansible-vault wrote it"))

        var file = try Self.fixture("group_vars/border/vault.yml").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        file[2] = Self.flippingADigit(file[2])
        let whole = try loadError(["group_vars/border/vault.yml": file.joined(separator: "\n")], vault: try Self.allSecrets)
        #expect(whole.location == "vault.yml:1:1")
        #expect(whole.message.hasPrefix("cannot decrypt: none of the 3 vault passwords given"))
    }

    /// `line` (a line of hex, indented) with one inner hex digit changed into another: the
    /// low digit of a pair `3X` (the inner text is hex digits: 0x30 to 0x39, 0x61 to 0x66).
    static func flippingADigit(_ line: String) -> String {
        var characters = Array(line)
        let start = characters.firstIndex { $0 != " " }!
        let pair = stride(from: start + 20, to: characters.count - 1, by: 2).first { characters[$0] == "3" }!
        characters[pair + 1] = characters[pair + 1] == "0" ? "1" : "0"
        return String(characters)
    }

    @Test func aMalformedLineOfAnInlineValueIsPointedAt() throws {
        var hosts = try Self.fixture("hosts.yml").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        hosts[5] = hosts[5].replacingOccurrences(of: "6", with: "x")
        let error = try loadError(["hosts.yml": hosts.joined(separator: "\n")], vault: try Self.allSecrets)
        #expect(error.location == "hosts.yml:6:15")
        #expect(error.message == "this is not a valid ansible-vault envelope: line 3 is not hexadecimal")
    }

    /// A mistake inside an encrypted file: placed in its decrypted text, no line quoted.
    @Test func aMistakeInADecryptedFileQuotesNoLine() throws {
        let text = VaultCipher.encrypt(Array("relay: x\nbad: [unclosed, hunter2-pw\n".utf8), password: try Self.secret("default").password)
        let error = try loadError(["group_vars/all.yml": text], vault: try Self.allSecrets)
        #expect(error.file == "all.yml" && error.line == 3)
        #expect(error.message.hasSuffix("(line 3 of the decrypted text)"))
        #expect(error.sourceLine == "(secret)" && !error.description.contains("hunter2"))
    }

    /// A vault value that is a bad connection value: the error is at its tag, and the message
    /// shows the value as (secret).
    @Test func anErrorAboutAVaultValueHidesIt() throws {
        let port = VaultCipher.encrypt(Array("not-a-port-xyz".utf8), password: try Self.secret("default").password)
        let yaml = "all:\n  hosts:\n    mta9:\n      ansible_port: !vault |\n\(Self.indented(port, 8))"
        let error = try withFiles(["hosts.yml": yaml]) { directory in
            try #require(throws: SourceError.self) { try Inventory.load(path: directory + "/hosts.yml", vault: try Self.allSecrets) }
        }
        #expect(error.line == 4 && error.column == 21)
        #expect(error.message == "ansible_port must be a port number from 1 to 65535, not \"(secret)\"")
        #expect(!error.description.contains("not-a-port-xyz"))
    }

    /// The same in a host_vars file encrypted whole: the value is hidden, the name is not.
    @Test func anErrorAboutAValueOfAnEncryptedFileHidesIt() throws {
        let file = VaultCipher.encrypt(Array("relay: x\nansible_port: not-a-port-zz\n".utf8), password: try Self.secret("default").password)
        let error = try loadError(["host_vars/mta1.yml": file], vault: try Self.allSecrets)
        #expect(error.location == "mta1.yml:2:15")
        #expect(error.message == "ansible_port must be a port number from 1 to 65535, not \"(secret)\" (line 2 of the decrypted text)")
    }

    /// An inventory file encrypted whole, as Ansible reads one.
    @Test func anInventoryEncryptedWholeLoads() throws {
        let text = VaultCipher.encrypt(Array("[border]\nmta1 relay_password=ini-secret-pw ansible_port=2200\n".utf8),
                                       password: try Self.secret("prod").password, label: "prod")
        let inventory = try withFiles(["hosts": text]) { try Inventory.load(path: $0 + "/hosts", vault: try Self.allSecrets) }
        let host = try #require(inventory.host(named: "mta1"))
        #expect(host.vars["relay_password"] == .vault(VaultedString(plaintext: "ini-secret-pw", envelope: nil)))
        #expect(host.port == 2200 && inventory.vaultPlaintexts == ["ini-secret-pw"])
        #expect(inventory.ansibleHostJSON(host).contains("\"relay_password\": \"ini-secret-pw\""))
    }
}
