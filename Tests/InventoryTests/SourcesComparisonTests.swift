import Foundation
import Testing

@testable import Inventory

/// The postfleet under test: `POSTFLEET_BIN` (scripts/test sets it), else the build beside the tests.
let postfleetBinary = ProcessInfo.processInfo.environment["POSTFLEET_BIN"]
    ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    .appendingPathComponent("postfleet").path

@Suite(
    "Several -i, directories, scripts, host lists, -e and ansible.cfg: postfleet inventory prints what ansible-inventory prints",
    .enabled(if: AnsibleInventory.shouldRun, "set POSTFLEET_ANSIBLE_INVENTORY=$(scripts/ansible-venv) to compare with Ansible")
)
struct SourcesComparisonTests {
    @Test("--list: the same JSON, byte for byte", arguments: SourcesFixture.all)
    func list(_ fixture: SourcesFixture) throws {
        try compare(fixture, "--list")
    }

    @Test("--graph: the same tree", arguments: SourcesFixture.merged + SourcesFixture.directories + SourcesFixture.scripts)
    func graph(_ fixture: SourcesFixture) throws {
        try compare(fixture, "--graph")
    }

    /// Runs both in the same directory with the same arguments and environment.
    private func compare(_ fixture: SourcesFixture, _ action: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard AnsibleInventory.path != nil else { return }
        try withFiles(fixture.files) { directory in
            for path in fixture.executables {
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory + "/" + path)
            }
            let environment = fixture.environment.mapValues { $0.replacingOccurrences(of: "$DIR", with: directory) }
            let arguments = fixture.arguments + [action]
            let theirs = try AnsibleInventory.run(arguments, in: directory, environment: environment)
            #expect(theirs.status == 0, "ansible-inventory failed: \(theirs.stderr)", sourceLocation: sourceLocation)
            #expect(!theirs.stderr.contains("Unable to parse"), "\(theirs.stderr)", sourceLocation: sourceLocation)
            let mine = try AnsibleInventory.run(["inventory"] + arguments, in: directory, environment: environment,
                                                executable: postfleetBinary)
            #expect(mine.status == 0, "postfleet failed: \(mine.stderr)", sourceLocation: sourceLocation)
            if action == "--list", let theirValue = JSONReader.read(theirs.stdout)?.value, let myValue = JSONReader.read(mine.stdout)?.value {
                for difference in AnsibleComparisonTests.differences(theirValue, myValue) {
                    Issue.record("\(fixture.name): \(difference)", sourceLocation: sourceLocation)
                }
            }
            #expect(mine.stdout == theirs.stdout, sourceLocation: sourceLocation)
        }
    }
}
