import Foundation
import Testing

@testable import Inventory

/// The real `ansible-inventory`, from ansible-core in the virtualenv `scripts/ansible-venv`
/// makes. POSTFLEET_ANSIBLE_INVENTORY is its path; without it these tests are skipped,
/// unless POSTFLEET_REQUIRE_ANSIBLE=1, which makes its absence a failure.
enum AnsibleInventory {
    static var path: String? {
        ProcessInfo.processInfo.environment["POSTFLEET_ANSIBLE_INVENTORY"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static var isRequired: Bool {
        ProcessInfo.processInfo.environment["POSTFLEET_REQUIRE_ANSIBLE"] == "1"
    }

    static var shouldRun: Bool { path != nil || isRequired }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs ansible-inventory in `directory` with `arguments`, with a configuration of its
    /// own (an empty ansible.cfg, its state under `directory`) so nothing on the machine changes
    /// it; `environment` goes over that (`ANSIBLE_CONFIG` of a test's own, `ANSIBLE_INVENTORY`).
    /// `executable` runs another program the same way (postfleet, to compare).
    static func run(
        _ arguments: [String], in directory: String, environment extra: [String: String] = [:], executable: String? = nil
    ) throws -> Output {
        guard let path = executable ?? path else { throw CancellationError() }
        let state = directory + "/.ansible-state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let config = state + "/ansible.cfg"
        try "[defaults]\n".write(toFile: config, atomically: true, encoding: .utf8)
        let stdoutFile = state + "/stdout"
        let stderrFile = state + "/stderr"
        FileManager.default.createFile(atPath: stdoutFile, contents: nil)
        FileManager.default.createFile(atPath: stderrFile, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["ANSIBLE_CONFIG"] = config
        environment["ANSIBLE_HOME"] = state
        environment["ANSIBLE_LOCAL_TEMP"] = state + "/tmp"
        environment["ANSIBLE_NOCOLOR"] = "1"
        environment["ANSIBLE_FORCE_COLOR"] = "0"
        environment["LC_ALL"] = "C.UTF-8"
        process.environment = environment.merging(extra) { _, given in given }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutFile))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrFile))
        try process.run()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            stdout: try String(contentsOfFile: stdoutFile, encoding: .utf8),
            stderr: try String(contentsOfFile: stderrFile, encoding: .utf8))
    }
}

@Suite(
    "The same groups, hosts and variables as the real ansible-inventory",
    .enabled(if: AnsibleInventory.shouldRun, "set POSTFLEET_ANSIBLE_INVENTORY=$(scripts/ansible-venv) to compare with Ansible")
)
struct AnsibleComparisonTests {
    @Test("ansible-inventory is there when POSTFLEET_REQUIRE_ANSIBLE=1, and it is ansible-core")
    func available() throws {
        guard AnsibleInventory.path != nil else {
            Issue.record("POSTFLEET_REQUIRE_ANSIBLE=1 but POSTFLEET_ANSIBLE_INVENTORY is not set: run scripts/ansible-venv")
            return
        }
        let output = try withTemporaryDirectory { try AnsibleInventory.run(["--version"], in: $0.path) }
        #expect(output.status == 0)
        #expect(output.stdout.hasPrefix("ansible-inventory [core "), "\(output.stdout)\(output.stderr)")
    }

    @Test("--list: the same JSON, structurally and byte for byte", arguments: ComparisonFixture.all)
    func list(_ fixture: ComparisonFixture) throws {
        try compare(fixture, ["--list"]) { $0.ansibleListJSON() }
    }

    @Test("--graph: the same tree", arguments: ComparisonFixture.all)
    func graph(_ fixture: ComparisonFixture) throws {
        try compare(fixture, ["--graph"]) { $0.ansibleGraph() ?? "" }
    }

    @Test("--host for every host of the border cluster")
    func host() throws {
        guard AnsibleInventory.path != nil else { return }
        let fixture = ComparisonFixture.fleets[0]
        try withFiles(fixture.files) { directory in
            let path = directory + "/" + fixture.inventory
            let inventory = try Inventory.load(path: path)
            for host in inventory.hosts {
                let theirs = try AnsibleInventory.run(["-i", path, "--host", host.name], in: directory)
                #expect(theirs.status == 0, "\(theirs.stderr)")
                #expect(inventory.ansibleHostJSON(host) + "\n" == theirs.stdout, "host \(host.name)")
            }
        }
    }

