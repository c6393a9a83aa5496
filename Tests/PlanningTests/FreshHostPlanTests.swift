import Planning
import Foundation
import Inventory
import Playbook
import Postfix
import Testing

/// The plan on hosts as installers and administrators leave them: no main.cf, a nameless
/// instance, an instance with its own queue.
@Suite struct FreshHostPlanTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let desired: [InstanceSpec]
    let files: [RenderedFile]

    init() throws {
        let inventory = try Inventory.load(path: Self.root + "/inventories/example.yml")
        let playbook = try Playbook.load(path: Self.root + "/playbooks/border-cluster.yml")
        let host = try #require(inventory.host(named: "mta2"))
        desired = try playbook.instances(for: host, inventory: inventory)
        files = try playbook.render(for: host, inventory: inventory)
    }

    /// debconf's "No configuration": master.cf, no main.cf, Postfix stopped.
    static var unconfigured: HostFacts {
        var main = InstanceFacts(name: nil, group: nil, enabled: true, configDirectory: "/etc/postfix",
                                 services: ["smtp inet n - y - - smtpd", "pickup unix n - y 60 1 pickup"])
        main.configured = false
        return HostFacts(postfixVersion: "3.7.11", instances: [main], checksums: [:], systemdControlled: false)
    }

    @Test func aHostWithoutMainCFGetsTheDefaultFilesBeforePostmultiReadsThem() throws {
        let p = HostPlan.make(desired: desired, files: files, facts: Self.unconfigured)
        let first = try #require(p.prepare)
        #expect(first.instance.isDefault)
        #expect(first.writes.map(\.path) == ["/etc/postfix/main.cf", "/etc/postfix/generic", "/etc/postfix/virtual"])
        #expect(first.postmaps.map(\.path) == ["/etc/postfix/generic", "/etc/postfix/virtual"])
        // postmulti's parameters name instances that do not exist yet: they come later.
        #expect(first.edits == PostmultiOwnership.defaultInstanceParameters.map { .remove(parameter: $0) })
        #expect(!first.start && first.action == .none)
        #expect(p.lifecycle.map(\.commandLine) == [
            "postmulti -e init",
            "postmulti -I postfix-out -G mta -e create", "postmulti -i postfix-out -e enable",
            "postmulti -I postfix-in -G mta -e create", "postmulti -i postfix-in -e enable",
        ])
        // Then the default instance's main.cf again, with them, and every instance starts.
        let main = p.instances[0]
        #expect(main.writes.map(\.path) == ["/etc/postfix/main.cf"])
        #expect(main.writes[0].text.contains("multi_instance_directories = /etc/postfix-out /etc/postfix-in"))
        #expect(main.postmaps.isEmpty && main.start)
        #expect(p.instances.allSatisfy { $0.start })
    }

    @Test func aPlayWithoutTheDefaultInstanceIsRefusedOnAHostWithoutMainCF() {
        let secondaries = desired.filter { !$0.instance.isDefault }
        let p = HostPlan.make(desired: secondaries, files: files.filter { !$0.instance.isDefault }, facts: Self.unconfigured)
        #expect(p.prepare == nil)
        #expect(p.refusals.count == 1 && p.refusals[0].hasPrefix("the default instance has no main.cf"), "\(p.refusals)")
    }

    @Test func aConfiguredHostNeedsNoFirstWrite() {
        var facts = Self.unconfigured
        facts.instances[0].configured = true
        #expect(HostPlan.make(desired: desired, files: files, facts: facts).prepare == nil)
    }

    /// A converged host that also has a nameless instance the playbook does not list.
    @Test func aNamelessInstanceStaysInTheList() throws {
        var facts = convergedFacts(desired: desired, files: files)
        facts.instances.append(InstanceFacts(name: nil, group: nil, enabled: true, configDirectory: "/etc/postfix-legacy", running: true))
        let p = HostPlan.make(desired: desired, files: files, facts: facts)
        let main = try #require(p.instances.first)
        #expect(main.writes.map(\.path) == ["/etc/postfix/main.cf"])
        #expect(MainCF(main.writes[0].text).value(of: "multi_instance_directories") == "/etc/postfix-out /etc/postfix-in /etc/postfix-legacy")
    }

    /// An instance adopted with `postmulti -e import` whose queue is not where postmulti
    /// would have put it: the main.cf postfleet writes for it keeps its queue and data.
    @Test func anImportedInstanceKeepsItsQueue() throws {
        var facts = convergedFacts(desired: desired, files: files)
        facts.instances[1].queueDirectory = "/srv/out/spool"
        facts.instances[1].dataDirectory = "/srv/out/lib"
        let p = HostPlan.make(desired: desired, files: files, facts: facts)
        let out = try #require(p.instances.first { $0.instance.name == "postfix-out" })
        let main = MainCF(try #require(out.writes.first { $0.kind == .mainCF }).text)
        #expect(main.value(of: "queue_directory") == "/srv/out/spool")
        #expect(main.value(of: "data_directory") == "/srv/out/lib")
        // A host whose directories are the derived ones is left as it is.
        var same = convergedFacts(desired: desired, files: files)
        same.instances[1].queueDirectory = "/var/spool/postfix-out"
        #expect(HostPlan.make(desired: desired, files: files, facts: same).isEmpty)
    }

    @Test func anInstanceLivingElsewhereIsRefusedNotMoved() {
        var facts = convergedFacts(desired: desired, files: files)
        facts.instances[1] = InstanceFacts(name: "postfix-out", group: "mta", enabled: true, configDirectory: "/srv/postfix-out")
        let p = HostPlan.make(desired: desired, files: files, facts: facts)
        #expect(p.refusals == ["instance postfix-out lives in /srv/postfix-out on this host, not in /etc/postfix-out where the playbook writes it"])
    }
}
