import Engine
import Foundation
import Inventory
import Planning
import Playbook
import Postfix
import Testing

/// `files:`, `tls:` and `reload:` of an instance, from the playbook's text to the plan and
/// the apply script: which files are secret, what a changed certificate costs (a reload of
/// its instance alone), and where the staged certificate check runs.
@Suite struct ManagedFilesTests {
    static let inventoryText = """
        all:
          vars: {domain: example.com}
          children:
            border:
              hosts:
                mta1: {ansible_host: 198.18.0.1}
                mta2: {ansible_host: 198.18.0.2}
        """

    static func playbook(_ instanceExtra: String, parameters: String = "smtpd_tls_cert_file: $config_directory/mx.pem\n          smtpd_tls_key_file: $config_directory/mx.key") -> String {
        """
        - hosts: border
          instances:
            - name: postfix-in
              group: mta
              main_cf:
                parameters:
                  myhostname: "{{inventory_hostname}}.{{domain}}"
                  \(parameters)
              files:
                - {name: mx.pem, file: "certs/{{inventory_hostname}}.pem"}
                - {name: mx.key, file: "certs/{{inventory_hostname}}.key"}
        \(instanceExtra)
        """
    }

    static let certs = [
        "certs/mta1.pem": "-----BEGIN CERTIFICATE-----\nMTA1CERT\n-----END CERTIFICATE-----\n",
        "certs/mta1.key": "-----BEGIN PRIVATE KEY-----\nTUlJRXZnSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NCS2d3Z2dTa0FnRUFBb0lCQVFD\n-----END PRIVATE KEY-----\n",
        "certs/mta2.pem": "-----BEGIN CERTIFICATE-----\nMTA2CERT\n-----END CERTIFICATE-----\n",
        "certs/mta2.key": "-----BEGIN PRIVATE KEY-----\nbXRhMmtleW10YTJrZXltdGEya2V5bXRhMmtleW10YTJrZXk=\n-----END PRIVATE KEY-----\n",
    ]

