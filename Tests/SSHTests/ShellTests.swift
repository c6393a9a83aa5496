import ShellQuoting
import Foundation
import Testing
@testable import SSH

@Suite struct ShellQuoteTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("/etc/postfix-out/main.cf", "/etc/postfix-out/main.cf"),
        ("", "''"),
        ("two words", "'two words'"),
        ("it's", #"'it'\''s'"#),
        ("$HOME", "'$HOME'"),
        ("a;rm -rf /", "'a;rm -rf /'"),
        ("`id`", "'`id`'"),
        ("line\nbreak", "'line\nbreak'"),
        ("''", #"''\'''\'''"#),
        ("l'été", #"'l'\''été'"#),
        ("e\u{301}'\u{301}", "'e\u{301}'\\''\u{301}'"),
    ])
    func quotesOneWord(input: String, expected: String) {
        #expect(Shell.quote(input) == expected)
    }

    /// What the shell hands the program is exactly the original word.
    @Test func roundTripsThroughARealShell() throws {
        let nasty = ["it's", "$(id)", "a b", "\"q\"", "back\\slash", "*", "new\nline", "", "é∑", "''", "'\u{301}x'", "🇫🇷'🇩🇪"]
        let script = "for w in \(Shell.join(nasty)); do printf '%s\\0' \"$w\"; done"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let words = data.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
        #expect(words == nasty)
    }

    @Test func putCommandQuotesThePathAndRenamesLast() {
        let cmd = Session.putCommand(path: "/etc/postfix/it's here/main.cf", mode: 0o640, owner: "root:postfix")
        #expect(cmd.contains(#"mktemp '/etc/postfix/it'\''s here/.main.cf.postfleet.XXXXXX'"#))
        #expect(cmd.contains("chmod 640 \"$t\""))
        #expect(cmd.contains("chown root:postfix \"$t\""))
        #expect(cmd.hasSuffix(#"mv -f "$t" '/etc/postfix/it'\''s here/main.cf'; trap - EXIT"#))
        #expect(cmd.hasPrefix("set -e; umask 077;"))
    }

    /// The command really replaces a file atomically and keeps the old one on failure.
    @Test func putCommandWorksInALocalShell() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pf-put-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("main.cf").path
        try "old\n".write(toFile: target, atomically: true, encoding: .utf8)

        func run(_ command: String, stdin: String) throws -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", command]
            let input = Pipe()
            p.standardInput = input
            p.standardError = FileHandle.nullDevice
            try p.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
            p.waitUntilExit()
            return p.terminationStatus
        }
        #expect(try run(Session.putCommand(path: target, mode: 0o640, owner: nil), stdin: "new\n") == 0)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: target)
        #expect((attributes[.posixPermissions] as? Int) == 0o640)
        // chown to a user that does not exist fails: the old file stays, no temp file is left.
        #expect(try run(Session.putCommand(path: target, mode: 0o600, owner: "no-such-user-pf"), stdin: "newer\n") != 0)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["main.cf"])
    }
}

@Suite struct SSHErrorTests {
    @Test func descriptionNamesHostAddressAndPhase() {
        let e = SSHError(host: "mta3", address: "198.18.0.3", port: 22, phase: .hostKey, code: .hostKeyMismatch, message: "host key mismatch: ...")
        #expect(e.description == "mta3 (198.18.0.3:22): host key: host key mismatch: ...")
        let v6 = SSHError(host: "::1", address: "::1", port: 2222, phase: .connect, code: .timeout, message: "no answer")
        #expect(v6.description == "[::1]:2222: connect: no answer")
    }

    @Test func onlyConnectionTroubleIsTransient() {
        func e(_ phase: SSHError.Phase, _ code: SSHError.Code) -> SSHError {
            SSHError(host: "h", address: "h", port: 22, phase: phase, code: code, message: "")
        }
        #expect(e(.connect, .connectionRefused).isTransient)
        #expect(e(.handshake, .timeout).isTransient)
        #expect(!e(.hostKey, .hostKeyMismatch).isTransient)
        #expect(!e(.auth, .authenticationFailed).isTransient)
        #expect(!e(.exec, .timeout).isTransient)
        #expect(e(.auth, .authenticationFailed).isUnreachable)
        #expect(!e(.exec, .remoteFailure).isUnreachable)
    }

    @Test func onlyAHandshakeClosedBeforeTheBannerWasDroppedBeforeIt() {
        func e(_ phase: SSHError.Phase, _ code: SSHError.Code, _ message: String) -> SSHError {
            SSHError(host: "h", address: "h", port: 22, phase: phase, code: code, message: message)
        }
        let banner = "connection lost: the SSH handshake failed: Failed getting banner (libssh2 error -13)"
        #expect(e(.handshake, .connectionLost, banner).isDroppedBeforeBanner)
        #expect(!e(.handshake, .connectionLost, "connection lost: the SSH handshake failed: Unable to exchange encryption keys (libssh2 error -13)").isDroppedBeforeBanner)
        #expect(!e(.handshake, .timeout, banner).isDroppedBeforeBanner)
        #expect(!e(.auth, .connectionLost, banner).isDroppedBeforeBanner)
    }
}
