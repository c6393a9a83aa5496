import Foundation
import Inventory
import Playbook
import Testing

/// `groups`, `group_names` and the plays' host selections are worked out once per inventory
/// and shared by every host (``Inventory/groupsVariable``, ``Inventory/selects(_:pattern:)``):
/// each host must still see what it saw when they were made afresh for it.
@Suite struct RenderVariablesTests {
    static let fixture = repositoryRoot + "/Tests/PlaybookTests/Fixtures/RenderVariables"

    /// The fixture's expected/ was written by postfleet before the variables were shared.
    @Test func renderAllGivesTheFilesItGaveBeforeByteForByte() throws {
        try withTemporaryDirectory { directory in
            let out = directory + "/out"
            let result = try run(postfleetExecutable, [
                "render", "playbook.yml", "-i", "inventory.yml", "--all", "--out", out,
            ], in: Self.fixture)
            #expect(result.status == 0, "\(result.err)")
            let stdout = try readFile(Self.fixture + "/expected-stdout.txt").replacingOccurrences(of: "OUT/", with: out + "/")
            #expect(result.out == stdout)
            let expected = try Self.files(under: Self.fixture + "/expected")
            #expect(try Self.files(under: out) == expected)
            #expect(expected.count == 9)
        }
    }

    /// The second time, every file is there already: each is replaced (a new file renamed
    /// over it) rather than made in place, and the result is the same.
    @Test func renderingAgainOverTheOutputGivesTheSameFiles() throws {
        try withTemporaryDirectory { directory in
            let out = directory + "/out"
            for _ in 0..<2 {
                let result = try run(postfleetExecutable, [
                    "render", "playbook.yml", "-i", "inventory.yml", "--all", "--out", out,
                ], in: Self.fixture)
                #expect(result.status == 0, "\(result.err)")
                #expect(try Self.files(under: out) == Self.files(under: Self.fixture + "/expected"))
            }
        }
    }

    @Test func groupsAndGroupNamesAreWhatEachHostGotBefore() throws {
        let inventory = try Inventory.load(path: Self.fixture + "/inventory.yml")
        let playbook = try Playbook.load(path: Self.fixture + "/playbook.yml")
        // `groups` as it was made for each host: every group, its hosts filtered from all.
        var groups: [String: Value] = [:]
        for group in inventory.groups {
            groups[group.name] = .list(inventory.hosts.filter { $0.isMember(of: group.name) }.map { .string($0.name) })
        }
        #expect(groups.count == 7)
        for play in playbook.plays {
            for host in try play.hosts(in: inventory) {
                let variables = try play.variables(for: host, inventory: inventory)
                #expect(variables["groups"] == .map(groups))
                #expect(variables["group_names"] == .list(host.groups.map(Value.string)))
                for (name, value) in host.vars where play.vars[name] == nil {
                    #expect(variables[name] == value, "\(host.name): \(name)")
                }
            }
        }
    }

    @Test(arguments: ["all", "border:!mta2", "site_*", "hub:&border", "~mta[12]", "border[1:2]", "ungrouped"])
    func aPlayTargetsTheHostsItsPatternSelects(_ pattern: String) throws {
        let inventory = try Inventory.load(path: Self.fixture + "/inventory.yml")
        let selected = Set(try inventory.select(pattern).map(\.name))
        for host in inventory.hosts {
            #expect(try inventory.selects(host, pattern: pattern) == selected.contains(host.name), "\(host.name)")
            // Asked again: the same answer, from the selection kept.
            #expect(try inventory.selects(host, pattern: pattern) == selected.contains(host.name))
        }
    }

    @Test func aPatternThatSelectsNothingIsTheSameErrorEachTime() throws {
        let inventory = try Inventory.load(path: Self.fixture + "/inventory.yml")
        for _ in 0..<2 {
            #expect(throws: HostPatternError.self) { try inventory.selects(inventory.hosts[0], pattern: "nosuchgroup") }
        }
    }

    @Test func hostsInGroupAreTheMembersInInventoryOrder() throws {
        let inventory = try Inventory.load(path: Self.fixture + "/inventory.yml")
        for group in inventory.groupNames + ["nosuchgroup"] {
            let members = inventory.hosts.filter { $0.isMember(of: group) }.map(\.name)
            #expect(inventory.hosts(inGroup: group).map(\.name) == members, "\(group)")
        }
    }

    /// Every regular file under `root`, by path relative to it.
    static func files(under root: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = try #require(FileManager.default.enumerator(atPath: root))
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[relative] = try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative))
            }
        }
        return files
    }
}
