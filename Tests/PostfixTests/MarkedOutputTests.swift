import Foundation
import ShellQuoting
import Testing
@testable import Postfix

/// The one protocol remote scripts report in: written by the shell functions on the host,
/// read back here, whatever the payload's lines say.
@Suite struct MarkedOutputTests {
    func run(_ script: String, shell: String = "/bin/sh") throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: shell)
        p.arguments = ["-c", script]
        let out = Pipe()
        p.standardOutput = out
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func recordsHaveAKindWordsAndABody() {
        let output = MarkedOutput("motd\n\n@@postfleet step stage0 1 20 1\n| fatal: bad\n|\n| \n@@postfleet end failed\n@@postfleet version\n")
        #expect(output.records.map(\.kind) == ["step", "end", "version"])
        #expect(output.records[0].words == ["stage0", "1", "20", "1"])
        #expect(output.records[0].body == ["fatal: bad", "", ""])
        #expect(output.records[1].rest == "failed" && output.records[1].key == "end failed")
        #expect(output.records[2].rest == "" && output.records[2].key == "version" && output.records[2].body.isEmpty)
        #expect(MarkedOutput("@@postfleet file /etc/a b/main.cf\n").records[0].rest == "/etc/a b/main.cf")
    }

    @Test(arguments: ["/bin/sh", "/bin/bash", "/bin/dash"])
    func aBodyLineThatLooksLikeAMarkerRoundTrips(shell: String) throws {
        guard FileManager.default.isExecutableFile(atPath: shell) else { return }
        let script = MarkedOutput.functions + """

            IFS=','
            mark step t0 0 "1 2"
            printf '%s\\n' '@@postfleet end ok' '' '| not a prefix' 'no newline at the end' | mark_body
            printf 'partial'
            mark table
            mark_line '@@postfleet gate ok 1' ''
            mark end ok
            """
        let records = MarkedOutput(try run(script, shell: shell)).records
        #expect(records.map(\.kind) == ["step", "table", "end"])
        #expect(records[0].rest == "t0 0 1 2")
        #expect(records[0].body == ["@@postfleet end ok", "", "| not a prefix", "no newline at the end"])
        #expect(records[1].body == ["@@postfleet gate ok 1", ""])
        #expect(records[2].rest == "ok")
    }

    @Test func aFileReadKeepsATableLineThatStartsWithTheMarker() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pf-read-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let table = "@@postfleet end\n@@postfleet file /etc/shadow\nuser@example.com  relay:[a]\n\n| x\n"
        try table.write(toFile: dir + "/it's table", atomically: true, encoding: .utf8)
        try "".write(toFile: dir + "/empty", atomically: true, encoding: .utf8)
        let paths = [dir + "/it's table", dir + "/empty", dir + "/missing"]
        let files = FileRead.parse(try run(FileRead.script(paths)))
        #expect(files == [paths[0]: table, paths[1]: "", paths[2]: ""])
    }

    /// The facts probe sends main.cf and master.cf without the lines Postfix ignores: what
    /// postconf reads of them is what the controller reads, for the stock files and for
    /// comments, blank and whitespace-only lines between a line and its continuation.
    @Test(.enabled(if: RealPostconf.isInstalled, "needs postconf (apt install postfix)"))
    func configFilesAreSentAsPostfixReadsThem() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pf-cf-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/tricky", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tricky = [
            "# a comment\n",
            "smtpd_banner = $myhostname ESMTP # not a comment\n",
            "mynetworks = 127.0.0.0/8\n",
            "  # an indented comment between a line and its continuation\n",
            "\t\n",
            "\r\n",
            "\t[::1]/128\n",
            "\n",
            "   \n",
            "    10.0.0.0/8\n",
            "relayhost=[hub.example.com]:25\r\n",
            "#disabled = yes\n",
            "   #mydomain = example.net\n",
            "alias_maps = hash:/etc/aliases\n",
            "\tlmdb:/etc/aliases2",
        ].joined()
        try tricky.write(toFile: dir + "/tricky/main.cf", atomically: true, encoding: .utf8)
        let masterTricky = "smtp inet n - y - - smtpd\n# comment\n  -o a=b\n\n\t\n  -o c=d\n#submission inet n - y - - smtpd\npickup unix n - y 60 1 pickup\n"
        try masterTricky.write(toFile: dir + "/tricky/master.cf", atomically: true, encoding: .utf8)

        let paths = ["/usr/share/postfix/main.cf.dist", "/usr/share/postfix/master.cf.dist", dir + "/tricky/main.cf", dir + "/tricky/master.cf"]
        let sent = MarkedOutput(try run(MarkedOutput.configFiles(paths.map(Shell.quote).joined(separator: " ")))).records
        #expect(sent.map(\.rest) == paths.map { Substring($0) })
        let texts = sent.map { $0.body.map { $0 + "\n" }.joined() }
        for (path, text) in zip(paths, texts) {
            let whole = try String(contentsOfFile: path, encoding: .utf8)
            #expect(!text.split(separator: "\n").contains { $0.first == "#" || $0.allSatisfy(\.isWhitespace) })
            #expect(text.utf8.count < whole.utf8.count)
            if path.hasSuffix("main.cf") || path.hasSuffix("main.cf.dist") {
                #expect(MainCF(text).parameters.map { "\($0.name) = \($0.value)" } == MainCF(whole).parameters.map { "\($0.name) = \($0.value)" })
            } else {
                #expect(MasterCF(text).services.map(\.fields) == MasterCF(whole).services.map(\.fields))
            }
        }
        // What postconf itself reads of the whole file (which it prints with the whitespace
        // of continued lines as one space, and with the config_directory -c gave it).
        let postconf = try RealPostconf.run(["-c", dir + "/tricky", "-n"]).out.split(separator: "\n").map(String.init)
        let parameters = MainCF(texts[2]).parameters.map { "\($0.name) = \($0.value.split(whereSeparator: \.isWhitespace).joined(separator: " "))" }
        #expect(postconf.filter { !$0.hasPrefix("config_directory = ") } == parameters.sorted())
        #expect(parameters.contains("mynetworks = 127.0.0.0/8 [::1]/128 10.0.0.0/8"))
        let services = try RealPostconf.run(["-c", dir + "/tricky", "-M"]).out.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(services == MasterCF(texts[3]).services.map { $0.fields.joined(separator: " ") })
    }

    @Test func theHealthOutcomeIsTheLastGateRecord() {
        #expect(HealthProbe.outcome("noise\n\n@@postfleet gate ok 2\n") == (true, 2, ""))
        let failed = HealthProbe.outcome("\n@@postfleet gate failed 6 /etc/postfix-in: 127.0.0.1:2626 did not answer 220 within 5 s\n")
        #expect(failed == (false, 6, "/etc/postfix-in: 127.0.0.1:2626 did not answer 220 within 5 s"))
        #expect(!HealthProbe.outcome("cut short").passed)
    }
}

