import Foundation
import Testing
@testable import SSH

/// The command and stdin of `Session.becoming` with a become password, run by a real shell
/// against a stand-in `sudo` on the PATH that reads the password line as `sudo -S` does
/// (or, like a NOPASSWD rule, does not) and then runs the command.
@Suite struct SudoPasswordTests {
    /// Runs `command` with `stdin`, a stand-in sudo first on the PATH; returns status, stdout, stderr.
    func runWithStandInSudo(_ command: String, stdin: [UInt8], sudoReadsPassword: Bool, in directory: URL) throws -> (Int32, String, String) {
        let sudo = directory.appendingPathComponent("sudo")
        // Consumes one line from stdin if told to (as sudo -S does, a byte at a time), and
        // records it; then runs what follows `--`.
        try """
            #!/bin/sh
            if [ "$FAKE_SUDO_READS" = 1 ]; then IFS= read -r pw; printf '%s' "$pw" > "$FAKE_SUDO_DIR/read"; fi
            while [ "$1" != "--" ]; do shift; done; shift
            exec "$@"
            """.write(to: sudo, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sudo.path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = ["PATH": directory.path + ":/usr/bin:/bin", "FAKE_SUDO_READS": sudoReadsPassword ? "1" : "0",
                               "FAKE_SUDO_DIR": directory.path]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: Data(stdin))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("postfleet-sudo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func sudoReadsThePasswordThenTheCommandRunsWithItsOwnStdin() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let become = Become(user: "root", password: Password("it's a \"pw\"; echo PWNED"))
        let (command, stdin) = Session.becoming(become, "echo ran; cat", stdin: Array("own input\n".utf8))
        #expect(command.hasPrefix("exec sudo -S -k -p '' -H -u root -- /bin/sh -c "))
        #expect(!command.contains("PWNED"), "the password is on the command line")
        let (status, out, err) = try runWithStandInSudo(command, stdin: stdin, sudoReadsPassword: true, in: directory)
        #expect(status == 0 && out == "ran\nown input\n", "\(out)\(err)")
        #expect(try String(contentsOf: directory.appendingPathComponent("read"), encoding: .utf8) == "it's a \"pw\"; echo PWNED")
    }

    @Test func aPasswordSudoDoesNotReadIsNeverRunAndSaysSo() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let marker = directory.appendingPathComponent("pwned").path
        let become = Become(user: "postfix", password: Password("touch \(marker)"))
        let (command, stdin) = Session.becoming(become, "echo ran", stdin: [])
        let (status, out, err) = try runWithStandInSudo(command, stdin: stdin, sudoReadsPassword: false, in: directory)
        #expect(status == 97 && out == "", "\(out)\(err)")
        #expect(err.contains(Session.sudoDidNotRead))
        #expect(!err.contains("touch"), "the password was shown")
        #expect(!FileManager.default.fileExists(atPath: marker), "the password ran as a command")
    }

    @Test func withoutAPasswordSudoNeverAsks() {
        let (command, stdin) = Session.becoming(Become(user: "root"), "id", stdin: [1, 2])
        #expect(command == "exec sudo -n -H -u root -- /bin/sh -c 'eval \"$(head -c 2)\"'")
        #expect(stdin == Array("id".utf8) + [1, 2])
    }

    @Test func aPasswordPrintsAsSecret() {
        let password = Password("hunter2")
        var endpoint = Endpoint(name: "mta1")
        endpoint.password = password
        endpoint.become = Become(password: password)
        for shown in ["\(password)", String(reflecting: password), "\(endpoint)", String(reflecting: endpoint)] {
            #expect(!shown.contains("hunter2"), "\(shown)")
        }
    }
}
