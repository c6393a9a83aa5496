import Foundation
import Testing

/// The passwords of a real inventory live in ansible-vault: on mta25, the user `pfpass` logs in
/// and becomes root with a password from a group_vars file the real `ansible-vault` encrypted
/// whole, and the relay password of the SASL table is a `!vault` value (1.2, its own label).
extension AccessLabTests {
    /// ansible-vault from the venv scripts/test installs (beside POSTFLEET_ANSIBLE_INVENTORY).
    var ansibleVault: String? {
        guard let inventory = ProcessInfo.processInfo.environment["POSTFLEET_ANSIBLE_INVENTORY"], !inventory.isEmpty else {
            return nil
        }
        return URL(fileURLWithPath: inventory).deletingLastPathComponent().appendingPathComponent("ansible-vault").path
    }

    /// Runs the real ansible-vault with nothing from the machine's own Ansible set-up.
    func vault(_ arguments: [String], in dir: URL) async throws -> String {
        let vault = try #require(ansibleVault, "POSTFLEET_ANSIBLE_INVENTORY is not set: run the tests with scripts/test")
        let config = dir.appendingPathComponent("empty.cfg")
        try "[defaults]\n".write(to: config, atomically: true, encoding: .utf8)
        let environment = ["PATH": "/usr/bin:/bin", "HOME": dir.path, "LANG": "C.UTF-8", "ANSIBLE_CONFIG": config.path,
                           "ANSIBLE_LOCAL_TEMP": dir.appendingPathComponent("ansible-tmp").path]
        let result = try await runProcess(vault, arguments, environment: environment, seconds: 60)
        try #require(result.status == 0, "ansible-vault \(arguments): \(result.stderr)")
        return result.stdout
    }

