import Foundation
import Testing

@testable import Vault

/// Where passwords come from, as Ansible reads them: files, scripts, `-client` scripts,
/// prompts, the environment; and the order they are tried in.
@Suite struct VaultPasswordSourceTests {
    static let noPrompt: VaultIdentity.Prompt = { _ in
        Issue.record("prompted")
        return ""
    }

    func keyring(_ identities: [VaultIdentity], settings: VaultSettings = VaultSettings(),
                 prompt: @escaping VaultIdentity.Prompt = noPrompt) throws(VaultPasswordError) -> VaultKeyring {
        try VaultIdentity.keyring(identities, settings: settings, prompt: prompt)
    }

    func file(_ path: String, label: String? = "default") -> VaultIdentity {
        VaultIdentity(label: label, source: .file(path), origin: "--vault-password-file \(path)")
    }

    @Test func aPasswordFileIsReadAndStripped() throws {
        try withTemporaryDirectory { directory in
            try write("  \tpw with inner space \r\n\n", to: directory + "/pw")
            let secret = try #require(try keyring([file(directory + "/pw")]).secrets.first)
            #expect(secret.password == Array("pw with inner space".utf8) && secret.label == "default")
        }
    }

    /// `~/` is the home directory, as Ansible expands it (a shell does not in `prod@~/x`).
    @Test func aTildeIsTheHomeDirectory() throws {
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        let name = ".postfleet-vault-test-\(UUID().uuidString)"
        try write("home-pw\n", to: home + "/" + name)
        defer { try? FileManager.default.removeItem(atPath: home + "/" + name) }
        #expect(try keyring([VaultIdentity(parsing: "prod@~/\(name)", origin: "--vault-id prod@~/x")]).secrets.first?.password == Array("home-pw".utf8))
    }

    @Test func anExecutableFileIsRunAndItsOutputTaken() throws {
        try withTemporaryDirectory { directory in
            // Only CR and LF come off a script's output, as in Ansible.
            try write("#!/bin/sh\nprintf ' from-script \\n'\n", to: directory + "/pw.sh", mode: 0o700)
            #expect(try keyring([file(directory + "/pw.sh")]).secrets.first?.password == Array(" from-script ".utf8))
            try write("#!/bin/sh\necho nope >&2\nexit 3\n", to: directory + "/fail.sh", mode: 0o755)
            let error = try #require(throws: VaultPasswordError.self) { try keyring([file(directory + "/fail.sh")]) }
            #expect(error.description == "--vault-password-file \(directory)/fail.sh: the password script exited with status 3")
        }
    }

