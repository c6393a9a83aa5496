import Foundation
import Testing

/// Named hostile inputs through the built binary: each is refused with exit 1 and
/// `FILE:LINE:COL: error:` at its place (or accepted, when it is only large), within a time
/// bound, never by a crash (132 SIGILL, 133 SIGTRAP, 134 SIGABRT, 139 SIGSEGV), and with
/// no connection to the hosts, which listen on a loopback port that never answers.
@Suite(.serialized) struct HostileInputCommandTests {
    let listener: LoopbackListener
    var port: Int { listener.port }

    init() throws { listener = try LoopbackListener() }

    /// Seconds any one command may take (the debug build, two shared cores). A bound on a
    /// blow-up (an alias bomb or a billion hosts would take hours), not a benchmark: beside
    /// every lab suite at once, a range of a million hosts that takes 4 s alone took 30.
    static let timeBound = 60.0

    /// "a: &a [lol x9]", then eight anchors each aliasing the one before nine times:
    /// 9^9 lists once expanded, in 300 bytes.
    static func aliasBomb(indent: String) -> String {
        var lines = [indent + "a: &a [" + Array(repeating: "lol", count: 9).joined(separator: ",") + "]"]
        for (previous, name) in zip("abcdefgh", "bcdefghi") {
            lines.append(indent + "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    var hosts: String { "  hosts:\n    quiet1: {ansible_host: 127.0.0.1, ansible_port: \(port)}\n" }
    var inventory: String { "all:\n" + hosts }
    static let playbook = "- hosts: all\n  instances:\n    - name: default\n      tables: [{name: t, type: texthash, template: t.tmpl}]\n"
    static let template = "{{inventory_hostname}}\n"

    /// The commands a case runs: what reads only the inventory, or also the playbook.
    static let inventoryCommands = [["inventory", "-i", "inventory.yml", "--list"], ["exec", "-i", "inventory.yml", "--", "true"]]
    static let playbookCommands = [["render", "site.yml", "-i", "inventory.yml", "--all", "--out", "out"],
                                   ["run", "site.yml", "-i", "inventory.yml", "--check"], ["drift", "site.yml", "-i", "inventory.yml"]]

    /// Writes `files` (with a quiet inventory, playbook and template where `files` has none),
    /// runs each command, and checks that each fails at `location` with `message` in its error.
    func expectRefused(_ files: [String: String], commands: [[String]], location: String, message: String,
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        try withTemporaryDirectory { directory in
            let defaults = ["inventory.yml": inventory, "site.yml": Self.playbook, "t.tmpl": Self.template]
            try write(defaults.merging(files) { $1 }, into: directory)
            for command in commands {
                let connecting = ["exec", "run", "drift"].contains(command[0]) ? ["--connect-timeout", "1", "--connect-attempts", "1"] : []
                let result = try runBounded(command + connecting, in: directory)
                #expect(result.status == 1, "\(command): \(result.err.prefix(300))", sourceLocation: sourceLocation)
                #expect(!result.timedOut && result.seconds < Self.timeBound, "\(command) took \(result.seconds) s", sourceLocation: sourceLocation)
                #expect(result.err.contains("\(location): error: ") && result.err.contains(message),
                        "\(command): \(result.err.prefix(400))", sourceLocation: sourceLocation)
                #expect(listener.connections() == 0, "\(command)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func anAliasBombInTheInventory() throws {
        try expectRefused(["inventory.yml": "all:\n  vars:\n" + Self.aliasBomb(indent: "    ") + hosts],
                          commands: Self.inventoryCommands + Self.playbookCommands,
                          location: "inventory.yml:9:12", message: "alias '*f' stands for")
    }

    @Test func anAliasBombInGroupVars() throws {
        try expectRefused(["group_vars/all.yml": Self.aliasBomb(indent: "")], commands: Self.inventoryCommands + Self.playbookCommands,
                          location: "group_vars/all.yml:7:8", message: "alias '*f' stands for")
    }

    @Test func anAliasBombInPlaybookVars() throws {
        try expectRefused(["site.yml": "- hosts: all\n  vars:\n" + Self.aliasBomb(indent: "    ") + "  instances:\n    - name: default\n"],
                          commands: Self.playbookCommands, location: "site.yml:9:12", message: "alias '*f' stands for")
    }

    @Test func aHundredThousandBrackets() throws {
        for (open, column) in [("[", 520), ("{", 520)] {
            try expectRefused(["inventory.yml": "all:\n  vars:\n    x: " + String(repeating: open, count: 100_000) + "\n" + hosts],
                              commands: Self.inventoryCommands, location: "inventory.yml:3:\(column)", message: "more than 512 levels deep")
        }
        try expectRefused(["inventory.yml": "{\"all\": {\"vars\": {\"x\": " + String(repeating: "[", count: 100_000) + "}}}"],
                          commands: Self.inventoryCommands, location: "inventory.yml:1:533", message: "more than 512 levels deep")
        try expectRefused(["site.yml": "- hosts: all\n  vars: {x: " + String(repeating: "{a: ", count: 100_000) + "}\n"],
                          commands: Self.playbookCommands, location: "site.yml:2:2057", message: "more than 512 levels deep")
    }

    @Test func aHundredThousandIndentedDashes() throws {
        try expectRefused(["inventory.yml": "a:\n  " + String(repeating: "- ", count: 100_000) + "\n"],
                          commands: Self.inventoryCommands, location: "inventory.yml:2:1027", message: "more than 512 levels deep")
        try expectRefused(["host_vars/quiet1.yml": "x:\n  " + String(repeating: "- ", count: 100_000) + "\n"],
                          commands: Self.inventoryCommands, location: "host_vars/quiet1.yml:2:1027", message: "more than 512 levels deep")
    }

    @Test func nestingDeeperThanTheLimitOverManyLines() throws {
        let lines = (0..<600).map { String(repeating: " ", count: 2 * $0) + "k\($0):" }.joined(separator: "\n")
        try expectRefused(["host_vars/quiet1.yml": lines + " 1\n"], commands: Self.inventoryCommands,
                          location: "host_vars/quiet1.yml:513:1025", message: "more than 512 levels deep")
    }

    @Test func fiveThousandNestedSections() throws {
        let sections = String(repeating: "{{#a}}", count: 5000) + "x" + String(repeating: "{{/a}}", count: 5000)
        try expectRefused(["t.tmpl": sections], commands: Self.playbookCommands, location: "t.tmpl:1:601",
                          message: "opens a section inside 100 others")
    }

    @Test func sectionsThatMultiply() throws {
        let sections = String(repeating: "{{#a}}", count: 60) + "x" + String(repeating: "{{/a}}", count: 60)
        try expectRefused(["site.yml": "- hosts: all\n  vars: {a: [1, 2]}\n" + Self.playbook.dropFirst("- hosts: all\n".count), "t.tmpl": sections],
                          commands: Self.playbookCommands, location: "t.tmpl:1:355", message: "would render more than 1000000 tags")
    }

    @Test func aGroupCycleStaysAnError() throws {
        try expectRefused(["inventory.yml": "all:\n  children:\n    a: {children: {b: }}\n    b: {children: {a: }}\n" + hosts],
                          commands: Self.inventoryCommands, location: "inventory.yml:4:20", message: "group 'a' would be its own ancestor: a > b > a")
    }

    /// Eleven lines of 100,000-host ranges: the line that takes the inventory past a million.
    @Test func rangesPastAMillionHosts() throws {
        let lines = (0..<11).map { "r\($0)-[0:99999]\n" }.joined()
        try expectRefused(["inventory.yml": "all:\n  hosts:\n" + lines.split(separator: "\n").map { "    \($0):\n" }.joined()],
                          commands: [["inventory", "-i", "inventory.yml", "--list"]], location: "inventory.yml:13:5",
                          message: "this takes the inventory past 1000000 hosts")
    }

    /// Large but sound: accepted, within the time bound, without a crash.
    @Test func tenThousandNestedGroups() throws {
        let chain = (1..<10_000).map { "[g\($0):children]\ng\($0 + 1)\n" }
        let quiet = "[g10000]\nquiet1 ansible_host=127.0.0.1 ansible_port=\(port)\n"
        for (name, text) in [("top down", chain.joined() + quiet), ("bottom up", quiet + chain.reversed().joined())] {
            try withTemporaryDirectory { directory in
                try write(["hosts.ini": text], into: directory)
                for command in [["--list"], ["--graph"], ["--host", "quiet1"]] {
                    let result = try runBounded(["inventory", "-i", "hosts.ini"] + command, in: directory, keepOutput: false)
                    #expect(result.status == 0, "\(name) \(command): \(result.err.prefix(300))")
                    #expect(!result.timedOut && result.seconds < Self.timeBound, "\(name) \(command) took \(result.seconds) s")
                }
            }
        }
        #expect(listener.connections() == 0)
    }

    @Test func aGraphThatDoublesPerLevel() throws {
        let levels = (0..<60).map { "[g\($0)a:children]\ng\($0 + 1)a\ng\($0 + 1)b\n[g\($0)b:children]\ng\($0 + 1)a\ng\($0 + 1)b\n" }
        try withTemporaryDirectory { directory in
            try write(["hosts.ini": levels.joined() + "[g60a]\nquiet1\n[g60b]\n"], into: directory)
            let result = try runBounded(["inventory", "-i", "hosts.ini", "--graph"], in: directory)
            #expect(result.status == 1)
            #expect(result.err.hasPrefix("postfleet: --graph all would draw billions of lines"), "\(result.err)")
        }
    }

    /// Ansible keeps a value with more than 200 brackets open as text (CPython's tokenizer
    /// refuses it), and a run of signs too.
    @Test func deepPythonLiteralsAreText() throws {
        let brackets = String(repeating: "[", count: 100_000)
        let signs = String(repeating: "-", count: 100_000) + "1"
        try withTemporaryDirectory { directory in
            try write(["hosts.ini": "[g]\nquiet1 a=\(brackets) b=\(signs)\n"], into: directory)
            let result = try runBounded(["inventory", "-i", "hosts.ini", "--host", "quiet1"], in: directory)
            #expect(result.status == 0, "\(result.err.prefix(300))")
            #expect(result.out.contains("\"a\": \"[[[[") && result.out.contains("\"b\": \"----"))
        }
    }

    /// Runs the binary under test, killed past the time bound.
    func runBounded(_ arguments: [String], in directory: String, keepOutput: Bool = true) throws
        -> (status: Int32, out: String, err: String, seconds: Double, timedOut: Bool)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: postfleetUnderTest)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = keepOutput ? out : FileHandle.nullDevice
        process.standardError = err
        let started = ContinuousClock.now
        try process.run()
        let pid = process.processIdentifier
        // SIGKILL past the bound (cancelled once the process is reaped, so no other pid is hit).
        let timer = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.timeBound, execute: timer)
        // Both pipes at once: an error quoting a long line fills one while the other is read.
        let reading = DispatchGroup()
        let errBox = DataBox()
        DispatchQueue.global().async(group: reading) { errBox.data = err.fileHandleForReading.readDataToEndOfFile() }
        let outData = keepOutput ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        reading.wait()
        let errData = errBox.data
        process.waitUntilExit()
        timer.cancel()
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let crashed = process.terminationReason == .uncaughtSignal || [132, 133, 134, 139].contains(process.terminationStatus)
        #expect(!crashed, "\(arguments.prefix(3)) crashed: \(process.terminationReason) \(process.terminationStatus)")
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self),
                seconds, seconds >= Self.timeBound)
    }
}

/// What a reading thread hands back once the group it ran in is waited for.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
