import Planning
import Foundation
import Inventory
import Playbook
import Postfix
import Testing

/// `postfleet drift`'s comparison, a pure function of the shipped border-cluster playbook
/// (rendered for mta2) and hand-made facts: what differs, per instance, in the words the
/// report prints.
@Suite struct DriftTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let inventory: Inventory
    let host: InventoryHost
    let desired: [InstanceSpec]
    let files: [RenderedFile]

    init() throws {
        inventory = try Inventory.load(path: Self.root + "/inventories/example.yml")
        let playbook = try Playbook.load(path: Self.root + "/playbooks/border-cluster.yml")
        host = try #require(inventory.host(named: "mta2"))
        desired = try playbook.instances(for: host, inventory: inventory)
        files = try playbook.render(for: host, inventory: inventory)
    }

    /// The facts of a host the playbook has converged: every rendered file's checksum, every
    /// parameter and service as the playbook sets them, every instance enabled and running.
    var converged: HostFacts {
        convergedFacts(desired: desired, files: files)
    }

    func compare(_ facts: HostFacts, oldTables: [String: String] = [:]) -> [InstanceDrift] {
        InstanceDrift.compare(desired: desired, files: files, facts: facts, oldTables: oldTables)
    }

    func rendered(_ path: String) throws -> RenderedFile {
        try #require(files.first { $0.path == path })
    }

    @Test func aConvergedHostHasNoDrift() {
        #expect(compare(converged).isEmpty)
    }

    @Test func aParameterChangedBehindPostfleetsBackShowsBothValues() {
        var facts = converged
        facts.instances[2].parameters["smtpd_banner"] = "changed"
        facts.checksums["/etc/postfix-in/main.cf"] = "edited"
        let drift = compare(facts)
        #expect(drift == [InstanceDrift(instance: "postfix-in", entries: [
            DiffEntry(section: .mainCF, key: "smtpd_banner", old: "changed", new: "$myhostname ESMTP $mail_name"),
        ])])
        #expect(drift[0].entries[0].line == "~ smtpd_banner = changed -> $myhostname ESMTP $mail_name")
    }

    @Test func aParameterAddedOnTheHostIsOnlyOnTheHost() {
        var facts = converged
        facts.instances[0].parameters["soft_bounce"] = "yes"
        facts.checksums["/etc/postfix/main.cf"] = "edited"
        #expect(compare(facts) == [InstanceDrift(instance: "default", entries: [
            DiffEntry(section: .mainCF, key: "soft_bounce", old: "yes", new: nil),
        ])])
    }

    @Test func aMainCFThatDiffersOnlyInCommentsIsReportedAsTextOnly() {
        var facts = converged
        facts.checksums["/etc/postfix-out/main.cf"] = "a comment was added"
        let drift = compare(facts)
        #expect(drift == [InstanceDrift(instance: "postfix-out", files: [.textOnly(file: "main.cf")])])
        #expect(drift[0].files[0].message == "main.cf differs in text only (comments or order)")
    }

    @Test func aRemovedServiceAndAReAddedOneAreMasterCFDrift() {
        var facts = converged
        facts.instances[1].services = ["pickup unix n - y 60 1 pickup", "smtp inet n - y - - smtpd"]
        let drift = compare(facts)
        #expect(drift.map(\.instance) == ["postfix-out"])
        #expect(drift[0].entries.map(\.line) == [
            "- smtp/inet = smtp inet n - y - - smtpd",
            "+ 127.0.0.1:10026/inet = 127.0.0.1:10026 inet n - n - - smtpd",
        ])
    }

    @Test func tableDriftIsPerKeyWhenTheOldTextWasRead() throws {
        let virtual = try rendered("/etc/postfix/virtual")
        let generic = try rendered("/etc/postfix/generic")
        var facts = converged
        let live = virtual.text.replacingOccurrences(of: "postmaster\troot\n", with: "") + "abuse\troot\n"
        facts.checksums[virtual.path] = SHA256.hex(Array(live.utf8))
        let commented = generic.text + "# a note\n"
        facts.checksums[generic.path] = SHA256.hex(Array(commented.utf8))
        // These are the tables drift reads from the host before comparing.
        #expect(HostPlan.changedTables(files, facts: facts) == [generic.path, virtual.path])
        let drift = compare(facts, oldTables: [virtual.path: live, generic.path: commented])
        #expect(drift == [InstanceDrift(instance: "default", entries: [
            DiffEntry(section: .table("virtual"), key: "postmaster", old: nil, new: "root"),
            DiffEntry(section: .table("virtual"), key: "abuse", old: "root", new: nil),
        ], files: [.textOnly(file: "generic")])])
    }

    @Test func missingTablesAndIndexesAreFileNotes() {
        var facts = converged
        facts.checksums["/etc/postfix/virtual"] = nil
        facts.checksums["/etc/postfix/virtual.cdb"] = nil
        facts.checksums["/etc/postfix/generic.cdb"] = nil
        let drift = compare(facts)
        #expect(drift == [InstanceDrift(instance: "default", files: [
            .missing(file: "virtual"), .indexMissing(table: "generic", file: "generic.cdb"),
        ])])
        #expect(drift[0].files.map(\.message) == ["virtual is missing (run would write it)",
                                                   "generic.cdb is missing (run would postmap generic)"])
    }

    @Test func instanceStateDriftSaysWhatRunWouldDo() {
        var facts = converged
        facts.instances[2].enabled = false
        facts.instances[2].running = false
        facts.instances[2].group = "other"
        facts.instances[1].running = false
        let drift = compare(facts)
        #expect(drift == [
            InstanceDrift(instance: "postfix-out", state: [.stopped]),
            InstanceDrift(instance: "postfix-in", state: [.group(live: "other", playbook: "mta"), .disabled, .stopped]),
        ])
        #expect(drift[1].state.map(\.message) == [
            "in group other, the playbook says group mta (run would assign it)",
            "disabled (run would enable it)",
            "not running (run would start it)",
        ])
    }

    @Test func aBareHostMissesItsInstancesWithoutListingTheirWholeFiles() {
        let bare = HostFacts(postfixVersion: "3.7.11", instances: [
            InstanceFacts(name: nil, group: nil, enabled: true, configDirectory: "/etc/postfix",
                          parameters: ["config_directory": "/etc/postfix", "inet_interfaces": "loopback-only", "myhostname": "mta2.example.com"],
                          running: true, masterPID: 100, services: ["smtp inet n - y - - smtpd"]),
        ], checksums: [:], systemdControlled: false)
        let drift = compare(bare)
        #expect(drift.map(\.instance) == ["default", "postfix-out", "postfix-in"])
        #expect(drift[0].state == [.notInitialized])
        #expect(drift[0].entries.contains(DiffEntry(section: .mainCF, key: "inet_interfaces", old: "loopback-only", new: nil)))
        #expect(drift[0].files == [.missing(file: "generic"), .missing(file: "virtual")])
        #expect(drift[1] == InstanceDrift(instance: "postfix-out", state: [.missing(group: "mta", enabled: true)]))
        #expect(drift[1].state[0].message == "missing (run would create it in group mta, enable it and start it)")
        #expect(drift[2] == InstanceDrift(instance: "postfix-in", state: [.missing(group: "mta", enabled: true)]))
    }

    @Test func anInstanceThePlaybookSaysAbsentIsDriftWithWhatBlocksItsDestruction() throws {
        let playbook = try Playbook.parse(yaml: """
            - hosts: border
              instances:
                - name: postfix-old
                  state: absent
            """)
        let specs = try playbook.instances(for: host, inventory: inventory)
        var facts = converged
        facts.instances.append(InstanceFacts(name: "postfix-old", group: nil, enabled: true, configDirectory: "/etc/postfix-old",
                                             running: true, queuedMessages: 2))
        let drift = InstanceDrift.compare(desired: specs, files: [], facts: facts)
        #expect(drift.map(\.instance) == ["postfix-old"])
        guard case let .present(blockers) = drift.first?.state.first else {
            Issue.record("expected a present instance, got \(drift)")
            return
        }
        #expect(blockers.count == 3)
        #expect(drift[0].state[0].message.hasPrefix("present, the playbook says absent (run would destroy it once it can: it is running"))
        // Gone from the host: no drift. Instances the playbook does not mention are not compared.
        #expect(InstanceDrift.compare(desired: specs, files: [], facts: converged).isEmpty)
    }

    /// A secondary instance the playbook does not list is not drift (run leaves it alone,
    /// and keeps it in the default instance's multi_instance_directories, where postmulti
    /// put it), but it is named; the default instance and the listed ones are not.
    @Test func instancesThePlaybookDoesNotListAreNamedNotCounted() throws {
        var facts = converged
        facts.instances.append(InstanceFacts(name: "postfix-test", group: "lab", enabled: false, configDirectory: "/etc/postfix-test",
                                             parameters: [:], running: false, masterPID: nil, services: []))
        // The host as `postmulti -I postfix-test -e create` leaves it.
        let mainCF = try rendered("/etc/postfix/main.cf")
        var live = MainCF(mainCF.text)
        let listed = try #require(live.value(of: "multi_instance_directories"))
        live.set("multi_instance_directories", to: listed + " /etc/postfix-test")
        facts.checksums[mainCF.path] = SHA256.hex(Array(live.text.utf8))
        let index = try #require(facts.instances.firstIndex { $0.name == nil })
        facts.instances[index].parameters["multi_instance_directories"] = listed + " /etc/postfix-test"

        #expect(compare(facts).isEmpty)
        #expect(InstanceDrift.unlisted(desired: desired, facts: facts) == ["postfix-test"])
        #expect(InstanceDrift.unlisted(desired: desired, facts: converged).isEmpty)

        // Dropped from the list by hand, it is drift: run would put it back.
        facts.checksums[mainCF.path] = SHA256.hex(mainCF.contents)
        facts.instances[index].parameters["multi_instance_directories"] = listed
        let drift = compare(facts)
        #expect(drift.map(\.instance) == ["default"])
        #expect(drift.first?.entries.map(\.line) == ["~ multi_instance_directories = \(listed) -> \(listed) /etc/postfix-test"])
    }
}
