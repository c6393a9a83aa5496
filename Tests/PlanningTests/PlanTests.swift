import Planning
import Foundation
import Inventory
import Playbook
import Postfix
import Testing

/// The plan as a pure function of the shipped border-cluster playbook and hand-made facts.
@Suite struct PlanTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let inventory: Inventory
    let playbook: Playbook
    let host: InventoryHost
    let desired: [InstanceSpec]
    let files: [RenderedFile]

    init() throws {
        inventory = try Inventory.load(path: Self.root + "/inventories/example.yml")
        playbook = try Playbook.load(path: Self.root + "/playbooks/border-cluster.yml")
        host = try #require(inventory.host(named: "mta2"))
        desired = try playbook.instances(for: host, inventory: inventory)
        files = try playbook.render(for: host, inventory: inventory)
    }

    /// A Debian host as installed: the default instance only, running.
    var bare: HostFacts {
        HostFacts(postfixVersion: "3.7.11", instances: [
            InstanceFacts(name: nil, group: nil, enabled: true, configDirectory: "/etc/postfix",
                          parameters: ["config_directory": "/etc/postfix", "inet_interfaces": "loopback-only", "myhostname": "mta2.example.com"],
                          running: true, masterPID: 100,
                          services: ["smtp inet n - y - - smtpd", "pickup unix n - y 60 1 pickup"]),
        ], checksums: [:], systemdControlled: false)
    }

    /// The facts a host has once the playbook is applied.
    var converged: HostFacts {
        convergedFacts(desired: desired, files: files, serviceSeparator: "   ")
    }

    func plan(_ facts: HostFacts, files: [RenderedFile]? = nil) -> HostPlan {
        HostPlan.make(desired: desired, files: files ?? self.files, facts: facts)
    }

    @Test func aBareHostGetsEverything() throws {
        let p = plan(bare)
        #expect(p.lifecycle.map(\.commandLine) == [
            "postmulti -e init",
            "postmulti -I postfix-out -G mta -e create", "postmulti -i postfix-out -e enable",
            "postmulti -I postfix-in -G mta -e create", "postmulti -i postfix-in -e enable",
        ])
        #expect(p.instances.map(\.instance.name) == ["default", "postfix-out", "postfix-in"])
        let main = p.instances[0]
        #expect(main.writes.map(\.path) == ["/etc/postfix/main.cf", "/etc/postfix/generic", "/etc/postfix/virtual"])
        #expect(main.postmaps.map(\.path) == ["/etc/postfix/generic", "/etc/postfix/virtual"])
        // inet_interfaces goes away and master_service_disable comes: the master must restart.
        #expect(main.action == .restart)
        #expect(!main.start)
        let out = p.instances[1]
        #expect(out.before == nil)
        #expect(out.start)
        // A new instance's master.cf is postmulti's copy: both edits apply, without knowing.
        #expect(out.edits.count == 2)
        #expect(out.diff.map(\.line).contains("- smtp/inet = (postmulti's copy)"))
        #expect(p.instances[2].start)
    }

    @Test func aConvergedHostHasAnEmptyPlan() {
        let p = plan(converged)
        #expect(p.isEmpty, "\(p.lifecycle) \(p.instances.map { ($0.instance.name, $0.writes.map(\.path), $0.edits, $0.action) })")
    }

    @Test func theWatchedPathsIncludeTheBuiltTables() {
        let paths = HostPlan.watchedPaths(files)
        #expect(paths.contains("/etc/postfix/generic.cdb"))
        #expect(paths.contains("/etc/postfix-out/main.cf"))
        #expect(!paths.contains { $0.hasSuffix(".postconf") })
    }

    @Test func oneTableEntryChangesAPostmapAndNothingElse() throws {
        var changed = files
        let index = try #require(changed.firstIndex { $0.path == "/etc/postfix/virtual" })
        let old = changed[index]
        changed[index] = RenderedFile(path: old.path, contents: old.contents + Array("abuse root\n".utf8), instance: old.instance, kind: old.kind)
        let p = HostPlan.make(desired: desired, files: changed, facts: converged,
                              oldTables: ["/etc/postfix/virtual": old.text])
        #expect(p.lifecycle.isEmpty)
        #expect(p.instances[0].writes.map(\.path) == ["/etc/postfix/virtual"])
        #expect(p.instances[0].postmaps.map(\.path) == ["/etc/postfix/virtual"])
        #expect(p.instances[0].action == .postmap)
        #expect(p.instances[0].diff == [DiffEntry(section: .table("virtual"), key: "abuse", old: nil, new: "root")])
        #expect(p.instances[1].isEmpty && p.instances[2].isEmpty)
    }

    /// A secret table's keys are named and its values never shown: `--diff` and drift say a
    /// secret changed; a password map given inline in main.cf likewise.
    @Test func secretsAreSaidToHaveChangedButNeverShown() throws {
        var changed = files
        let index = try #require(changed.firstIndex { $0.path == "/etc/postfix/virtual" })
        let old = changed[index]
        let before = "[relay.example.com]:587 mta2:old-pass\nkept kept-value\n"
        changed[index] = RenderedFile(path: old.path, contents: Array("[relay.example.com]:587 mta2:new-pass\nkept kept-value\nadded fresh-pass\n".utf8),
                                      secret: true, instance: old.instance, kind: old.kind)
        #expect(changed[index].mode == 0o600)
        let p = HostPlan.make(desired: desired, files: changed, facts: converged, oldTables: ["/etc/postfix/virtual": before])
        #expect(p.instances[0].diff.map(\.line) == ["~ [relay.example.com]:587 = (secret) -> (secret)", "+ added = (secret)"])

        var facts = converged
        facts.instances[2].parameters["smtp_sasl_password_maps"] = "static:mta2:inline-pass"
        facts.checksums["/etc/postfix-in/main.cf"] = "stale"
        let inline = plan(facts)
        #expect(inline.instances[2].diff.map(\.line) == ["- smtp_sasl_password_maps = (secret)"])
        #expect(!"\(inline.instances[2].diff)".contains("inline-pass"))
    }

    /// A secret table whose text is right but which others can read on the host is written
    /// again, and its index built again, so both are 0600; one that is 0600 is left alone.
    @Test func aSecretOthersCanReadIsWrittenAgain() throws {
        var secret = files
        let index = try #require(secret.firstIndex { $0.path == "/etc/postfix/virtual" })
        secret[index] = RenderedFile(path: secret[index].path, contents: secret[index].contents, secret: true,
                                     instance: secret[index].instance, kind: secret[index].kind)
        var facts = converged
        facts.modes = ["/etc/postfix/virtual": 0o600, "/etc/postfix/virtual.cdb": 0o644]
        let loose = HostPlan.make(desired: desired, files: secret, facts: facts)
        #expect(loose.instances[0].writes.map(\.path) == ["/etc/postfix/virtual"])
        #expect(loose.instances[0].postmaps.map(\.path) == ["/etc/postfix/virtual"])
        #expect(loose.instances[0].diff.map(\.line) == ["~ (mode) = 644 -> 600"])
        // Every table's bits are read: the plan may find a table secret only with the host's parameters.
        #expect(HostPlan.secretPaths(secret) == ["/etc/postfix/generic", "/etc/postfix/generic.cdb", "/etc/postfix/virtual", "/etc/postfix/virtual.cdb"])

        facts.modes["/etc/postfix/virtual.cdb"] = 0o600
        #expect(HostPlan.make(desired: desired, files: secret, facts: facts).instances[0].isEmpty)
    }

    @Test func aMissingIndexedFileIsRebuiltFromAnUnchangedSource() {
        var facts = converged
        facts.checksums["/etc/postfix/generic.cdb"] = nil
        let p = plan(facts)
        #expect(p.instances[0].writes.isEmpty)
        #expect(p.instances[0].postmaps.map(\.path) == ["/etc/postfix/generic"])
    }

    @Test func aListenerChangeRestartsThatInstanceOnly() {
        var facts = converged
        facts.instances[1].services = facts.instances[1].services.map {
            $0.hasPrefix("127.0.0.1:10026") ? "127.0.0.1:10026 inet n - n - 20 smtpd" : $0
        }
        let p = plan(facts)
        #expect(p.instances.map(\.action) == [.none, .restart, .none])
        #expect(p.instances[1].diff.map(\.line) == ["~ 127.0.0.1:10026/inet = 127.0.0.1:10026 inet n - n - 20 smtpd -> 127.0.0.1:10026 inet n - n - - smtpd"])
    }

    @Test func aChangedParameterReloadsAndTheDiffSaysWhich() {
        var facts = converged
        facts.instances[2].parameters["smtpd_client_port_logging"] = "yes"
        facts.checksums["/etc/postfix-in/main.cf"] = "stale"
        let p = plan(facts)
        #expect(p.instances.map(\.action) == [.none, .none, .reload])
        #expect(p.instances[2].diff == [DiffEntry(section: .mainCF, key: "smtpd_client_port_logging", old: "yes", new: "no")])
    }

    @Test func aStoppedEnabledInstanceIsStartedNotReloaded() {
        var facts = converged
        facts.instances[2].running = false
        facts.checksums["/etc/postfix-in/main.cf"] = "stale"
        let p = plan(facts)
        #expect(p.instances[2].start)
        #expect(p.instances[2].action == .none)
    }

    @Test func destroyingAnInstanceWithQueuedMailIsRefused() throws {
        let yaml = """
            - hosts: border
              instances:
                - name: postfix-old
                  state: absent
            """
        let pb = try Playbook.parse(yaml: yaml)
        let specs = try pb.instances(for: host, inventory: inventory)
        // The facts are asked to count exactly the queues the plan may destroy.
        #expect(HostPlan.queuesToCount(specs) == ["/etc/postfix-old"])
        var facts = bare
        facts.instances.append(InstanceFacts(name: "postfix-old", group: nil, enabled: false, configDirectory: "/etc/postfix-old",
                                             running: false, queuedMessages: 3))
        let refused = HostPlan.make(desired: specs, files: [], facts: facts)
        #expect(refused.refusals == ["cannot destroy instance postfix-old: its queue holds 3 messages (postfleet never deletes queued mail)"])
        facts.instances[1].queuedMessages = 0
        let allowed = HostPlan.make(desired: specs, files: [], facts: facts)
        #expect(allowed.refusals.isEmpty)
        #expect(allowed.lifecycle.map(\.commandLine) == ["postmulti -i postfix-old -e destroy"])
    }
}
