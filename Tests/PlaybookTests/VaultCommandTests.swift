import Foundation
import Testing
import Vault

/// `postfleet render` and `run` with an inventory and playbook whose secrets live in
/// ansible-vault (the fixtures the real ansible-vault made): the relay password lands in a
/// 0600 sasl_passwd, and no output shows a vault value. No host is contacted.
@Suite struct VaultCommandTests {
    static let fixtures = repositoryRoot + "/Tests/VaultTests/Fixtures"
    /// Every string the fixtures' vault values hold.
    static var plaintexts: [String] {
        ((try? readFile(fixtures + "/plaintexts.txt")) ?? "").split(separator: "\n").map(String.init)
    }

    /// The fixture inventory, its passwords and the playbook in a temporary directory, plus `extra` files.
    func withVaultProject<T>(_ extra: [String: String] = [:], _ body: (String) throws -> T) throws -> T {
        try withTemporaryDirectory { directory in
            var files: [String: String] = [:]
            for path in ["playbook.yml", "inventory/hosts.yml", "inventory/group_vars/all.yml", "inventory/group_vars/border/main.yml",
                         "inventory/group_vars/border/vault.yml", "inventory/host_vars/mta1.yml",
                         "passwords/default.pass", "passwords/prod.pass", "passwords/staging.pass"] {
                files[path] = try readFile(Self.fixtures + "/" + path)
            }
            try write(files.merging(extra) { $1 }, into: directory)
            return try body(directory)
        }
    }

    static let vaultIDs = ["--vault-id", "default@passwords/default.pass", "--vault-id", "prod@passwords/prod.pass",
                           "--vault-id", "staging@passwords/staging.pass"]

    func expectNoVaultValue(_ outputs: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for output in outputs {
            for plaintext in Self.plaintexts {
                #expect(!output.contains(plaintext), "\(plaintext) was shown: \(output)", sourceLocation: sourceLocation)
            }
        }
    }

    func mode(_ path: String) throws -> Int? {
        try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    }