    /// A `*-client` script is asked for its label's password with `--vault-id LABEL`; exit
    /// status 2 means it has none.
    @Test func aClientScriptIsAskedForTheLabel() throws {
        try withTemporaryDirectory { directory in
            let script = directory + "/vault-keyring-client.py"
            try write("""
                #!/bin/sh
                [ "$1" = --vault-id ] || { echo "no --vault-id" >&2; exit 1; }
                case "$2" in prod) echo "pw-of-prod";; dev) echo "pw-of-dev";; *) echo "unknown id $2" >&2; exit 2;; esac
                """, to: script, mode: 0o755)
            let ring = try keyring([VaultIdentity(parsing: "prod@\(script)", origin: "--vault-id prod@client"),
                                    VaultIdentity(parsing: "dev@\(script)", origin: "--vault-id dev@client")])
            #expect(ring.secrets.map(\.label) == ["prod", "dev"])
            #expect(ring.secrets.map { String(decoding: $0.password, as: UTF8.self) } == ["pw-of-prod", "pw-of-dev"])
            let unknown = try #require(throws: VaultPasswordError.self) {
                try keyring([VaultIdentity(parsing: "qa@\(script)", origin: "--vault-id qa@client")])
            }
            #expect(unknown.description == "--vault-id qa@client: the password client script has no password for vault id 'qa' (exit status 2): unknown id qa")
            // Without a label (and so without --vault-id), this one refuses.
            let bare = try #require(throws: VaultPasswordError.self) { try keyring([VaultIdentity(parsing: script, origin: "--vault-id client")]) }
            #expect(bare.reason == "the password script exited with status 1: no --vault-id")
        }
        #expect(VaultIdentity.isClient("/x/vault-client") && VaultIdentity.isClient("a-client.sh") && !VaultIdentity.isClient("a-client-x.sh"))
    }

    @Test func missingEmptyAndDirectorySourcesAreErrors() throws {
        try withTemporaryDirectory { directory in
            try write(" \n", to: directory + "/empty")
            for (path, reason) in [(directory + "/none", "no such file"), (directory, "it is a directory, not a password file"),
                                   (directory + "/empty", "the vault password is empty")] {
                let error = try #require(throws: VaultPasswordError.self) { try keyring([file(path)]) }
                #expect(error.reason == reason)
                #expect(error.origin == "--vault-password-file \(path)")
            }
        }
    }

    /// A password file that is itself vault-encrypted opens with the passwords read before it.
    @Test func anEncryptedPasswordFileOpensWithAnEarlierPassword() throws {
        try withTemporaryDirectory { directory in
            // block.txt's plaintext is the password here.
            let ring = try keyring([file(Fixture.directory + "/passwords/default.pass"), file(Fixture.directory + "/block-1.1.vault", label: "inner")])
            #expect(try ring.secrets.last?.password == Fixture.bytes("block.txt") && ring.secrets.last?.label == "inner")
            let error = try #require(throws: VaultPasswordError.self) { try keyring([file(Fixture.directory + "/block-1.1.vault")]) }
            #expect(error.reason.hasPrefix("the password file is vault-encrypted, and this is vault-encrypted and no vault password was given"))
        }
    }

    @Test func promptsAskWithAnsiblesWords() throws {
        let asked = PromptLog()
        let ring = try keyring([VaultIdentity(parsing: "prod@prompt", origin: "--vault-id prod@prompt"),
                                VaultIdentity(parsing: "prompt", origin: "--vault-id prompt"),
                                VaultIdentity(label: nil, source: .askVaultPass, origin: "--ask-vault-pass")],
                               prompt: { asked.add($0); return "  typed \($0.count)\n" })
        #expect(asked.prompts == ["Vault password (prod): ", "Vault password (default): ", "Vault password: "])
        #expect(ring.secrets.map(\.label) == ["prod", "default", "default"])
        #expect(ring.secrets[2].password == Array("typed 16".utf8))
        let error = try #require(throws: VaultPasswordError.self) {
            try keyring([VaultIdentity(label: nil, source: .askVaultPass, origin: "--ask-vault-pass")], prompt: { _ in " " })
        }
        #expect(error.description == "--ask-vault-pass: the vault password is empty")
    }

    /// Ansible's order: the identity list, --vault-id, --vault-password-file, the configured
    /// password file, then the prompt; labels from ANSIBLE_VAULT_IDENTITY.
    @Test func theOrderOfSourcesIsAnsibles() {
        let settings = VaultSettings().applying(environment: [
            "ANSIBLE_VAULT_IDENTITY_LIST": "a@one, b@prompt,,", "ANSIBLE_VAULT_PASSWORD_FILE": "~/env.pass", "HOME": "/home/u",
            "ANSIBLE_VAULT_IDENTITY": "main", "ANSIBLE_VAULT_ID_MATCH": "yes",
        ])
        #expect(settings.identityMatch && settings.identity == "main" && !settings.askVaultPass)
        let all = VaultIdentity.all(vaultIDs: ["c@three", "four"], passwordFiles: ["five"], askVaultPass: true, settings: settings)
        #expect(all.map(\.origin) == [
            "a@one of ANSIBLE_VAULT_IDENTITY_LIST", "b@prompt of ANSIBLE_VAULT_IDENTITY_LIST", "--vault-id c@three", "--vault-id four",
            "--vault-password-file five", "ANSIBLE_VAULT_PASSWORD_FILE /home/u/env.pass", "--ask-vault-pass",
        ])
        #expect(all.map(\.label) == ["a", "b", "c", nil, "main", "main", nil])
        #expect(all.map(\.source) == [.file("one"), .prompt, .file("three"), .file("four"), .file("five"), .file("/home/u/env.pass"), .askVaultPass])
        #expect(VaultSettings().applying(environment: ["ANSIBLE_ASK_VAULT_PASS": "True"]).askVaultPass)
        #expect(VaultIdentity(parsing: "a@b@c", origin: "").label == "a" && VaultIdentity(parsing: "a@b@c", origin: "").source == .file("b@c"))
    }
}

/// What a test's prompt was asked.
final class PromptLog: @unchecked Sendable {
    private let lock = NSLock()
    private var asked: [String] = []
    func add(_ prompt: String) { lock.withLock { asked.append(prompt) } }
    var prompts: [String] { lock.withLock { asked } }
}
