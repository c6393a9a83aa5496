import Foundation
import Testing

/// The postfleet under test: `POSTFLEET_BIN` (scripts/test sets it), else the build beside the tests.
let postfleetUnderTest = ProcessInfo.processInfo.environment["POSTFLEET_BIN"] ?? postfleetExecutable

/// `render --out OUT` writes inside OUT only, whatever the host names and whatever OUT
/// already holds: a host name that would leave it is refused at its line, a symbolic link
/// in OUT is refused before anything is written (its target untouched), and a secret file
/// is 0600 from the moment it exists.
@Suite(.serialized) struct RenderConfinementTests {
    /// A playbook with one secret table (a `*_password_maps` parameter names it) and one plain one.
    static let playbook = """
        - hosts: all
          instances:
            - name: default
              main_cf:
                parameters:
                  smtp_sasl_password_maps: "hash:$config_directory/sasl_passwd"
              tables:
                - {name: sasl_passwd, type: hash, entries: {"[relay]:587": "user:pass"}}
                - {name: generic, type: cdb, entries: {root: admin}}
        """

    /// A directory holding `site.yml`, an inventory of `hosts` (YAML keys as written), OUT
    /// (`out/`) and a directory beside it (`outside/`, with a file and a directory) that
    /// nothing may touch.
    func withProject<T>(hosts: [String] = ["mta1", "mta2"], _ body: (_ directory: String) throws -> T) throws -> T {
        try withTemporaryDirectory { directory in
            let inventory = "all:\n  hosts:\n" + hosts.map { "    \($0):\n" }.joined()
            try write(["site.yml": Self.playbook, "inventory.yml": inventory, "outside/file": "keep\n"], into: directory)
            try FileManager.default.createDirectory(atPath: directory + "/outside/dir", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: directory + "/out", withIntermediateDirectories: true)
            try setMode(0o644, directory + "/outside/file")
            return try body(directory)
        }
    }

    func render(in directory: String, _ extra: [String] = ["--all", "--out", "out"]) throws -> (status: Int32, out: String, err: String) {
        try run(postfleetUnderTest, ["render", "site.yml", "-i", "inventory.yml"] + extra, in: directory)
    }

    /// Every path under `root` (links not followed), with its kind and mode: what a test
    /// compares before and after.
    func tree(_ root: String) throws -> [String] {
        let manager = FileManager.default
        guard let walker = manager.enumerator(atPath: root) else { return [] }
        return try walker.compactMap { $0 as? String }.sorted().map { path in
            let attributes = try manager.attributesOfItem(atPath: root + "/" + path)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
            return "\(path) \(attributes[.type] as? FileAttributeType == .typeSymbolicLink ? "link" : "") \(String(mode, radix: 8))"
        }
    }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    func setMode(_ mode: Int, _ path: String) throws {
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    @Test func secretFilesAre0600AndOthers0644WhateverTheUmask() throws {
        try withProject { directory in
            // With umask 0, a file written then chmod-ed would be 0666 for a moment; the
            // modes must be exact either way.
            let result = try run("/bin/sh", ["-c", "umask 0 && exec \"$0\" render site.yml -i inventory.yml --all --out out", postfleetUnderTest],
                                 in: directory)
            #expect(result.status == 0, "\(result.err)")
            for host in ["mta1", "mta2"] {
                let base = "\(directory)/out/\(host)/etc/postfix/"
                #expect(try mode(base + "sasl_passwd") == 0o600)
                #expect(try mode(base + "generic") == 0o644)
                #expect(try mode(base + "main.cf.postconf") == 0o644)
                #expect(try readFile(base + "sasl_passwd").contains("[relay]:587"))
            }
            #expect(try tree(directory + "/out/mta1").allSatisfy { !$0.contains(".postfleet-") })
        }
    }

    /// A file already in OUT is replaced by a new one, not written in place: a hard link to
    /// it elsewhere keeps its text and mode, and the secret never sits in a 0644 file.
    @Test func anExistingFileIsReplacedNotWrittenThrough() throws {
        try withProject { directory in
            let secret = directory + "/out/mta1/etc/postfix/sasl_passwd"
            try write(["out/mta1/etc/postfix/sasl_passwd": "old\n"], into: directory)
            try setMode(0o644, secret)
            try FileManager.default.linkItem(atPath: secret, toPath: directory + "/outside/hardlink")
            let result = try render(in: directory)
            #expect(result.status == 0, "\(result.err)")
            #expect(try readFile(directory + "/outside/hardlink") == "old\n")
            #expect(try mode(directory + "/outside/hardlink") == 0o644)
            #expect(try mode(secret) == 0o600)
            #expect(try readFile(secret).contains("user:pass"))
        }
    }

    /// Links (and a file) placed in OUT where render would write: each refused with its
    /// path before anything is written, for any host; what they point at is untouched.
    @Test(arguments: [
        ("mta1", "outside/dir", "cannot write under OUT/mta1: it is a symbolic link, which postfleet does not follow; remove it"),
        ("mta2/etc", "outside/dir", "cannot write under OUT/mta2/etc: it is a symbolic link, which postfleet does not follow; remove it"),
        ("mta2/etc/postfix", "outside/dir", "cannot write under OUT/mta2/etc/postfix: it is a symbolic link, which postfleet does not follow; remove it"),
        ("mta2/etc/postfix/sasl_passwd", "outside/file", "cannot write OUT/mta2/etc/postfix/sasl_passwd: it is a symbolic link, which postfleet does not follow; remove it"),
        ("mta1/etc/postfix/generic", "outside/file", "cannot write OUT/mta1/etc/postfix/generic: it is a symbolic link, which postfleet does not follow; remove it"),
        ("mta1/etc/postfix/main.cf.postconf", "outside/new", "cannot write OUT/mta1/etc/postfix/main.cf.postconf: it is a symbolic link, which postfleet does not follow; remove it"),
    ])
    func aLinkInOutIsRefusedAndItsTargetUntouched(link: String, target: String, message: String) throws {
        try withProject { directory in
            let path = directory + "/out/" + link
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: directory + "/" + target)
            let before = (out: try tree(directory + "/out"), outside: try tree(directory + "/outside"))
            let result = try render(in: directory)
            #expect(result.status == 1)
            #expect(result.out == "")
            #expect(result.err == "postfleet: " + message.replacingOccurrences(of: "OUT", with: directory + "/out") + "\n")
            #expect(try tree(directory + "/out") == before.out)
            #expect(try tree(directory + "/outside") == before.outside)
            #expect(try readFile(directory + "/outside/file") == "keep\n")
            #expect(try mode(directory + "/outside/file") == 0o644)
            #expect(!FileManager.default.fileExists(atPath: directory + "/outside/new"))
        }
    }

