import Foundation
import Testing

@testable import Vault

/// The real `ansible-vault`, beside the `ansible-inventory` that POSTFLEET_ANSIBLE_INVENTORY
/// names (`export POSTFLEET_ANSIBLE_INVENTORY=$(scripts/ansible-venv)`).
enum AnsibleVault {
    static var path: String? {
        ProcessInfo.processInfo.environment["POSTFLEET_ANSIBLE_INVENTORY"].flatMap {
            $0.isEmpty ? nil : URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("ansible-vault").path
        }
    }

    static var shouldRun: Bool { path != nil || ProcessInfo.processInfo.environment["POSTFLEET_REQUIRE_ANSIBLE"] == "1" }

    /// Runs ansible-vault in `directory` with a configuration of its own; its exit status and standard error.
    @discardableResult
    static func run(_ arguments: [String], in directory: String) throws -> (status: Int32, stderr: String) {
        guard let path else {
            Issue.record("POSTFLEET_REQUIRE_ANSIBLE=1 but POSTFLEET_ANSIBLE_INVENTORY is not set: run scripts/ansible-venv")
            throw CancellationError()
        }
        try write("[defaults]\n", to: directory + "/ansible.cfg")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ANSIBLE_") }
        environment["ANSIBLE_CONFIG"] = directory + "/ansible.cfg"
        environment["ANSIBLE_HOME"] = directory + "/.ansible"
        environment["ANSIBLE_LOCAL_TEMP"] = directory + "/.ansible/tmp"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stderr)
    }
}

/// Fresh envelopes from the real ansible-vault, of every length around AES's block size,
/// decrypt to their plaintext; and ansible-vault decrypts the envelopes the tests make.
@Suite(.enabled(if: AnsibleVault.shouldRun, "set POSTFLEET_ANSIBLE_INVENTORY=$(scripts/ansible-venv) to compare with ansible-vault"))
struct AnsibleVaultTests {
    static let lengths = [1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 200, 4096]

    static func plaintext(_ length: Int) -> [UInt8] {
        // Printable ASCII and multi-byte UTF-8 mixed, then cut to the length: any bytes will do.
        Array(Array(String(repeating: "pw-é✓ \(length) ", count: length).utf8).prefix(length))
    }

    @Test("ansible-vault encrypt, 1.1 and 1.2, then postfleet decrypts")
    func freshEnvelopesDecrypt() throws {
        try withTemporaryDirectory { directory in
            try write("fresh pw 1\n", to: directory + "/one.pass")
            try write("fresh pw 2\n", to: directory + "/two.pass")
            let names = Self.lengths.map { "p\($0)" }
            for (name, length) in zip(names, Self.lengths) {
                try Data(Self.plaintext(length)).write(to: URL(fileURLWithPath: "\(directory)/\(name).a"))
                try Data(Self.plaintext(length)).write(to: URL(fileURLWithPath: "\(directory)/\(name).b"))
            }
            let first = try AnsibleVault.run(["encrypt", "--vault-password-file", "one.pass"] + names.map { $0 + ".a" }, in: directory)
            #expect(first.status == 0, "\(first.stderr)")
            let second = try AnsibleVault.run(["encrypt", "--vault-id", "blue@two.pass"] + names.map { $0 + ".b" }, in: directory)
            #expect(second.status == 0, "\(second.stderr)")
            let keyring = VaultKeyring([VaultSecret(label: "default", password: Array("fresh pw 1".utf8), origin: "one"),
                                        VaultSecret(label: "blue", password: Array("fresh pw 2".utf8), origin: "two")])
            for (name, length) in zip(names, Self.lengths) {
                let a = try String(contentsOfFile: "\(directory)/\(name).a", encoding: .utf8)
                let b = try String(contentsOfFile: "\(directory)/\(name).b", encoding: .utf8)
                #expect(a.hasPrefix("$ANSIBLE_VAULT;1.1;AES256\n") && b.hasPrefix("$ANSIBLE_VAULT;1.2;AES256;blue\n"))
                #expect(try keyring.decrypt(a) == Self.plaintext(length), "\(length) bytes, 1.1")
                #expect(try keyring.decrypt(b) == Self.plaintext(length), "\(length) bytes, 1.2")
                #expect(throws: VaultError.self) { try VaultKeyring([keyring.secrets[1]], requireLabelMatch: true).decrypt(a) }
            }
        }
    }

    @Test("the tests' own envelopes: ansible-vault decrypts them")
    func testEnvelopesAreAnsibles() throws {
        try withTemporaryDirectory { directory in
            try write("mine pw\n", to: directory + "/mine.pass")
            let names = Self.lengths.map { "e\($0)" }
            for (name, length) in zip(names, Self.lengths) {
                let text = VaultCipher.encrypt(Self.plaintext(length), password: Array("mine pw".utf8), label: length.isMultiple(of: 2) ? "green" : nil)
                try write(text, to: "\(directory)/\(name)")
            }
            let result = try AnsibleVault.run(["decrypt", "--vault-id", "green@mine.pass"] + names, in: directory)
            #expect(result.status == 0, "\(result.stderr)")
            for (name, length) in zip(names, Self.lengths) {
                #expect(Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)"))) == Self.plaintext(length), "\(length) bytes")
            }
        }
    }
}
