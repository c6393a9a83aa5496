import Foundation
import Glibc
import Postfix
import Testing

/// The facts probe's record of `postconf`'s answers (FactsProbe+Cache.swift), run for real:
/// `/bin/sh`, this machine's postconf behind a wrapper on the PATH that counts its runs, a
/// default instance (MAIL_CONFIG) and one secondary instance in a scratch directory.
@Suite(.enabled(if: RealPostconf.isInstalled, "needs postconf (apt install postfix)"))
struct FactsCacheTests {
    struct Host {
        let dir: String
        var cache: String { dir + "/cache/postconf" }
        var input: String { dir + "/postfix-in" }

        init(_ dir: String) throws {
            self.dir = dir
            let fm = FileManager.default
            for sub in ["bin", "default", "postfix-in"] {
                try fm.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
                if sub != "bin" { try write("", to: "\(dir)/\(sub)/master.cf") }
            }
            // After each run, DIR/hook (when there is one) may change the host, as another
            // administrator could while a probe runs.
            try """
                #!/bin/sh
                echo "$*" >>'\(dir)/calls'
                out=$(\(RealPostconf.path) "$@" 2>&1); s=$?
                [ ! -f '\(dir)/hook' ] || . '\(dir)/hook'
                printf '%s\\n' "$out"; exit $s

                """.write(toFile: dir + "/bin/postconf", atomically: true, encoding: .utf8)
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/bin/postconf")
            try coolDown(dir + "/bin/postconf")
            // sha256sum counts its runs too, and DIR/sha-hook may change a file after it read them.
            try """
                #!/bin/sh
                echo "$*" >>'\(dir)/sha-calls'
                out=$(/usr/bin/sha256sum "$@"); s=$?
                [ ! -f '\(dir)/sha-hook' ] || . '\(dir)/sha-hook'
                printf '%s\\n' "$out"; exit $s

                """.write(toFile: dir + "/bin/sha256sum", atomically: true, encoding: .utf8)
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/bin/sha256sum")
            try write("""
                queue_directory = \(dir)/spool
                data_directory = \(dir)/lib
                multi_instance_directories = \(input)
                multi_instance_enable = yes
                """, to: dir + "/default/main.cf")
            try setInput(group: "mta")
        }

        func setInput(group: String) throws {
            try write("""
                queue_directory = \(dir)/spool-in
                data_directory = \(dir)/lib-in
                multi_instance_name = postfix-in
                multi_instance_group = \(group)
                multi_instance_enable = yes
                """, to: input + "/main.cf")
        }

        /// How many times postconf has run so far.
        var postconfRuns: Int { lines(dir + "/calls") }
        /// How many times sha256sum has run so far.
        var sha256sumRuns: Int { lines(dir + "/sha-calls") }

        private func lines(_ path: String) -> Int {
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        /// Runs the probe, in a later tick of the change-time clock than whatever the test
        /// changed before (see ``waitForTheNextTick(in:)``).
        func probe(files: [String] = [], modes: [String] = []) throws -> HostFacts {
            try waitForTheNextTick(in: dir)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", FactsProbe.command(files: files, modes: modes, cache: cache)]
            p.environment = ["PATH": "\(dir)/bin:/usr/sbin:/usr/bin:/sbin:/bin", "MAIL_CONFIG": dir + "/default"]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return try FactsProbe.parse(String(decoding: data, as: UTF8.self))
        }
    }

    @Test func theSecondProbeRunsNoPostconfAndSeesWhatTheFirstSaw() throws {
        try withTemporaryDirectory { dir in
            let host = try Host(dir)
            let first = try host.probe()
            #expect(first.instances.map(\.name) == [nil, "postfix-in"] && first.instances.last?.group == "mta")
            #expect(host.postconfRuns == 2, "the default instance's postconf and postfix-in's")
            let attributes = try FileManager.default.attributesOfItem(atPath: host.cache)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            let second = try host.probe()
            #expect(host.postconfRuns == 2, "no postconf: every main.cf is as recorded")
            #expect(second == first)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/cache") == ["postconf"], "no temporary file left")
        }
    }

