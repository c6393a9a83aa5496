import Foundation
import Testing

@testable import Vault

/// Which password is tried for which envelope, as Ansible picks them.
@Suite struct VaultKeyringTests {
    static func secret(_ label: String, _ password: String) -> VaultSecret {
        VaultSecret(label: label, password: Array(password.utf8), origin: "--vault-id \(label)@\(password)")
    }

    @Test func theMatchingLabelIsTriedFirstThenTheOthersInOrder() {
        let keyring = VaultKeyring([Self.secret("dev", "a"), Self.secret("prod", "b"), Self.secret("default", "c"), Self.secret("prod", "d")])
        #expect(keyring.candidates(for: "prod").map(\.origin) == ["--vault-id prod@b", "--vault-id prod@d", "--vault-id dev@a", "--vault-id default@c"])
        #expect(keyring.candidates(for: "default").map(\.origin).first == "--vault-id default@c")
        #expect(keyring.candidates(for: "qa").count == 4)
    }

    @Test func eachDistinctPasswordIsTriedOnce() {
        let keyring = VaultKeyring([Self.secret("a", "same"), Self.secret("b", "same"), Self.secret("c", "other")])
        #expect(keyring.candidates(for: "b").map(\.origin) == ["--vault-id b@same", "--vault-id c@other"])
    }

    /// Several --vault-id: each envelope finds its own password, whatever the order given.
    @Test func severalLabelsDecryptTheirOwnEnvelopes() throws {
        let keyring = VaultKeyring([try Fixture.secret("staging"), try Fixture.secret("prod"), try Fixture.secret("default")])
        #expect(try keyring.decrypt(Fixture.text("file-1.2-prod.vault")) == Fixture.bytes("plain.txt"))
        #expect(try keyring.decrypt(Fixture.text("file-1.1.vault")) == Fixture.bytes("plain.txt"))
        // A 1.2 envelope labelled prod opens with the default password too if that is the
        // password it was made with: the label only orders the tries (Ansible: the same).
        let relabelled = try Fixture.text("file-1.1.vault").replacingOccurrences(of: "$ANSIBLE_VAULT;1.1;AES256", with: "$ANSIBLE_VAULT;1.2;AES256;prod")
        #expect(try keyring.decrypt(relabelled) == Fixture.bytes("plain.txt"))
    }

    /// ANSIBLE_VAULT_ID_MATCH: only the envelope's label.
    @Test func requiringTheLabelTriesOnlyIt() throws {
        var keyring = VaultKeyring([try Fixture.secret("default")], requireLabelMatch: true)
        #expect(throws: VaultError.noPasswordForLabel("prod", have: ["default"])) { try keyring.decrypt(Fixture.text("file-1.2-prod.vault")) }
        keyring.secrets.append(try Fixture.secret("prod"))
        #expect(try keyring.decrypt(Fixture.text("file-1.2-prod.vault")) == Fixture.bytes("plain.txt"))
        // A 1.1 envelope has the default label (ANSIBLE_VAULT_IDENTITY).
        keyring.defaultLabel = "prod"
        #expect(throws: VaultError.self) { try keyring.decrypt(Fixture.text("file-1.1.vault")) }
    }

    @Test func errorsSayWhatWasTriedNeverThePassword() throws {
        let keyring = VaultKeyring([Self.secret("a", "pw-one"), Self.secret("b", "pw-two")])
        let error = try #require(throws: VaultError.self) { try keyring.decrypt(Fixture.text("file-1.1.vault")) }
        #expect(error.description == "cannot decrypt: none of the 2 vault passwords given (--vault-id a@pw-one, --vault-id b@pw-two) matches its HMAC; the password is wrong, or the encrypted text was changed after ansible-vault wrote it")
    }
}