    /// Loads `yaml` with `files` beside it; renders for `host`.
    func load(_ yaml: String, files: [String: String] = certs, host: String = "mta1")
        throws -> (playbook: Playbook, specs: [InstanceSpec], files: [RenderedFile]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("postfleet-files-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (path, text) in files.merging(["playbook.yml": yaml], uniquingKeysWith: { $1 }) {
            let url = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let playbook = try Playbook.load(path: dir.appendingPathComponent("playbook.yml").path)
        let inventory = try Inventory.parse(yaml: Self.inventoryText, path: "inventory.yml")
        let h = try #require(inventory.host(named: host))
        return (playbook, try playbook.instances(for: h, inventory: inventory), try playbook.render(for: h, inventory: inventory))
    }

    /// A host whose postfix-in runs with `checksums` for its files.
    func facts(_ checksums: [String: String] = [:], modes: [String: Int] = [:]) -> HostFacts {
        var facts = HostFacts(postfixVersion: "3.7.11", instances: [
            InstanceFacts(name: nil, group: nil, enabled: true, configDirectory: "/etc/postfix",
                          parameters: ["config_directory": "/etc/postfix"], running: true, masterPID: 100, services: []),
            InstanceFacts(name: "postfix-in", group: "mta", enabled: true, configDirectory: "/etc/postfix-in",
                          parameters: ["config_directory": "/etc/postfix-in", "myhostname": "mta1.example.com",
                                       "multi_instance_enable": "yes", "multi_instance_name": "postfix-in", "multi_instance_group": "mta",
                                       "queue_directory": "/var/spool/postfix-in", "data_directory": "/var/lib/postfix-in",
                                       "smtpd_tls_cert_file": "$config_directory/mx.pem", "smtpd_tls_key_file": "$config_directory/mx.key"],
                          running: true, masterPID: 200, services: ["smtp inet n - y - - smtpd"]),
        ], checksums: checksums, systemdControlled: false)
        facts.modes = modes
        return facts
    }

    @Test func eachHostGetsItsOwnFilesAndTheKeyIsSecret() throws {
        for host in ["mta1", "mta2"] {
            let (_, _, files) = try load(Self.playbook(""), host: host)
            let cert = try #require(files.first { $0.path == "/etc/postfix-in/mx.pem" })
            let key = try #require(files.first { $0.path == "/etc/postfix-in/mx.key" })
            #expect(cert.text == Self.certs["certs/\(host).pem"] && key.text == Self.certs["certs/\(host).key"])
            #expect(!cert.secret && cert.mode == 0o644)
            #expect(key.secret && key.mode == 0o600, "smtpd_tls_key_file names it")
        }
    }

    @Test(arguments: [
        // The key in the certificate's file: smtpd_tls_key_file defaults to it.
        ("smtpd_tls_cert_file: /etc/postfix-in/mx.pem", true),
        ("smtpd_tls_chain_files: ${config_directory}/mx.key, ${config_directory}/mx.pem", true),
        ("smtpd_tls_cert_file: $config_directory/mx.pem\n          smtpd_tls_key_file: $config_directory/mx.key", false),
    ])
    func aFileIsSecretWhenAKeyParameterNamesIt(parameters: String, certSecret: Bool) throws {
        let (_, _, files) = try load(Self.playbook("", parameters: parameters))
        #expect(files.first { $0.path == "/etc/postfix-in/mx.pem" }?.secret == certSecret, "\(parameters)")
        let keyNamed = parameters.contains("mx.key")
        #expect(files.first { $0.path == "/etc/postfix-in/mx.key" }?.secret == keyNamed, "\(parameters)")
    }

    @Test func aChangedCertificateReloadsItsInstanceOnlyAndTheKeyNeverShows() throws {
        let (_, specs, files) = try load(Self.playbook("      tls: {names: [mx.example.com], valid_for: 30d}"))
        let plan = HostPlan.make(desired: specs, files: files, facts: facts(["/etc/postfix-in/mx.pem": "old", "/etc/postfix-in/mx.key": "old"]))
        let input = try #require(plan.instances.first { $0.instance.name == "postfix-in" })
        #expect(input.action == .reload && input.change.files == ["mx.pem", "mx.key"], "\(input.action) \(input.change) \(input.start)")
        #expect(plan.instances.filter { $0.instance.name != "postfix-in" }.allSatisfy { $0.action == .none })
        let keyDiff = try #require(input.diff.first { $0.section == .file("mx.key") })
        #expect(keyDiff.old == DiffEntry.secret && keyDiff.new == DiffEntry.secret)
        let certDiff = try #require(input.diff.first { $0.section == .file("mx.pem") })
        #expect(certDiff.new?.hasPrefix("sha256:") == true && certDiff.old == "sha256:old")
        #expect(input.tlsCheck == TLSStageCheck.Settings(validFor: 30 * 86_400, names: ["mx.example.com"]))

        // The apply script checks the staged certificates after Postfix's own check, before the commit.
        let script = try ApplyScript(plan: plan, id: "t1").script
        let check = try #require(script.range(of: "step check"))
        let tls = try #require(script.range(of: "step tls"))
        let commit = try #require(script.range(of: "step commit"))
        #expect(check.lowerBound < tls.lowerBound && tls.lowerBound < commit.lowerBound)
        #expect(!script.contains("TUlJRXZnSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NCS2d3Z2dTa0FnRUFBb0lCQVFD"), "the key travels in the archive, not the script")
        let archive = try ApplyScript(plan: plan, id: "t1").archive
        #expect(String(decoding: archive, as: UTF8.self).contains("TUlJRXZnSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NCS2d3Z2dTa0FnRUFBb0lCQVFD"))

        // Unchanged files: nothing to do.
        let same = facts(Dictionary(uniqueKeysWithValues: files.filter { $0.path.hasPrefix("/etc/postfix-in/mx") }.map { ($0.path, SHA256.hex($0.contents)) }),
                         modes: ["/etc/postfix-in/mx.key": 0o600])
        let converged = HostPlan.make(desired: specs, files: files.filter { $0.path.hasPrefix("/etc/postfix-in/mx") }, facts: same)
        #expect(converged.instances.allSatisfy { $0.writes.isEmpty && $0.action == .none })
        // A key others can read is written again, 0600, and the diff says so.
        let loose = facts(same.checksums, modes: ["/etc/postfix-in/mx.key": 0o644])
        let fixed = HostPlan.make(desired: specs, files: files.filter { $0.path.hasPrefix("/etc/postfix-in/mx") }, facts: loose)
        let fixedInput = try #require(fixed.instances.first { $0.instance.name == "postfix-in" })
        #expect(fixedInput.writes.map(\.path) == ["/etc/postfix-in/mx.key"])
        #expect(fixedInput.diff.contains { $0.key == DiffEntry.modeKey && $0.old == "644" && $0.new == "600" })
    }

    @Test func reloadFalseHoldsTheActionBackAndSaysSo() throws {
        let (_, specs, files) = try load(Self.playbook("      reload: false"))
        let plan = HostPlan.make(desired: specs, files: files, facts: facts(["/etc/postfix-in/mx.pem": "old"]))
        let input = try #require(plan.instances.first { $0.instance.name == "postfix-in" })
        #expect(input.action == .none && input.withheld == .reload && !input.writes.isEmpty)
        let script = try ApplyScript(plan: plan, id: "t2")
        #expect(!script.script.contains("reload"), "the script reloads nothing")
        let (steps, _) = script.results(stdout: "@@postfleet step held1 0 1\n@@postfleet end ok\n")
        #expect(steps.contains { $0.status == .skipped && $0.action.hasPrefix("reload held back (reload: false)") && $0.instance == "postfix-in" })
    }

    @Test func tablesAloneSkipTheCertificateCheckAndTLSCheckFalseTurnsItOff() throws {
        let (_, specs, files) = try load(Self.playbook("      tls: {check: false}"))
        let plan = HostPlan.make(desired: specs, files: files, facts: facts(["/etc/postfix-in/mx.pem": "old"]))
        #expect(!(try ApplyScript(plan: plan, id: "t3").script.contains("step tls")))
        let (_, specs2, files2) = try load(Self.playbook(""))
        let withCheck = HostPlan.make(desired: specs2, files: files2, facts: facts(["/etc/postfix-in/mx.pem": "old"]))
        #expect(try ApplyScript(plan: withCheck, id: "t4").script.contains("step tls"))
    }

    @Test func badFilesAndTLSSettingsAreErrorsAtTheirNode() throws {
        func error(_ extra: String, files: [String: String] = Self.certs) -> String {
            do {
                _ = try load(Self.playbook(extra), files: files)
                return "loaded"
            } catch {
                return "\(error)".split(separator: "\n").first.map(String.init) ?? ""
            }
        }
        #expect(error("", files: [:]).contains("playbook.yml:11:32: error: for host mta1, file 'certs/mta1.pem' does not exist"), "\(error("", files: [:]))")
        #expect(error("      tls: {valid_for: 2y}").contains("13:24: error: 'valid_for' of instance 'postfix-in' (days, as 14d, or a duration) must be a duration"))
        #expect(error("      tls: {valid_for: 4000d}").contains("from 0d to 3650d"))
        #expect(error("      tls: {names: ['mx example']}").contains("'mx example' is not a host name"))
        #expect(error("      tls: {ca_file: nowhere.pem}").contains("file 'nowhere.pem' does not exist"))
        #expect(error("      tls: {ca: x}").contains("unknown key 'ca'"))
        #expect(error("      reload: sometimes").contains("'reload' of instance 'postfix-in' must be"))
        let twice = Self.playbook("").replacingOccurrences(of: "{name: mx.key,", with: "{name: mx.pem,")
        #expect((try? load(twice)) == nil)
        for bad in ["../mx.pem", ".hidden", "main.cf", "sub/mx.pem"] {
            let yaml = Self.playbook("").replacingOccurrences(of: "{name: mx.pem,", with: "{name: '\(bad)',")
            #expect(throws: SourceError.self, "\(bad)") { try load(yaml) }
        }
    }
}