    @Test func aRolloutLogsInAndBecomesRootWithPasswordsFromTheVault() async throws {
        try await lab.resetForTest(["mta25"])
        try await lab.addPasswordUser(on: "mta25", password: Self.loginPassword)
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let relayPassword = "relay-Vau1t-pw 2026"
        let passwords = scratch.appendingPathComponent("passwords")
        let directory = scratch.appendingPathComponent("inventory")
        try FileManager.default.createDirectory(at: passwords, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("group_vars/border"), withIntermediateDirectories: true)
        try "vault-main-pw\n".write(to: passwords.appendingPathComponent("main.pass"), atomically: true, encoding: .utf8)
        try "relay-label-pw\n".write(to: passwords.appendingPathComponent("relay.pass"), atomically: true, encoding: .utf8)

        // group_vars/border/vault.yml, encrypted whole (1.1): the login password.
        let quoted = "'" + Self.loginPassword.replacingOccurrences(of: "'", with: "''") + "'"
        let secrets = directory.appendingPathComponent("group_vars/border/vault.yml")
        try "vault_login: \(quoted)\n".write(to: secrets, atomically: true, encoding: .utf8)
        _ = try await vault(["encrypt", "--vault-password-file", passwords.appendingPathComponent("main.pass").path, secrets.path], in: scratch)
        #expect(try String(contentsOf: secrets, encoding: .utf8).hasPrefix("$ANSIBLE_VAULT;1.1;AES256\n"))
        // A `!vault` value under its own label (1.2), as `ansible-vault encrypt_string` prints it.
        let inline = try await vault(["encrypt_string", "--vault-id", "relay@" + passwords.appendingPathComponent("relay.pass").path,
                                "--name", "relay_password", relayPassword], in: scratch)
        #expect(inline.contains("!vault |") && inline.contains("$ANSIBLE_VAULT;1.2;AES256;relay"), "\(inline)")
        _ = try lab.borderInventory(in: directory, host: "mta25", user: "pfpass", hostVars: [
            "ansible_password: '{{ vault_login }}'", "ansible_become_password: '{{ vault_login }}'", "ansible_become: true",
        ] + inline.split(separator: "\n").map(String.init))

        let playbook = scratch.appendingPathComponent("relay.yml").path
        try """
            - name: Relay through the mail hub with SASL
              hosts: border
              instances:
                - name: default
                  main_cf:
                    parameters:
                      relayhost: "[mailhub.example.com]:587"
                      smtp_sasl_auth_enable: "yes"
                      smtp_sasl_password_maps: "hash:${config_directory}/sasl_passwd"
                  tables:
                    - name: sasl_passwd
                      type: hash
                      entries: {"[mailhub.example.com]:587": "{{ inventory_hostname }}:{{ relay_password }}"}
            """.write(toFile: playbook, atomically: true, encoding: .utf8)
        let vaultFlags = ["--vault-password-file", passwords.appendingPathComponent("main.pass").path,
                          "--vault-id", "relay@" + passwords.appendingPathComponent("relay.pass").path]
        let common = ["-i", directory.path, "--known-hosts", lab.knownHosts] + vaultFlags
        var outputs: [String] = []

        let run = try await runProcess(binary, ["run", playbook, "--diff", "--json", scratch.appendingPathComponent("run.json").path,
                                          "--junit", scratch.appendingPathComponent("run.xml").path] + common, seconds: 180)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        outputs += [run.stdout, run.stderr, try String(contentsOfFile: scratch.appendingPathComponent("run.json").path, encoding: .utf8),
                    try String(contentsOfFile: scratch.appendingPathComponent("run.xml").path, encoding: .utf8)]
        // The password of the login came from the vault; sudo read it too.
        #expect(try await onHost("mta25", "cat /var/log/sshd.log").contains("Accepted password for pfpass"))
        let sudo = try await onHost("mta25", "cat /var/log/sudo.log")
        #expect(sudo.contains("pfpass") && sudo.contains("USER=root") && !sudo.contains("incorrect password"), "\(sudo)")
        // The relay password reached the table, which only root may read.
        #expect(try await onHost("mta25", "stat -c '%a %U' /etc/postfix/sasl_passwd /etc/postfix/sasl_passwd.db") == "600 root\n600 root\n")
        #expect(try await onHost("mta25", "postmap -q '[mailhub.example.com]:587' hash:/etc/postfix/sasl_passwd") == "mta25:\(relayPassword)\n")

        // Changed behind postfleet's back: drift and the repairing run name the table, never the value.
        _ = try await onHost("mta25", "sed -i 's/relay-Vau1t-pw/hand-edited-pw/' /etc/postfix/sasl_passwd && postmap hash:/etc/postfix/sasl_passwd")
        let drift = try await runProcess(binary, ["drift", playbook] + common, seconds: 120)
        #expect(drift.status == 2 && drift.stdout.contains("~ [mailhub.example.com]:587 = (secret) -> (secret)"), "\(drift.stdout)\(drift.stderr)")
        let repair = try await runProcess(binary, ["run", playbook, "--diff"] + common, seconds: 120)
        #expect(repair.status == 0, "\(repair.stdout)\(repair.stderr)")
        #expect(try await onHost("mta25", "postmap -q '[mailhub.example.com]:587' hash:/etc/postfix/sasl_passwd") == "mta25:\(relayPassword)\n")
        outputs += [drift.stdout, drift.stderr, repair.stdout, repair.stderr]

        // A wrong vault password stops at the file it cannot open, before any host is contacted.
        try "not-the-vault-pw\n".write(to: passwords.appendingPathComponent("main.pass"), atomically: true, encoding: .utf8)
        let logins = try await onHost("mta25", "wc -l < /var/log/sshd.log")
        let wrong = try await runProcess(binary, ["run", playbook] + common, seconds: 60)
        #expect(wrong.status == 1, "\(wrong.stdout)\(wrong.stderr)")
        #expect(wrong.stderr.hasPrefix("postfleet: " + secrets.path + ":1:1: error: cannot decrypt"), "\(wrong.stderr)")
        #expect(wrong.stdout.isEmpty, "\(wrong.stdout)")
        #expect(try await onHost("mta25", "wc -l < /var/log/sshd.log") == logins, "a host was contacted")
        outputs += [wrong.stdout, wrong.stderr]

        for output in outputs {
            for secret in [relayPassword, "relay-Vau1t", "hand-edited-pw", "Wr0ng", "vault-main-pw", "relay-label-pw"] {
                #expect(!output.contains(secret), "a secret was shown: \(output)")
            }
        }
    }
}