/// Today's instance control: `postfix -c DIR VERB`, `pf_start`, postmulti as written.
@Suite struct InstanceControlTests {
    let out = PostfixInstance(name: "postfix-out")

    @Test func operationsAreTodaysCommands() {
        let control = InstanceControl.postfix
        #expect(control.commands(.start, out, checked: true) == ["pf_start /etc/postfix-out postfix-out checked"])
        #expect(control.commands(.start, .default) == ["pf_start /etc/postfix - check"])
        #expect(control.commands(.stop, out) == ["postfix -c /etc/postfix-out stop </dev/null"])
        #expect(control.commands(.reload, out) == ["postfix -c /etc/postfix-out reload </dev/null"])
        #expect(control.commands(.restart, out, checked: true)
            == ["postfix -c /etc/postfix-out stop </dev/null", "pf_start /etc/postfix-out postfix-out checked"])
        #expect(control.status(out) == "postfix -c /etc/postfix-out status </dev/null")
        #expect(control.isRunning(configDirectory: "\"$d\"") == "postfix -c \"$d\" status")
        #expect(control.functions.contains("pf_start() {") && control.functions.contains("configure-instance.sh"))
    }

    @Test func postmultiCommandsRunAsWritten() {
        let stop = PostmultiCommand(.action(.stop), target: .group("mta"))
        #expect(InstanceControl.postfix.postmulti(stop) == "postmulti -g mta -p stop </dev/null")
        let create = PostmultiCommand(.action(.create), target: .instance("postfix-out"), newGroup: "mta")
        #expect(InstanceControl.postfix.postmulti(create) == "postmulti -I postfix-out -G mta -e create </dev/null")
        #expect(create.instanceName == "postfix-out")
        #expect(PostmultiCommand(.action(.start), target: .instance("-")).instanceName == "default")
        #expect(PostmultiCommand(.action(.start), target: .all).instanceName == nil)
        #expect(RemotePath.name(of: "/etc/postfix/main.cf") == "main.cf")
    }
}
