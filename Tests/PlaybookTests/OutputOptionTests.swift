import Foundation
import Testing

/// Report files (`--json`, `--junit`) and change logs (`--log`) that cannot be written are said before any host is
/// contacted, naming the flag; a report that is written goes whole into place, and a later
/// failure leaves no file behind. Hosts are on a loopback port that listens and never
/// answers: what arrived there says whether a command got as far as connecting.
@Suite(.serialized) struct OutputOptionTests {
    let listener: LoopbackListener

    init() throws { listener = try LoopbackListener() }

    var inventory: String {
        """
        [border]
        quiet1 ansible_host=127.0.0.1 ansible_port=\(listener.port)
        quiet2 ansible_host=127.0.0.1 ansible_port=\(listener.port)
        """
    }

    static let playbook = "- hosts: border\n  instances:\n    - name: default\n      main_cf:\n        parameters: {relayhost: mailhub}\n"

    /// Each command that writes a report, with the options it needs; `REPORT` stands for the path.
    static let commands: [[String]] = [
        ["exec", "--json", "REPORT", "--", "true"],
        ["instances", "--json", "REPORT"],
        ["drift", "site.yml", "--json", "REPORT"],
        ["run", "site.yml", "--json", "REPORT"],
        ["run", "site.yml", "--check", "--junit", "REPORT"],
        ["postmulti", "-p", "status", "--all", "--json", "REPORT"],
        // The change log of the commands that change hosts.
        ["run", "site.yml", "--log", "REPORT"],
        ["postmulti", "-p", "reload", "--all", "--log", "REPORT"],
        ["restore", "--run", "20261206T121044Z-37fb", "--log", "REPORT"],
    ]

    func withProject<T>(_ body: (_ directory: String) throws -> T) throws -> T {
        try withTemporaryDirectory { directory in
            try write(["inventory.ini": inventory, "site.yml": Self.playbook, "file": "keep\n"], into: directory)
            try FileManager.default.createDirectory(atPath: directory + "/reports", withIntermediateDirectories: true)
            return try body(directory)
        }
    }

    func postfleet(_ command: [String], report: String, in directory: String) throws -> (status: Int32, out: String, err: String) {
        let arguments = [command[0], "-i", "inventory.ini", "--connect-timeout", "1", "--connect-attempts", "1"]
            + command.dropFirst().map { $0 == "REPORT" ? report : $0 }
        return try run(postfleetUnderTest, arguments, in: directory)
    }

    @Test(arguments: [
        ("missing/report", "directory missing does not exist"),
        ("reports", "it is a directory; give a file name"),
        ("file/report", "file is not a directory"),
        ("/sys/postfleet-report", "cannot create a file in /sys: Permission denied"),
    ])
    func anUnwritableReportIsSaidBeforeAnyHostIsContacted(report: String, why: String) throws {
        try withProject { directory in
            for command in Self.commands {
                let flag = command.firstIndex(of: "REPORT").map { command[$0 - 1] } ?? "?"
                let result = try postfleet(command, report: report, in: directory)
                #expect(result.status == 1, "\(command)")
                #expect(result.out == "", "\(command)")
                #expect(result.err == "postfleet: \(flag) \(report) cannot be written: \(why)\n", "\(command)")
                #expect(!(result.out + result.err).contains("unreachable"))
                #expect(listener.connections() == 0, "\(command)")
            }
            #expect(try readFile(directory + "/file") == "keep\n")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/reports") == [])
        }
    }

    /// A mistake found after the report file was checked (here: a pattern that matches no
    /// host) leaves no file, not even an empty one, and no temporary file.
    @Test func aLaterMistakeLeavesNoReportBehind() throws {
        try withProject { directory in
            for command in Self.commands {
                let result = try postfleet([command[0], "-l", "nosuchhost"] + command.dropFirst(), report: "reports/report", in: directory)
                #expect(result.status == 1, "\(command)")
                #expect(result.err.contains("nosuchhost"), "\(command)")
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/reports") == [], "\(command)")
                #expect(listener.connections() == 0, "\(command)")
            }
        }
    }

    /// The report of a run that reached no host is written whole; a link to a file stays a
    /// link and the file it names gets the report; no temporary file is left. (The hosts are
    /// on a closed loopback port here: refused at once.)
    @Test func aReportIsWrittenWholeThroughALinkToAFile() throws {
        try withProject { directory in
            let closed = try closedLoopbackPort()
            try write(["inventory.ini": "[border]\nquiet1 ansible_host=127.0.0.1 ansible_port=\(closed)\n",
                       "reports/real.json": "old\n"], into: directory)
            try FileManager.default.createSymbolicLink(atPath: directory + "/reports/link.json", withDestinationPath: "real.json")
            let result = try postfleet(["exec", "--json", "REPORT", "--", "true"], report: "reports/link.json", in: directory)
            #expect(result.status == 4, "\(result.err)")
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/reports/real.json")))
            #expect(json is [String: Any])
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/reports/link.json") == "real.json")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/reports").sorted() == ["link.json", "real.json"])
        }
    }

    @Test(arguments: [
        (["exec", "-l", "quiet1\u{1}", "--", "true"], "-l/--limit holds a control character (U+0001) after 6 characters"),
        (["exec", "-u", "ops\n", "--", "true"], "-u/--user holds a control character (U+000A) after 3 characters"),
        (["instances", "--identity", "\u{7F}key"], "--identity holds a control character (U+007F) as its first character"),
        (["inventory", "--host", "quiet1\u{9B}x"], "--host holds a control character (U+009B) after 6 characters"),
    ])
    func aControlCharacterInAFlagIsRefused(command: [String], message: String) throws {
        try withProject { directory in
            let result = try run(postfleetUnderTest, [command[0], "-i", "inventory.ini"] + command.dropFirst(), in: directory)
            #expect(result.status == 1)
            #expect(result.out == "")
            #expect(result.err.hasPrefix("Error: \(message); it cannot hold one\n"))
        }
    }
}