    @Test func aFileWhereAHostDirectoryGoesIsRefused() throws {
        try withProject { directory in
            try write(["out/mta2": "not a directory\n"], into: directory)
            let result = try render(in: directory)
            #expect(result.status == 1)
            #expect(result.err == "postfleet: cannot write under \(directory)/out/mta2: it is not a directory\n")
            #expect(try tree(directory + "/out") == ["mta2  644"])
        }
    }

    /// A host name that would lead out of OUT is an error at its line in the inventory;
    /// nothing is written, OUT not even made.
    @Test(arguments: ["..", "../x", "a/../../b", "/tmp/abs", ".", "mta/1"])
    func aHostNameThatLeavesOutIsRefusedAtItsLine(name: String) throws {
        try withProject(hosts: ["mta1", "\"\(name)\""]) { directory in
            try FileManager.default.removeItem(atPath: directory + "/out")
            let before = try tree(directory)
            let result = try render(in: directory)
            #expect(result.status == 1)
            #expect(result.out == "")
            #expect(result.err == """
                inventory.yml:4:5: error: '\(name)' cannot be a host name: postfleet writes a host's files under a directory of its name (render --out), so a host name is not '.' or '..' and has no '/'
                    "\(name)":
                    ^

                """)
            #expect(try tree(directory) == before)
        }
    }

    @Test func aControlCharacterInAHostNameIsRefusedAtItsLine() throws {
        try withProject(hosts: ["mta1", "\"mta2\\0/../..\""]) { directory in
            let result = try render(in: directory)
            #expect(result.status == 1)
            #expect(result.err.hasPrefix("inventory.yml:4:5: error: the host name holds a control character (U+0000) after 4 characters; it cannot hold one\n"))
            #expect(try tree(directory + "/out") == [])
        }
    }

    /// An OUT that cannot be a directory is said before anything is rendered; a missing
    /// one is made, with its parents.
    @Test func anOutThatCannotBeWrittenIsSaidWithTheFlag() throws {
        try withProject { directory in
            var result = try render(in: directory, ["--all", "--out", "outside/file"])
            #expect(result.status == 1)
            #expect(result.err == "postfleet: --out outside/file is a file, not a directory\n")
            result = try render(in: directory, ["--all", "--out", "outside/file/out"])
            #expect(result.err == "postfleet: --out outside/file/out cannot be created: outside/file is not a directory\n")
            result = try render(in: directory, ["--all", "--out", "/sys/postfleet-out"])
            #expect(result.status == 1)
            #expect(result.err == "postfleet: --out /sys/postfleet-out cannot be created: cannot create a file in /sys: Permission denied\n")
            #expect(try readFile(directory + "/outside/file") == "keep\n")
            try FileManager.default.createSymbolicLink(atPath: directory + "/dangling", withDestinationPath: "nowhere")
            result = try render(in: directory, ["--all", "--out", "dangling"])
            #expect(result.err == "postfleet: --out dangling cannot be created: it is a symbolic link to nothing\n")
            #expect(!FileManager.default.fileExists(atPath: directory + "/nowhere"))
            result = try render(in: directory, ["--host", "mta1", "--out", "new/deeper"])
            #expect(result.status == 0, "\(result.err)")
            #expect(try mode(directory + "/new/deeper/mta1/etc/postfix/sasl_passwd") == 0o600)
        }
    }

    @Test func aControlCharacterInHostIsAFlagError() throws {
        try withProject { directory in
            let result = try render(in: directory, ["--host", "mta1\u{1B}[2J", "--out", "out"])
            #expect(result.status == 1)
            #expect(result.err.hasPrefix("Error: --host holds a control character (U+001B) after 4 characters; it cannot hold one\n"))
        }
    }
}
