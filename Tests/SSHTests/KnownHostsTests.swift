import CLibSSH2
import Foundation
import Testing
@testable import SSH

/// known_hosts verdicts against files written the way OpenSSH writes them.
@Suite struct KnownHostsTests {
    struct Key {
        let line: String  // "ssh-ed25519 AAAA..."
        var algorithm: String { String(line.split(separator: " ")[0]) }
        var base64: String { String(line.split(separator: " ")[1]) }
        var hostKey: HostKey {
            let type: Int32 = algorithm == "ssh-ed25519" ? LIBSSH2_HOSTKEY_TYPE_ED25519 : LIBSSH2_HOSTKEY_TYPE_ECDSA_256
            return HostKey(type: type, blob: Array(Data(base64Encoded: base64)!), sha256: [])
        }
    }

    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pf-kh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func keygen(_ type: String, _ name: String) throws -> Key {
        let path = dir.appendingPathComponent(name).path
        try sh("ssh-keygen", "-q", "-t", type, "-N", "", "-f", path)
        let pub = try String(contentsOfFile: path + ".pub", encoding: .utf8).split(separator: " ")
        return Key(line: "\(pub[0]) \(pub[1])")
    }

    @discardableResult
    func sh(_ args: String...) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    func verdict(_ file: String, _ address: String, _ port: Int, _ key: Key) throws -> KnownHosts.Verdict {
        LibSSH2.initialize()
        let kh = try KnownHosts(path: file)
        return kh.check(address: address, port: port, key: key.hostKey)
    }

    func write(_ lines: [String]) throws -> String {
        let path = dir.appendingPathComponent("known_hosts-\(UUID().uuidString)").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func plainEntriesMatchMismatchAndUnknown() throws {
        let a = try keygen("ed25519", "a"), b = try keygen("ed25519", "b")
        let file = try write(["# comment", "", "198.18.0.1,mta1 \(a.line)", "198.18.0.2 \(b.line) comment"])
        #expect(try verdict(file, "198.18.0.1", 22, a) == .match)
        #expect(try verdict(file, "mta1", 22, a) == .match)
        #expect(try verdict(file, "198.18.0.1", 22, b) == .mismatch)
        #expect(try verdict(file, "198.18.0.3", 22, a) == .notFound)
    }

    @Test func aKeyOfAnotherTypeIsUnknownNotAMismatch() throws {
        let ed = try keygen("ed25519", "ed"), ec = try keygen("ecdsa", "ec")
        let file = try write(["198.18.0.1 \(ed.line)"])
        #expect(try verdict(file, "198.18.0.1", 22, ec) == .notFound)
    }

    @Test func nonStandardPortsAreBracketed() throws {
        let a = try keygen("ed25519", "a")
        let file = try write(["[198.18.0.1]:2222 \(a.line)"])
        #expect(try verdict(file, "198.18.0.1", 2222, a) == .match)
        #expect(try verdict(file, "198.18.0.1", 22, a) == .notFound)
    }

    @Test func hashedEntriesWrittenByOpenSSHAreRead() throws {
        let a = try keygen("ed25519", "a"), b = try keygen("ed25519", "b")
        let file = try write(["198.18.0.7 \(a.line)", "[198.18.0.8]:2200 \(b.line)"])
        #expect(try sh("ssh-keygen", "-q", "-H", "-f", file) == 0)
        let hashed = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!hashed.contains("198.18.0.7") && hashed.contains("|1|"))
        #expect(try verdict(file, "198.18.0.7", 22, a) == .match)
        #expect(try verdict(file, "198.18.0.7", 22, b) == .mismatch)
        #expect(try verdict(file, "198.18.0.8", 2200, b) == .match)
    }

    @Test func linesLibssh2CannotReadAreSkippedAndRevokedKeysRefused() throws {
        let a = try keygen("ed25519", "a"), r = try keygen("ed25519", "r")
        let file = try write([
            "@cert-authority *.example.com \(a.line)",
            "198.18.0.5 sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIA==",
            "garbage line",
            "198.18.0.1 \(a.line)",
            "@revoked * \(r.line)",
            "198.18.0.9 \(r.line)",
        ])
        #expect(try verdict(file, "198.18.0.1", 22, a) == .match)
        #expect(try verdict(file, "198.18.0.9", 22, r) == .revoked)
    }

    @Test func aMissingFileIsEmpty() throws {
        let a = try keygen("ed25519", "a")
        #expect(try verdict(dir.appendingPathComponent("none").path, "198.18.0.1", 22, a) == .notFound)
    }

    @Test func recordingAppendsOnceAndThenChecks() throws {
        let a = try keygen("ed25519", "a"), b = try keygen("ed25519", "b")
        let file = dir.appendingPathComponent("sub/known_hosts").path
        LibSSH2.initialize()
        let first = try KnownHosts.record(path: file, address: "198.18.0.4", port: 22, key: a.hostKey)
        #expect(first == .match)
        #expect(try KnownHosts.record(path: file, address: "198.18.0.4", port: 22, key: a.hostKey) == .match)
        #expect(try KnownHosts.record(path: file, address: "198.18.0.4", port: 22, key: b.hostKey) == .mismatch)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text == "198.18.0.4 \(a.line)\n")
        #expect(try verdict(file, "198.18.0.4", 22, a) == .match)
    }

