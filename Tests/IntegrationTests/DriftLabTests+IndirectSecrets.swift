import Foundation
import Testing

extension DriftLabTests {
    /// Password tables named the way the multi-instance guide does it
    /// (`indexed = ${default_database_type}:${config_directory}/`,
    /// `smtp_sasl_password_maps = ${indexed}sasl_passwd`) and by a master.cf `-o` (with a
    /// doubled slash), and a password given inline in a master.cf `-o`: on the host both tables
    /// and their indexes are 0600; changed behind postfleet's back, drift, `run --check --diff`,
    /// the run itself, `render` and every JSON and JUnit report show (secret) and never a password.
    @Test func indirectlyNamedSecretsAreNamedButNeverShown() async throws {
        try await lab.resetForTest([host])
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let passwords = ["s3cret-pw-2", "s3cret-pw-3", "s3cret-pw-4"]
        let playbook = scratch.appendingPathComponent("relay.yml").path
        try """
            - name: Relay credentials, named indirectly
              hosts: all
              vars: {relay_password: \(passwords[0]), hub_password: \(passwords[1]), inline_password: \(passwords[2])}
              instances:
                - name: default
                  master_cf:
                    services:
                      relay/unix: "relay unix - - n - - smtp -o smtp_sasl_password_maps=static:relayuser:{{ inline_password }}"
                      hub/unix: "hub unix - - n - - smtp -o smtp_sasl_password_maps=hash:$config_directory//hub_passwd"
                  main_cf:
                    parameters: {indexed: "${default_database_type}:${config_directory}/", smtp_sasl_password_maps: "${indexed}sasl_passwd"}
                  tables:
                    - name: sasl_passwd
                      type: hash
                      entries: {"[mailhub.example.com]:587": "{{ inventory_hostname }}:{{ relay_password }}"}
                    - name: hub_passwd
                      type: hash
                      entries: {"[mailhub.example.com]:25": "hub:{{ hub_password }}"}
            """.write(toFile: playbook, atomically: true, encoding: .utf8)
        func postfleet(_ command: String, _ extra: [String] = []) async throws -> (status: Int32, stdout: String, stderr: String) {
            try await runProcess(binary, [command, playbook, "-i", lab.inventoryPath, "--known-hosts", lab.knownHosts, "-l", host] + extra,
                           seconds: 120)
        }
        func file(_ name: String) throws -> String { try String(contentsOfFile: scratch.appendingPathComponent(name).path, encoding: .utf8) }
        var outputs: [String] = []

        let run = try await postfleet("run", ["--json", scratch.appendingPathComponent("run.json").path,
                                        "--junit", scratch.appendingPathComponent("run.xml").path])
        try #require(run.status == 0, "\(run.stdout)\(run.stderr)")
        outputs += [run.stdout, run.stderr, try file("run.json"), try file("run.xml")]
        #expect(try await sh("stat -c '%a %U' /etc/postfix/sasl_passwd /etc/postfix/sasl_passwd.db /etc/postfix/hub_passwd /etc/postfix/hub_passwd.db")
            == "600 root\n600 root\n600 root\n600 root\n")
        #expect(try await sh("postmap -q '[mailhub.example.com]:587' hash:/etc/postfix/sasl_passwd") == "mta24:\(passwords[0])\n")
        #expect(try await sh("postconf -M relay/unix | grep -c 'static:relayuser:\(passwords[2])'") == "1\n")

        try await behindItsBack("""
            sed -i 's/s3cret-pw-2/hand-edited-pw-a/' /etc/postfix/sasl_passwd && postmap hash:/etc/postfix/sasl_passwd
            sed -i 's/s3cret-pw-3/hand-edited-pw-b/' /etc/postfix/hub_passwd && postmap hash:/etc/postfix/hub_passwd
            postconf -M 'relay/unix = relay unix - - n - - smtp -o smtp_sasl_password_maps=static:relayuser:hand-edited-pw-c'
            """)
        let drift = try await postfleet("drift", ["--json", scratch.appendingPathComponent("drift.json").path])
        #expect(drift.status == 2, "\(drift.stdout)\(drift.stderr)")
        for expected in ["  default sasl_passwd:\n    ~ [mailhub.example.com]:587 = (secret) -> (secret)\n",
                         "  default hub_passwd:\n    ~ [mailhub.example.com]:25 = (secret) -> (secret)\n",
                         "smtp -o smtp_sasl_password_maps=(secret) -> relay unix - - n - - smtp -o smtp_sasl_password_maps=(secret)\n"] {
            #expect(drift.stdout.contains(expected), "\(drift.stdout)")
        }
        #expect(try file("drift.json").contains("(secret)"))
        let diff = try await postfleet("run", ["--check", "--diff", "--json", scratch.appendingPathComponent("check.json").path])
        #expect(diff.stdout.contains("~ [mailhub.example.com]:25 = (secret) -> (secret)"), "\(diff.stdout)")
        #expect(diff.stdout.contains("smtp_sasl_password_maps=(secret) -> relay unix"), "\(diff.stdout)")
        outputs += [drift.stdout, drift.stderr, try file("drift.json"), diff.stdout, diff.stderr, try file("check.json")]

        let repair = try await postfleet("run", ["--diff"])
        #expect(repair.status == 0, "\(repair.stdout)\(repair.stderr)")
        #expect(try await sh("postmap -q '[mailhub.example.com]:25' hash:/etc/postfix/hub_passwd") == "hub:\(passwords[1])\n")
        let render = try await runProcess(binary, ["render", playbook, "-i", lab.inventoryPath, "--host", host,
                                             "--out", scratch.appendingPathComponent("out").path], seconds: 60)
        #expect(render.status == 0, "\(render.stderr)")
        let rendered = scratch.appendingPathComponent("out/\(host)/etc/postfix").path
        let modes = try ["sasl_passwd", "hub_passwd"].map {
            try FileManager.default.attributesOfItem(atPath: rendered + "/" + $0)[.posixPermissions] as? Int
        }
        #expect(modes == [0o600, 0o600])
        outputs += [repair.stdout, repair.stderr, render.stdout, render.stderr,
                    try String(contentsOfFile: rendered + "/master.cf.postconf", encoding: .utf8)]
        for output in outputs {
            for password in passwords + ["hand-edited-pw-a", "hand-edited-pw-b", "hand-edited-pw-c"] {
                #expect(!output.contains(password), "a password was shown: \(output)")
            }
        }
    }
}