    /// The INI version of the docs' "groups of groups" example names groups (northeast, ...)
    /// that no section defines: ansible-inventory refuses the file (it warns, and shows an
    /// empty inventory); postfleet refuses it too, as an error at that line.
    @Test("docs: groups of groups (INI), which Ansible refuses: postfleet refuses it too, at the same line")
    func documentedINIWithUndefinedGroups() throws {
        let text = """
            [atlanta]
            host1
            host2

            [raleigh]
            host2
            host3

            [southeast:children]
            atlanta
            raleigh

            [southeast:vars]
            some_server=foo.southeast.example.com
            halon_system_timeout=30
            self_destruct_countdown=60
            escape_pods=2

            [usa:children]
            southeast
            northeast
            southwest
            northwest
            """
        guard AnsibleInventory.path != nil else { return }
        try withFiles(["hosts": text]) { directory in
            let path = directory + "/hosts"
            let theirs = try AnsibleInventory.run(["-i", path, "--list"], in: directory)
            #expect(theirs.stderr.contains("Section [usa:children] includes undefined group 'northeast'"), "\(theirs.stderr)")
            #expect(try JSONReader.read(theirs.stdout)?.value["all"] == .map(["children": ["ungrouped"]]))
            let error = try #require(throws: SourceError.self) { try Inventory.load(path: path) }
            #expect(error.line == 21)
            #expect(error.message.hasPrefix("group 'northeast' in [usa:children] is not defined"))
        }
    }

    /// Loads the fixture with both and compares what they print.
    private func compare(
        _ fixture: ComparisonFixture, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation,
        _ ours: (Inventory) -> String
    ) throws {
        // Without it, `available()` fails once for the whole suite.
        guard AnsibleInventory.path != nil else { return }
        try withFiles(fixture.files) { directory in
            let path = directory + "/" + fixture.inventory
            let vaultArguments = fixture.vaultIDs.flatMap { ["--vault-id", $0] }
            let theirs = try AnsibleInventory.run(["-i", path] + vaultArguments + arguments, in: directory)
            #expect(theirs.status == 0, "ansible-inventory failed: \(theirs.stderr)", sourceLocation: sourceLocation)
            // Ansible only warns about a file it could not parse; postfleet would throw.
            #expect(!theirs.stderr.contains("Unable to parse"), "\(theirs.stderr)", sourceLocation: sourceLocation)
            let mine = ours(try Inventory.load(path: path, vault: fixture.keyring(in: directory))) + "\n"
            if arguments == ["--list"] {
                let theirValue = try #require(JSONReader.read(theirs.stdout)?.value, sourceLocation: sourceLocation)
                let myValue = try #require(JSONReader.read(mine)?.value, sourceLocation: sourceLocation)
                for difference in Self.differences(theirValue, myValue) {
                    Issue.record("\(fixture.name): \(difference)", sourceLocation: sourceLocation)
                }
            }
            #expect(mine == theirs.stdout, sourceLocation: sourceLocation)
        }
    }

    /// Where two `--list` documents differ, one line per group, host or variable.
    static func differences(_ theirs: Value, _ mine: Value, at path: String = "") -> [String] {
        if theirs == mine || (theirs.doubleValue?.isNaN == true && mine.doubleValue?.isNaN == true) { return [] }
        guard let theirMap = theirs.mapValue, let myMap = mine.mapValue else {
            return ["\(path.isEmpty ? "(top)" : path): ansible-inventory has \(theirs.json), postfleet \(mine.json)"]
        }
        var lines: [String] = []
        for key in Set(theirMap.keys).union(myMap.keys).sorted() {
            let here = path.isEmpty ? key : path + "." + key
            switch (theirMap[key], myMap[key]) {
            case let (their?, my?): lines += differences(their, my, at: here)
            case let (their?, nil): lines.append("\(here): ansible-inventory has \(their.json), postfleet nothing")
            case let (nil, my?): lines.append("\(here): ansible-inventory has nothing, postfleet \(my.json)")
            default: break
            }
        }
        return lines
    }
}
