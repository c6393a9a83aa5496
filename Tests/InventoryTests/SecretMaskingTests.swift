import Inventory
import Testing

/// An error that quotes its source line never prints the value of a secret-looking variable
/// (nor a vault-encrypted one): the key, the location and the caret stay.
@Suite struct SecretMaskingTests {
    static let password = "hunter2-xyz"

    /// The case that was reported: a duplicate key in host_vars whose value is a relay password.
    @Test func aDuplicateKeyInHostVarsDoesNotPrintThePassword() throws {
        let (directory, error) = try loadError([
            "inventory.yml": "all:\n  hosts:\n    mta1: {ansible_host: 198.18.0.1}\n",
            "host_vars/mta1.yml": "relay_user: bob\nrelay_password: \"\(Self.password)\"\nrelay_password: other-pw-zz\n",
        ], inventory: "inventory.yml")
        #expect(error.description.hasPrefix("\(directory)/host_vars/mta1.yml:2:1: error: invalid YAML: key 'relay_password' appears more than once"))
        #expect(error.description.hasSuffix("\nrelay_password: (secret)\n^"), "\(error)")
        #expect(!error.description.contains(Self.password))
    }

    /// A message that quotes the value (a bad tag) is masked too, and the caret stays under the value.
    @Test func aMessageQuotingTheValueIsMasked() throws {
        let (path, error) = try loadError("all:\n  vars:\n    api_token: !!bool \(Self.password)\n")
        #expect(error.description == "\(path):3:16: error: '(secret)' is not a boolean; write true or false\n    api_token: (secret)\n               ^")
    }

    @Test(arguments: [
        // YAML, JSON, flow mappings, INI host lines and sections, Python dicts, master.cf -o.
        ("relay_password: hunter2-xyz", "relay_password: (secret)"),
        ("  \"smtp_passwd\": \"hunter2-xyz\",", "  \"smtp_passwd\": (secret),"),
        ("relay: {user: bob, password: hunter2-xyz, port: 587}", "relay: {user: bob, password: (secret), port: 587}"),
        ("mta1 ansible_host=198.18.0.1 ansible_become_pass=hunter2-xyz port=22", "mta1 ansible_host=198.18.0.1 ansible_become_pass=(secret) port=22"),
        ("vault_token = hunter2 xyz", "vault_token = (secret)"),
        ("creds={'db_secret': 'hunter2-xyz', 'user': 'bob'}", "creds={'db_secret': (secret), 'user': 'bob'}"),
        ("relay/unix: relay unix - - n - - smtp -o smtp_sasl_password_maps=static:u:hunter2-xyz -o a=b",
         "relay/unix: relay unix - - n - - smtp -o smtp_sasl_password_maps=(secret) -o a=b"),
        ("dkim_key: hunter2-xyz", "dkim_key: (secret)"),
        ("    6231353233303061363435316437623764336233353632643430393365353731", "    (secret)"),
        ("$ANSIBLE_VAULT;1.1;AES256", "(secret)"),
    ])
    func secretValuesAreMaskedInTheQuotedLine(line: String, masked: String) {
        let error = SourceError(file: "f.yml", line: 1, column: 1, message: "m", sourceLine: line)
        #expect(error.sourceLine == masked)
        #expect(!error.description.contains("hunter2"))
    }

    @Test(arguments: [
        "ssh_key: /home/admin/.ssh/id_ed25519",
        "ansible_ssh_private_key_file: ~/.ssh/id_ed25519",
        "secret: maybe",
        "smtp_sasl_password_maps: hash:/etc/postfix/sasl_passwd",
        "myhostname: mta1.example.com",
        "hash:/etc/postfix/generic",
    ])
    func otherValuesAreShown(line: String) {
        let error = SourceError(file: "f.yml", line: 1, column: 1, message: "m", sourceLine: line)
        let expected = line.hasPrefix("smtp_sasl") ? "smtp_sasl_password_maps: (secret)" : line
        #expect(error.sourceLine == expected)
    }

    /// The caret moves with the mask: after it, by what the mask changed; inside it, to its start.
    @Test func theCaretFollowsTheMask() {
        let line = "x: {password: hunter2-xyz-long, port: nope}"
        let after = SourceError(file: "f", line: 1, column: 39, message: "m", sourceLine: line)
        #expect(after.description.hasSuffix("x: {password: (secret), port: nope}\n" + String(repeating: " ", count: 30) + "^"))
        #expect(after.column == 39)
        let inside = SourceError(file: "f", line: 1, column: 20, message: "m", sourceLine: line)
        #expect(inside.description.hasSuffix("\n" + String(repeating: " ", count: 14) + "^"))
    }
}
