import Engine
import Foundation
import Inventory
import Planning
import Playbook
import Postfix
import Report
import Testing

/// What `run --diff`, `drift` and their JSON show of secrets, from the playbook to the
/// report: a secret table's keys, a password given inline in main.cf (directly or through a
/// parameter) or in a master.cf `-o`, each changed on the host, show as (secret), and
/// neither the playbook's password nor the host's appears anywhere.
@Suite struct SecretOutputTests {
    static let new = "n3w-s3cret-pw", old = "0ld-s3cret-pw"

    static let playbook = """
        - hosts: all
          vars: {relay_password: \(new)}
          instances:
            - name: default
              main_cf:
                parameters:
                  indexed: "${default_database_type}:${config_directory}/"
                  smtp_sasl_password_maps: "${indexed}sasl_passwd"
                  creds: "static:u:{{ relay_password }}"
                  lmtp_sasl_password_maps: "$creds"
              master_cf:
                services:
                  relay/unix: "relay unix - - n - - smtp -o smtp_sasl_password_maps=static:u:{{ relay_password }}"
                  hub/unix: "hub unix - - n - - smtp -o smtp_sasl_password_maps=hash:$config_directory//relay_passwd"
              tables:
                - {name: sasl_passwd, type: hash, entries: {"[hub]:587": "u:{{ relay_password }}"}}
                - {name: relay_passwd, type: hash, entries: {"[relay]:587": "u:{{ relay_password }}"}}
        """

    /// The host as it was before: the old password everywhere.
    static var facts: HostFacts {
        HostFacts(postfixVersion: "3.7.11", instances: [
            InstanceFacts(name: nil, group: nil, enabled: true, configDirectory: "/etc/postfix",
                          parameters: ["config_directory": "/etc/postfix", "indexed": "hash:/etc/postfix/",
                                       "smtp_sasl_password_maps": "hash:/etc/postfix/sasl_passwd", "creds": "static:u:\(old)",
                                       "lmtp_sasl_password_maps": "$creds"],
                          running: true, masterPID: 100,
                          services: ["relay unix - - n - - smtp -o smtp_sasl_password_maps=static:u:\(old)", "pickup unix n - y 60 1 pickup"]),
        ], checksums: ["/etc/postfix/sasl_passwd": "stale", "/etc/postfix/sasl_passwd.db": "0",
                       "/etc/postfix/relay_passwd": "stale", "/etc/postfix/relay_passwd.db": "0"],
           systemdControlled: false, modes: ["/etc/postfix/sasl_passwd": 0o600, "/etc/postfix/relay_passwd": 0o600])
    }

    static let oldTables = ["/etc/postfix/sasl_passwd": "[hub]:587 u:\(old)\n", "/etc/postfix/relay_passwd": "[relay]:587 u:\(old)\n"]

    func plan() throws -> (HostPlan, [InstanceSpec], [RenderedFile]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("postfleet-secret-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("playbook.yml").path
        try Self.playbook.write(toFile: path, atomically: true, encoding: .utf8)
        let playbook = try Playbook.load(path: path)
        let inventory = try Inventory.parse(yaml: "all:\n  hosts:\n    mta1: {ansible_host: 198.18.0.1}\n")
        return try renderedPlan(playbook, host: "mta1", of: inventory, facts: Self.facts, oldTables: Self.oldTables)
    }

    func expectNoPassword(_ outputs: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        expectNone(of: [Self.new, Self.old], in: outputs, sourceLocation: sourceLocation)
    }

    @Test func runDiffAndItsJSONShowSecretsAsSecret() throws {
        let (plan, _, files) = try plan()
        #expect(files.filter(\.secret).map(\.path) == ["/etc/postfix/sasl_passwd", "/etc/postfix/relay_passwd"])
        var result = HostRunResult(host: "mta1", steps: [])
        result.diff = plan.instances.map { InstanceDiff(instance: $0.instance.name, entries: $0.diff) }
        let report = RunReport(playbook: "secrets.yml", results: [result], seconds: 1, checkMode: true)
        let diff = report.diffText
        #expect(diff.contains("    ~ creds = (secret) -> (secret)\n"), "\(diff)")
        #expect(diff.contains("""
                ~ relay/unix = relay unix - - n - - smtp -o smtp_sasl_password_maps=(secret) -> \
            relay unix - - n - - smtp -o smtp_sasl_password_maps=(secret)\n
            """), "\(diff)")
        #expect(diff.contains("+ hub/unix = hub unix - - n - - smtp -o smtp_sasl_password_maps=hash:$config_directory//relay_passwd"), "\(diff)")
        #expect(diff.contains("  default sasl_passwd:\n    ~ [hub]:587 = (secret) -> (secret)\n"), "\(diff)")
        #expect(diff.contains("  default relay_passwd:\n    ~ [relay]:587 = (secret) -> (secret)\n"), "\(diff)")
        // The run's JSON and JUnit carry no diff; they must not carry a password either.
        let json = String(decoding: try report.json(), as: UTF8.self)
        expectNoPassword([diff, report.text, json, report.junit])
    }

    @Test func driftAndItsJSONShowSecretsAsSecret() throws {
        let (_, desired, files) = try plan()
        let (text, json) = try driftOutput(host: "mta1", desired: desired, files: files, facts: Self.facts, oldTables: Self.oldTables)
        #expect(text.contains("~ [hub]:587 = (secret) -> (secret)"), "\(text)")
        #expect(text.contains("~ creds = (secret) -> (secret)"), "\(text)")
        #expect(text.contains("smtp_sasl_password_maps=(secret)"), "\(text)")
        #expect(json.contains("(secret)"))
        expectNoPassword([text, json])
    }

    /// What a host prints back (postconf's warnings, a task that prints a table, a typo'd
    /// `-o` name) loses every secret value the host's files hold.
    @Test func hostOutputLosesTheSecretValues() throws {
        let (_, _, files) = try plan()
        let secrets = SecretValues(files)
        let output = """
            postconf: warning: /etc/postfix/master.cf: unused parameter: smtp_sasl_password_mapz=static:u:\(Self.new)
            [hub]:587 u:\(Self.new)
            password is \(Self.new)
            myhostname = mta1.example.com
            """
        let hidden = secrets.hiding(in: output)
        #expect(hidden == """
            postconf: warning: /etc/postfix/master.cf: unused parameter: smtp_sasl_password_mapz=(secret)
            [hub]:587 (secret)
            password is (secret)
            myhostname = mta1.example.com
            """)
    }
}
