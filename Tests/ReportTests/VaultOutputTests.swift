import Engine
import Foundation
import Inventory
import Planning
import Playbook
import Postfix
import Report
import Testing
import Vault

/// What `run --check --diff`, `drift`, their JSON and JUnit, and a host's output show of
/// vault values, from the fixtures the real ansible-vault made to the report: `(secret)`,
/// wherever the value lands (a password table, a table no password map names, a parameter
/// that is no secret by its name), and never the plaintext.
@Suite struct VaultOutputTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("VaultTests/Fixtures").path
    static var plaintexts: [String] {
        ((try? String(contentsOfFile: fixtures + "/plaintexts.txt", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The host before: an old helo name, old table entries.
    static var facts: HostFacts {
        HostFacts(postfixVersion: "3.7.11", instances: [
            InstanceFacts(name: nil, group: nil, enabled: true, configDirectory: "/etc/postfix",
                          parameters: ["config_directory": "/etc/postfix", "relayhost": "[relay.example.com]:587",
                                       "smtp_sasl_password_maps": "hash:/etc/postfix/sasl_passwd", "smtp_helo_name": "old-helo.example.com"],
                          running: true, masterPID: 100, services: ["pickup unix n - y 60 1 pickup"]),
        ], checksums: ["/etc/postfix/sasl_passwd": "stale", "/etc/postfix/sasl_passwd.db": "0",
                       "/etc/postfix/sender_tokens": "stale", "/etc/postfix/sender_tokens.db": "0"],
           systemdControlled: false, modes: ["/etc/postfix/sasl_passwd": 0o600, "/etc/postfix/sender_tokens": 0o644])
    }

    static let oldTables = ["/etc/postfix/sasl_passwd": "[relay.example.com]:587 relay-user-7:0ld-pw\n",
                            "/etc/postfix/sender_tokens": "postmaster@example.com old-token\n"]

    func rendered() throws -> (plan: HostPlan, desired: [InstanceSpec], files: [RenderedFile]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("postfleet-vault-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for path in ["hosts.yml", "group_vars/all.yml", "group_vars/border/main.yml", "group_vars/border/vault.yml", "host_vars/mta1.yml"] {
            let target = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Self.fixtures + "/inventory/" + path, toPath: target.path)
        }
        try FileManager.default.copyItem(atPath: Self.fixtures + "/playbook.yml", toPath: directory.appendingPathComponent("playbook.yml").path)
        let identities = ["default", "prod", "staging"].map {
            VaultIdentity(parsing: "\($0)@\(Self.fixtures)/passwords/\($0).pass", origin: "--vault-id \($0)")
        }
        let vault = try VaultIdentity.keyring(identities, settings: VaultSettings())
        let inventory = try Inventory.load(path: directory.appendingPathComponent("hosts.yml").path, vault: vault)
        let playbook = try Playbook.load(path: directory.appendingPathComponent("playbook.yml").path, vault: vault)
        return try renderedPlan(playbook, host: "mta2", of: inventory, facts: Self.facts, oldTables: Self.oldTables)
    }

    func expectNoVaultValue(_ outputs: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        expectNone(of: Self.plaintexts, in: outputs, sourceLocation: sourceLocation)
    }

    @Test func runDiffJSONAndJUnitShowVaultValuesAsSecret() throws {
        let (plan, _, files) = try rendered()
        #expect(files.filter(\.secret).map(\.path) == ["/etc/postfix/sasl_passwd", "/etc/postfix/sender_tokens"])
        #expect(Self.plaintexts.count == 10)
        #expect(files.first { $0.path == "/etc/postfix/sasl_passwd" }?.text == "[relay.example.com]:587\trelay-user-7:s3cret-relay-pw\n")
        var result = HostRunResult(host: "mta2", steps: [StepResult(action: "wrote sasl_passwd", instance: "default", status: .changed)])
        result.diff = plan.instances.map { InstanceDiff(instance: $0.instance.name, entries: $0.diff) }
        let report = RunReport(playbook: "vault.yml", results: [result], seconds: 1, checkMode: true)
        let diff = report.diffText
        // A parameter that is no secret by its name: the old value goes too, it may be the old secret.
        #expect(diff.contains("~ smtp_helo_name = (secret) -> (secret).mail.example.com\n"), "\(diff)")
        #expect(diff.contains("  default sasl_passwd:\n    ~ [relay.example.com]:587 = (secret) -> (secret)\n"), "\(diff)")
        #expect(diff.contains("  default sender_tokens:\n    ~ postmaster@example.com = (secret) -> (secret)\n"), "\(diff)")
        let json = String(decoding: try report.json(), as: UTF8.self)
        expectNoVaultValue([diff, report.text, json, report.junit])
        #expect(!diff.contains("old-token") && !diff.contains("0ld-pw") && !diff.contains("old-helo"))
    }

    @Test func driftAndItsJSONShowVaultValuesAsSecret() throws {
        let (_, desired, files) = try rendered()
        let (text, json) = try driftOutput(host: "mta2", desired: desired, files: files, facts: Self.facts, oldTables: Self.oldTables)
        #expect(text.contains("smtp_helo_name = (secret) -> (secret).mail.example.com"), "\(text)")
        expectNoVaultValue([text, json])
    }

    /// What a host prints back (postconf's warnings, a task's output) loses every vault value
    /// the host's files hold, whatever file holds it.
    @Test func hostOutputLosesTheVaultValues() throws {
        let (_, _, files) = try rendered()
        let output = "postconf: warning: unused parameter: smtp_helo_nam=sel-2026.mail.example.com\npostmaster@example.com tok-4f2a9c\n"
        #expect(SecretValues(files).hiding(in: output) == "postconf: warning: unused parameter: smtp_helo_nam=(secret).mail.example.com\npostmaster@example.com (secret)\n")
    }

    /// The last line of defence of every command's output: each value, as written and as
    /// JSON and XML escape it.
    @Test func printedTextHidesEachFormOfAValue() {
        let values = ["pa/ss\"w<rd", "tok-4f2a9c", "abc"]
        let text = #"raw pa/ss"w<rd; json "pa\/ss\"w<rd" "pa/ss\"w<rd"; xml pa/ss&quot;w&lt;rd; tok-4f2a9c; abc"#
        #expect(SecretText.hiding(values, in: text) == #"raw (secret); json "(secret)" "(secret)"; xml (secret); (secret); abc"#)
    }

    /// A value a combining mark follows shares no whole Character with the text (the mark
    /// joins its last letter), so a search by Characters misses it; its bytes are still there.
    /// Written in another normalization form, it is the same value to a reader, and hidden too.
    @Test func aValueBeforeACombiningMarkOrInAnotherFormIsHidden() throws {
        let text = "helo tok-4f2a9c\u{301}x; caf\u{E9}-t0ken\n"
        #expect(SecretText.hiding(["tok-4f2a9c", "cafe\u{301}-t0ken"], in: text) == "helo (secret)\u{301}x; (secret)\n")
        let (_, _, files) = try rendered()
        let hidden = SecretValues(files).hiding(in: "token tok-4f2a9c\u{301}\n")
        #expect(hidden == "token (secret)\u{301}\n")
        #expect(!Array(hidden.utf8).contains(Array("tok-4f2a9c".utf8)))
    }
}