    @Test func sessionsShareOneReadingUntilTheFileChanges() throws {
        let a = try keygen("ed25519", "a"), b = try keygen("ed25519", "b")
        let file = try write(["198.18.0.1 \(a.line)"])
        LibSSH2.initialize()
        let store = KnownHostsStore()
        let first = try KnownHostsFiles(user: [file], global: [], store: store)
        let second = try KnownHostsFiles(user: [file], global: [], store: store)
        #expect(first.files[0] === second.files[0], "a second session read the file again")
        #expect(second.check(address: "198.18.0.1", port: 22, key: a.hostKey).verdict == .match)
        // An append, as accept-new makes: the next session reads the file again and sees it.
        #expect(try KnownHosts.record(path: file, address: "198.18.0.2", port: 22, key: b.hostKey) == .match)
        let third = try KnownHostsFiles(user: [file], global: [], store: store)
        #expect(third.files[0] !== first.files[0])
        #expect(third.check(address: "198.18.0.2", port: 22, key: b.hostKey).verdict == .match)
        #expect(first.check(address: "198.18.0.2", port: 22, key: b.hostKey).verdict == .notFound)
        // Replaced by another file of the same size (a new inode): read again, the new key checked.
        let replacement = try write(["198.18.0.1 \(b.line)", "198.18.0.2 \(b.line)"])
        #expect(rename(replacement, file) == 0)
        let fourth = try KnownHostsFiles(user: [file], global: [], store: store)
        #expect(fourth.check(address: "198.18.0.1", port: 22, key: a.hostKey).verdict == .mismatch)
        // A missing file (the machine-wide one, often) is read once too, until it appears.
        let missing = dir.appendingPathComponent("ssh_known_hosts-\(UUID().uuidString)").path
        let none = try KnownHostsFiles(user: [], global: [missing], store: store)
        #expect(try KnownHostsFiles(user: [], global: [missing], store: store).files[0] === none.files[0])
        try "198.18.0.1 \(a.line)\n".write(toFile: missing, atomically: false, encoding: .utf8)
        #expect(try KnownHostsFiles(user: [], global: [missing], store: store)
            .check(address: "198.18.0.1", port: 22, key: a.hostKey).verdict == .match)
    }

    @Test func concurrentSessionsCheckAgainstOneReadingSafely() async throws {
        let keys = try (0..<4).map { try keygen("ed25519", "k\($0)") }
        let file = try write(keys.enumerated().map { "198.18.0.\($0.offset + 1) \($0.element.line)" })
        LibSSH2.initialize()
        let store = KnownHostsStore()
        let verdicts = try await withThrowingTaskGroup(of: [KnownHosts.Verdict].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let files = try KnownHostsFiles(user: [file], global: [], store: store)
                    return (0..<200).map { i in
                        let k = i % 4, other = (i + 1) % 4
                        let key = i % 2 == 0 ? keys[k] : keys[other]
                        return files.check(address: "198.18.0.\(k + 1)", port: 22, key: key.hostKey).verdict
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append(contentsOf: $1) }
        }
        #expect(verdicts.count == 1600)
        #expect(verdicts.filter { $0 == .match }.count == 800)
        #expect(verdicts.filter { $0 == .mismatch }.count == 800)
    }
}

@Suite struct PrivateKeyFileTests {
    @Test(arguments: [("ed25519", "ssh-ed25519"), ("ecdsa", "ecdsa-sha2-nistp256"), ("rsa", "ssh-rsa")])
    func namesTheTypeOfAnOpenSSHKey(type: String, expected: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pf-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("key").path
        // With a passphrase: the type is readable, the private part is not needed.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
        p.arguments = ["-q", "-t", type, "-N", "secret phrase", "-f", path]
        try p.run()
        p.waitUntilExit()
        #expect(PrivateKeyFile.keyType(of: path) == expected)
        #expect(PrivateKeyFile.keyType(of: path + ".pub") == nil)
        #expect(PrivateKeyFile.keyType(of: dir.appendingPathComponent("none").path) == nil)
    }

    /// The `.pub` beside a key is given to libssh2 only when it is that key's public half.
    @Test func thePublicKeyFileIsUsedOnlyWhenItIsTheKeysOwn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pf-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func keygen(_ name: String, _ extra: [String] = []) throws -> String {
            let path = dir.appendingPathComponent(name).path
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
            p.arguments = ["-q", "-N", "", "-f", path] + extra
            try p.run()
            p.waitUntilExit()
            return path
        }
        let own = try keygen("own", ["-t", "ed25519"])
        #expect(PrivateKeyFile.publicKeyFile(for: own) == own + ".pub")
        let ecdsa = try keygen("ecdsa", ["-t", "ecdsa"])
        #expect(PrivateKeyFile.publicKeyFile(for: ecdsa) == ecdsa + ".pub")
        // Another key's public half beside it.
        let swapped = try keygen("swapped", ["-t", "ed25519"])
        let other = try keygen("other", ["-t", "ed25519"])
        try FileManager.default.removeItem(atPath: swapped + ".pub")
        try FileManager.default.copyItem(atPath: other + ".pub", toPath: swapped + ".pub")
        #expect(PrivateKeyFile.publicKeyFile(for: swapped) == nil)
        // No .pub, and a key in PEM format (not OpenSSH's container).
        let alone = try keygen("alone", ["-t", "ed25519"])
        try FileManager.default.removeItem(atPath: alone + ".pub")
        #expect(PrivateKeyFile.publicKeyFile(for: alone) == nil)
        let pem = try keygen("pem", ["-t", "ecdsa", "-m", "PEM"])
        #expect(PrivateKeyFile.publicKeyFile(for: pem) == nil)
    }
}