    @Test func renderPutsTheVaultPasswordInA0600TableAndShowsItNowhere() throws {
        try withVaultProject { directory in
            let r = try run(postfleetExecutable, ["render", "playbook.yml", "-i", "inventory/hosts.yml", "--host", "mta2", "--out", "out"] + Self.vaultIDs,
                            in: directory)
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.hasPrefix("mta2: 4 files in "), "\(r.out)")
            let base = directory + "/out/mta2/etc/postfix/"
            #expect(try readFile(base + "sasl_passwd") == "[relay.example.com]:587\trelay-user-7:s3cret-relay-pw\n")
            #expect(try mode(base + "sasl_passwd") == 0o600)
            // Named by no password map, but it holds a vault value: secret too.
            #expect(try readFile(base + "sender_tokens").contains("tok-4f2a9c") && mode(base + "sender_tokens") == 0o600)
            #expect(try mode(base + "generic") == 0o644)
            let postconf = try readFile(base + "main.cf.postconf")
            #expect(postconf.contains("-e 'smtp_helo_name = (secret).mail.example.com'"), "\(postconf)")
            #expect(postconf.contains("relayhost = [relay.example.com]:587"), "\(postconf)")
            expectNoVaultValue([r.out, r.err, postconf])
        }
    }

    /// The passwords from a `-client` script (prod), the environment's password file
    /// (default) and identity list (staging): the same files.
    @Test func renderTakesPasswordsFromAClientScriptAndTheEnvironment() throws {
        let client = "#!/bin/sh\n[ \"$1 $2\" = '--vault-id prod' ] || exit 2\nprintf 'prod Pw 2026!'\n"
        try withVaultProject(["passwords/keyring-client.sh": client]) { directory in
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory + "/passwords/keyring-client.sh")
            let r = try run("/usr/bin/env", [
                "ANSIBLE_VAULT_PASSWORD_FILE=passwords/default.pass", "ANSIBLE_VAULT_IDENTITY_LIST=staging@passwords/staging.pass",
                postfleetExecutable, "render", "playbook.yml", "-i", "inventory/hosts.yml", "--host", "mta2", "--out", "out",
                "--vault-id", "prod@passwords/keyring-client.sh",
            ], in: directory)
            #expect(r.status == 0, "\(r.err)")
            #expect(try readFile(directory + "/out/mta2/etc/postfix/sasl_passwd").contains("s3cret-relay-pw"))
        }
    }

    /// ansible.cfg's vault_password_file and vault_identity_list, as Ansible reads them
    /// with no flag.
    @Test func renderTakesPasswordsFromAnsibleCfg() throws {
        let config = "[defaults]\nvault_password_file = passwords/default.pass\nvault_identity_list = prod@passwords/prod.pass, staging@passwords/staging.pass\n"
        try withVaultProject(["ansible.cfg": config, "empty.cfg": "[defaults]\n"]) { directory in
            let r = try run(postfleetExecutable, ["render", "playbook.yml", "-i", "inventory/hosts.yml", "--host", "mta2", "--out", "out"],
                            in: directory, environment: ["ANSIBLE_CONFIG": directory + "/ansible.cfg"])
            #expect(r.status == 0, "\(r.err)")
            #expect(try readFile(directory + "/out/mta2/etc/postfix/sasl_passwd").contains("s3cret-relay-pw"))
            expectNoVaultValue([r.out, r.err])
            // Under a configuration without them, the same command has no password: an error, nothing written.
            let none = try run(postfleetExecutable, ["render", "playbook.yml", "-i", "inventory/hosts.yml", "--host", "mta2", "--out", "out2"],
                               in: directory, environment: ["ANSIBLE_CONFIG": directory + "/empty.cfg"])
            #expect(none.status == 1 && !FileManager.default.fileExists(atPath: directory + "/out2/mta2"), "\(none.err)")
            #expect(none.err.contains("no vault password"), "\(none.err)")
        }
    }

    /// A wrong password, or a changed digit: an error at the value, exit 1, nothing written.
    @Test func aWrongPasswordOrAChangedFileWritesNothing() throws {
        try withVaultProject(["passwords/wrong.pass": "not it\n"]) { directory in
            let arguments = ["render", "playbook.yml", "-i", "inventory/hosts.yml", "--host", "mta2", "--out", "out"]
            var r = try run(postfleetExecutable, arguments + ["--vault-id", "default@passwords/default.pass", "--vault-id", "prod@passwords/wrong.pass"],
                            in: directory)
            #expect(r.status == 1)
            #expect(r.err.hasPrefix("inventory/hosts.yml:15:23: error: cannot decrypt: none of the 2 vault passwords given"), "\(r.err)")
            #expect(!FileManager.default.fileExists(atPath: directory + "/out"))

            r = try run(postfleetExecutable, arguments, in: directory)
            #expect(r.status == 1 && r.err.hasPrefix("inventory/hosts.yml:3:17: error: this is vault-encrypted and no vault password was given"), "\(r.err)")

            let vaultFile = directory + "/inventory/group_vars/border/vault.yml"
            var lines = try readFile(vaultFile).split(separator: "\n").map(String.init)
            // One inner hex digit changed into another (the low digit of a pair `3X`), in the ciphertext.
            var digits = Array(lines[4])
            let pair = stride(from: 0, to: digits.count - 1, by: 2).first { digits[$0] == "3" }!
            digits[pair + 1] = digits[pair + 1] == "0" ? "1" : "0"
            lines[4] = String(digits)
            try (lines.joined(separator: "\n") + "\n").write(toFile: vaultFile, atomically: true, encoding: .utf8)
            r = try run(postfleetExecutable, arguments + Self.vaultIDs, in: directory)
            #expect(r.status == 1 && r.err.hasPrefix("inventory/group_vars/border/vault.yml:1:1: error: cannot decrypt: none of the 3"), "\(r.err)")
            #expect(!FileManager.default.fileExists(atPath: directory + "/out"))

            r = try run(postfleetExecutable, arguments + ["--vault-password-file", "passwords/none.pass"], in: directory)
            #expect(r.status == 1 && r.err == "postfleet: --vault-password-file passwords/none.pass: no such file\n", "\(r.err)")
        }
    }

    /// `run --check` against a host that refuses the connection (a closed port on loopback):
    /// its login name comes from the vault, the report, its JSON and JUnit name none of the
    /// vault values. With a wrong password, the host (a listener on loopback) is not contacted.
    @Test func runOutputsHideVaultValuesAndAWrongPasswordContactsNoHost() throws {
        let port = try closedLoopbackPort()
        let listener = try LoopbackListener()
        let prod = Array("prod Pw 2026!".utf8)
        let user = VaultCipher.encrypt(Array("vault-login-user".utf8), password: prod, label: "prod")
        func hostVars(_ port: Int) -> String {
            "ansible_host: 127.0.0.1\nansible_port: \(port)\nansible_user: !vault |\n" + user.split(separator: "\n").map { "  \($0)\n" }.joined()
        }
        try withVaultProject(["inventory/host_vars/mta2.yml": hostVars(port)]) { directory in
            let r = try run(postfleetExecutable, ["run", "playbook.yml", "-i", "inventory/hosts.yml", "-l", "mta2", "--check", "--diff",
                                                  "--connect-attempts", "1", "--host-key-policy", "off",
                                                  "--json", "run.json", "--junit", "run.xml"] + Self.vaultIDs, in: directory)
            #expect(r.status == 4, "\(r.out)\(r.err)")
            let json = try readFile(directory + "/run.json"), junit = try readFile(directory + "/run.xml")
            #expect(json.contains("unreachable"), "\(json)")
            expectNoVaultValue([r.out, r.err, json, junit])
            #expect(![r.out, r.err, json, junit].contains { $0.contains("vault-login-user") })
        }
        try withVaultProject(["inventory/host_vars/mta2.yml": hostVars(listener.port), "passwords/wrong.pass": "wrong\n"]) { directory in
            let r = try run(postfleetExecutable, ["run", "playbook.yml", "-i", "inventory/hosts.yml", "-l", "mta2",
                                                  "--vault-id", "default@passwords/default.pass", "--vault-id", "prod@passwords/wrong.pass",
                                                  "--vault-id", "staging@passwords/staging.pass"], in: directory)
            #expect(r.status == 1 && r.err.contains("error: cannot decrypt"), "\(r.err)")
            #expect(listener.connections() == 0)
        }
    }

    /// `postfleet inventory --list` prints what ansible-inventory prints: inline values as
    /// their envelope, the values of an encrypted file decrypted.
    @Test func inventoryListShowsVaultValuesAsAnsibleDoes() throws {
        try withVaultProject { directory in
            let r = try run(postfleetExecutable, ["inventory", "-i", "inventory/hosts.yml", "--host", "mta2"] + Self.vaultIDs, in: directory)
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.contains("\"relay_password\": {\n        \"__ansible_vault\": \"$ANSIBLE_VAULT;1.2;AES256;prod\\n"), "\(r.out)")
            #expect(r.out.contains("\"password\": \"sasl-pw-91\""), "\(r.out)")
            #expect(!r.out.contains("s3cret-relay-pw"))
        }
    }

    /// With POSTFLEET_ANSIBLE_INVENTORY set: the very bytes ansible-inventory prints, from
    /// the executable (the library's side is in InventoryTests' comparison).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["POSTFLEET_ANSIBLE_INVENTORY"].map { !$0.isEmpty } ?? false))
    func inventoryListIsAnsibleInventorysBytes() throws {
        let ansible = ProcessInfo.processInfo.environment["POSTFLEET_ANSIBLE_INVENTORY"]!
        try withVaultProject(["ansible.cfg": "[defaults]\n"]) { directory in
            let arguments = ["-i", "inventory/hosts.yml", "--list"] + Self.vaultIDs
            let ours = try run(postfleetExecutable, ["inventory"] + arguments, in: directory)
            let theirs = try run("/usr/bin/env", ["ANSIBLE_CONFIG=\(directory)/ansible.cfg", "ANSIBLE_HOME=\(directory)/.ansible",
                                                  "ANSIBLE_LOCAL_TEMP=\(directory)/.ansible/tmp", ansible] + arguments, in: directory)
            #expect(ours.status == 0 && theirs.status == 0, "\(ours.err)\(theirs.err)")
            #expect(ours.out == theirs.out)
            #expect(ours.out.contains("__ansible_vault") && ours.out.contains("sasl-pw-91"))
        }
    }

    /// A play's `vars:` may hold `!vault` values; anywhere else in a playbook one is refused.
    @Test func playVarsMayBeVaultedAndNothingElse() throws {
        let prod = Array("prod Pw 2026!".utf8)
        let envelope = VaultCipher.encrypt(Array("play-vault-pw".utf8), password: prod, label: "prod")
        let indented = envelope.split(separator: "\n").map { "      \($0)\n" }.joined()
        let inVars = "- hosts: border\n  vars:\n    hub_password: !vault |\n\(indented)  instances:\n    - name: postfix-out\n      tables:\n        - {name: sasl_passwd, type: hash, secret: false, entries: {hub: \"u:{{ hub_password }}\"}}\n"
        try withVaultProject(["playbook.yml": inVars]) { directory in
            let r = try run(postfleetExecutable, ["render", "playbook.yml", "-i", "inventory/hosts.yml", "--host", "mta2", "--out", "out"] + Self.vaultIDs,
                            in: directory)
            #expect(r.status == 0, "\(r.err)")
            let table = directory + "/out/mta2/etc/postfix-out/sasl_passwd"
            // `secret: false`, yet it holds a vault value: 0600.
            #expect(try readFile(table) == "hub\tu:play-vault-pw\n" && mode(table) == 0o600)
        }
        let inTable = "- hosts: border\n  instances:\n    - name: postfix-out\n      tables:\n        - name: sasl_passwd\n          type: hash\n          entries:\n            hub: !vault |\n" + envelope.split(separator: "\n").map { "              \($0)\n" }.joined()
        try withVaultProject(["playbook.yml": inTable]) { directory in
            let r = try run(postfleetExecutable, ["render", "playbook.yml", "-i", "inventory/hosts.yml", "--host", "mta2", "--out", "out"] + Self.vaultIDs,
                            in: directory)
            #expect(r.status == 1)
            #expect(r.err.hasPrefix("playbook.yml:8:18: error: a vault-encrypted value can only be a variable's value"), "\(r.err)")
        }
    }
}