    @Test func aChangedMainCFIsSeenByTheNextProbe() throws {
        try withTemporaryDirectory { dir in
            let host = try Host(dir)
            _ = try host.probe()
            // Back-dated as the others are: the size, inode and change time still differ.
            try host.setInput(group: "border")
            #expect(try host.probe().instances.last?.group == "border")
            #expect(host.postconfRuns == 4)
            #expect(try host.probe().instances.last?.group == "border")
            #expect(host.postconfRuns == 4, "the new answers were recorded")

            // Replaced as `cp -p` or `rsync -t` replace it: same size, same modification time.
            let path = host.input + "/main.cf"
            let before = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
            let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "= border", with: "= relay_")
            try text.write(toFile: path + ".new", atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: before], ofItemAtPath: path + ".new")
            #expect(rename(path + ".new", path) == 0)
            #expect(try host.probe().instances.last?.group == "relay_")
            #expect(host.postconfRuns == 6)
        }
    }

    /// postconf replaced, as a package upgrade replaces it (a new file renamed over the old):
    /// its answers are asked again.
    @Test func aNewPostconfIsAskedAgain() throws {
        try withTemporaryDirectory { dir in
            let host = try Host(dir)
            _ = try host.probe()
            let wrapper = try String(contentsOfFile: dir + "/bin/postconf", encoding: .utf8)
            try wrapper.write(toFile: dir + "/bin/postconf", atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/bin/postconf")
            _ = try host.probe()
            #expect(host.postconfRuns == 4)
        }
    }

    @Test func aSecondInstanceAddedToTheDefaultMainCFIsSeen() throws {
        try withTemporaryDirectory { dir in
            let host = try Host(dir)
            _ = try host.probe()
            try FileManager.default.createDirectory(atPath: dir + "/postfix-out", withIntermediateDirectories: true)
            try write("", to: dir + "/postfix-out/master.cf")
            try write("multi_instance_name = postfix-out\nqueue_directory = \(dir)/spool-out\n", to: dir + "/postfix-out/main.cf")
            try write("""
                queue_directory = \(dir)/spool
                multi_instance_directories = \(host.input) \(dir)/postfix-out
                """, to: dir + "/default/main.cf")
            #expect(try host.probe().instances.map(\.name) == [nil, "postfix-in", "postfix-out"])
            #expect(try host.probe().instances.map(\.name) == [nil, "postfix-in", "postfix-out"])
            #expect(host.postconfRuns == 5, "2, then 3, then none")
        }
    }

    /// A main.cf changed while the probe runs (here: by the postconf wrapper, right after
    /// postfix-in's answer) may have changed while postconf read it: nothing is recorded,
    /// and the next probe asks postconf again and sees the change.
    @Test func aMainCFChangedDuringTheProbeIsNotRecorded() throws {
        try withTemporaryDirectory { dir in
            let host = try Host(dir)
            try "case \"$*\" in *postfix-in*) sed -i 's/= mta$/= changed/' '\(host.input)/main.cf'; touch -d '10 seconds ago' '\(host.input)/main.cf'; rm -f '\(dir)/hook';; esac\n"
                .write(toFile: dir + "/hook", atomically: true, encoding: .utf8)
            #expect(try host.probe().instances.last?.group == "mta", "postconf read main.cf before the change")
            #expect(!FileManager.default.fileExists(atPath: host.cache))
            #expect(try host.probe().instances.last?.group == "changed")
            #expect(host.postconfRuns == 4)
            #expect(try host.probe().instances.last?.group == "changed")
            #expect(host.postconfRuns == 4, "recorded once nothing changed during a probe")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/cache") == ["postconf"], "no temporary file left")
        }
    }

    @Test(arguments: ["cut short", "answers out of order", "garbage"])
    func aDamagedRecordIsAMiss(damage: String) throws {
        try withTemporaryDirectory { dir in
            let host = try Host(dir)
            let first = try host.probe()
            let lines = try String(contentsOfFile: host.cache, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            let damaged: [Substring] = switch damage {
            case "cut short": Array(lines.dropLast(4))
            case "answers out of order":  // postfix-in's answer said to be another directory's
                lines.indices.map { $0 == lines.lastIndex(of: Substring(">" + host.input)) ? ">/etc/elsewhere" : lines[$0] }
            default: ["\u{1}\u{2}", "stat: no"]
            }
            try damaged.joined(separator: "\n").write(toFile: host.cache, atomically: false, encoding: .utf8)
            #expect(try host.probe() == first)
            #expect(host.postconfRuns > 2, "postconf answered, not the damaged record")
        }
    }

    /// The record is a shell script of quoted assignments: an answer with quotes, a `$`, a
    /// backquote and a backslash comes back from it as postconf gave it.
    @Test func anAnswerWithShellCharactersComesBackFromTheRecord() throws {
        try withTemporaryDirectory { dir in
            let host = try Host(dir)
            let group = #"it's "$(touch \#(dir)/ran)" `x` \ '\''"#
            // `$$` is Postfix's `$`, which postconf -x expands.
            try host.setInput(group: group.replacingOccurrences(of: "$", with: "$$"))
            let first = try host.probe()
            #expect(first.instances.last?.group == group)
            let record = try String(contentsOfFile: host.cache, encoding: .utf8)
            #expect(record.hasPrefix(FactsProbe.recordHeader + "\n") && record.hasSuffix("\npc_rec=2\n"))
            let second = try host.probe()
            #expect(host.postconfRuns == 2, "the answers came from the record")
            #expect(second == first)
            #expect(!FileManager.default.fileExists(atPath: dir + "/ran"))
        }
    }

    /// A record that is not the probe's own script is never run: one in the line format of
    /// earlier versions (whose lines, run, would start programs and create files), and one
    /// that another user owns. Each is a miss, and the probe writes its own.
    @Test(arguments: ["earlier format", "another owner"])
    func aRecordThatIsNotTheProbesOwnIsNeverRun(kind: String) throws {
        try withTemporaryDirectory { dir in
            let host = try Host(dir)
            let first = try host.probe()
            let text = kind == "earlier format"
                ? "\(dir)/bin/postconf \(dir)/default/main.cf\ntouch \(dir)/ran\n>\(dir)/ran-too\n.\n"
                : FactsProbe.recordHeader + "\ntouch '\(dir)/ran'\n" + (try String(contentsOfFile: host.cache, encoding: .utf8))
            try text.write(toFile: host.cache, atomically: false, encoding: .utf8)
            if kind == "another owner" { #expect(chown(host.cache, 65534, 65534) == 0) }
            #expect(try host.probe() == first)
            #expect(host.postconfRuns == 4, "postconf answered, not the record")
            #expect(!FileManager.default.fileExists(atPath: dir + "/ran") && !FileManager.default.fileExists(atPath: dir + "/ran-too"))
            #expect(try String(contentsOfFile: host.cache, encoding: .utf8).hasPrefix(FactsProbe.recordHeader + "\npc_list="))
            #expect(try host.probe() == first)
            #expect(host.postconfRuns == 4, "the record written anew was used")
        }
    }

    @Test func withoutACacheNothingIsWritten() throws {
        try withTemporaryDirectory { dir in
            let host = try Host(dir)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", FactsProbe.command(files: [], cache: nil)]
            p.environment = ["PATH": "\(dir)/bin:/usr/sbin:/usr/bin:/sbin:/bin", "MAIL_CONFIG": dir + "/default"]
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            #expect(host.postconfRuns == 2)
            #expect(!FileManager.default.fileExists(atPath: dir + "/cache"))
        }
    }

    /// The managed files' checksums are kept beside postconf's answers, each with its file's
    /// identity: a probe where none changed starts no sha256sum.
    @Test func theManagedFilesChecksumsAreReadOnceWhileTheFilesStayTheSame() throws {
        try withTemporaryDirectory { dir in
            let host = try Host(dir)
            let files = ["\(dir)/default/generic", "\(dir)/postfix-in/a map", "\(dir)/default/absent"]
            try write("a@example.com b@example.net\n", to: files[0])
            try write("x y\n", to: files[1])
            let first = try host.probe(files: files)
            #expect(first.checksums == [files[0]: try sha256(files[0]), files[1]: try sha256(files[1])])
            #expect(host.sha256sumRuns == 1)
            let second = try host.probe(files: files)
            #expect(second == first)
            #expect(host.sha256sumRuns == 1, "every managed file as recorded")
            #expect(host.postconfRuns == 2)

            // Rewritten as cp -p would: same size, same modification time, new inode.
            let before = try FileManager.default.attributesOfItem(atPath: files[0])[.modificationDate] as! Date
            try "c@example.com b@example.net\n".write(toFile: files[0] + ".new", atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: before], ofItemAtPath: files[0] + ".new")
            #expect(rename(files[0] + ".new", files[0]) == 0)
            #expect(try host.probe(files: files).checksums[files[0]] == (try sha256(files[0])))
            #expect(host.sha256sumRuns == 2)
            #expect(try host.probe(files: files).checksums[files[0]] == (try sha256(files[0])))
            #expect(host.sha256sumRuns == 2, "the new checksum was recorded")
            #expect(host.postconfRuns == 2, "postconf's answers were kept all along")

            // A file that appears, and a probe that asks for other files, are misses.
            try write("now here\n", to: files[2])
            #expect(try host.probe(files: files).checksums[files[2]] == (try sha256(files[2])))
            #expect(host.sha256sumRuns == 3)
            #expect(try host.probe(files: [files[1]]).checksums == [files[1]: try sha256(files[1])])
            #expect(host.sha256sumRuns == 4)
        }
    }

    /// A managed file changed while sha256sum reads it (here: by the wrapper, right after it
    /// read them) is not recorded with the checksum it was read with.
    @Test func aManagedFileChangedDuringTheProbeIsNotRecorded() throws {
        try withTemporaryDirectory { dir in
            let host = try Host(dir)
            let file = "\(dir)/default/generic"
            try write("old\n", to: file)
            try "echo new >'\(file)'; touch -d '10 seconds ago' '\(file)'; rm -f '\(dir)/sha-hook'\n"
                .write(toFile: dir + "/sha-hook", atomically: true, encoding: .utf8)
            let old = try sha256(file)
            #expect(try host.probe(files: [file]).checksums[file] == old, "sha256sum read it before the change")
            #expect(try host.probe(files: [file]).checksums[file] == (try sha256(file)))
            #expect(try sha256(file) != old)
            #expect(host.sha256sumRuns == 2)
            #expect(try host.probe(files: [file]).checksums[file] == (try sha256(file)))
            #expect(host.sha256sumRuns == 2, "recorded once nothing changed during a probe")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/cache") == ["postconf"], "no temporary file left")
        }
    }

    /// The permission bits come from the probe's one stat, each time.
    @Test func thePermissionBitsAskedForAreReadEachTime() throws {
        try withTemporaryDirectory { dir in
            let host = try Host(dir)
            let files = ["\(dir)/default/sasl_passwd", "\(dir)/default/sasl_passwd.cdb", "\(dir)/default/none"]
            try write("relay user:secret\n", to: files[0])
            try write("", to: files[1])
            try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: files[0])
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: files[1])
            #expect(try host.probe(files: files, modes: files).modes == [files[0]: 0o640, files[1]: 0o644])
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: files[1])
            let again = try host.probe(files: files, modes: files)
            #expect(again.modes == [files[0]: 0o640, files[1]: 0o600])
            #expect(host.sha256sumRuns == 2, "chmod changed the file's identity: its checksum is read again")
        }
    }
}

/// `sha256sum` of `path`, by the real one.
private func sha256(_ path: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    p.arguments = [path]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(String(decoding: data, as: UTF8.self).prefix(64))
}
