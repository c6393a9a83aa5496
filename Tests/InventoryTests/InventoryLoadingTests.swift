import Testing

@testable import Inventory

@Suite("Loading a YAML inventory: groups, hosts, membership")
struct InventoryLoadingTests {
    static let fleet = """
        all:
          hosts:
            mailhub:
          children:
            border:
              children:
                border_eu:
                  hosts:
                    mta[1:2]:
                border_us:
                  hosts:
                    mta[3:4]:
            canary:
              hosts:
                mta3:
                relay1:
        """

    @Test("Nested groups: a host is in its groups and all their ancestors, never 'all'")
    func nestedMembership() throws {
        let inventory = try loadInventory(Self.fleet)
        #expect(names(inventory.hosts) == ["mailhub", "mta1", "mta2", "mta3", "mta4", "relay1"])
        #expect(inventory.host(named: "mta1")?.groups == ["border", "border_eu"])
        #expect(inventory.host(named: "mta3")?.groups == ["border", "border_us", "canary"])
        #expect(inventory.host(named: "relay1")?.groups == ["canary"])
        #expect(inventory.host(named: "nope") == nil)
        #expect(names(inventory.hosts(inGroup: "border")) == ["mta1", "mta2", "mta3", "mta4"])
        #expect(names(inventory.hosts(inGroup: "border_us")) == ["mta3", "mta4"])
        #expect(names(inventory.hosts(inGroup: "all")) == names(inventory.hosts))
        #expect(inventory.hosts(inGroup: "nope").isEmpty)
        #expect(inventory.host(named: "mta3")?.isMember(of: "all") == true)
    }

    @Test("Groups: all and ungrouped first, then as they appear; parents, children, depth")
    func groups() throws {
        let inventory = try loadInventory(Self.fleet)
        #expect(inventory.groupNames == ["all", "ungrouped", "border", "border_eu", "border_us", "canary"])
        let border = try #require(inventory.group(named: "border"))
        #expect(border.children == ["border_eu", "border_us"])
        #expect(border.parents == ["all"])
        #expect(border.hosts.isEmpty)
        #expect(border.depth == 1)
        #expect(inventory.group(named: "border_eu")?.depth == 2)
        #expect(inventory.group(named: "border_eu")?.hosts == ["mta1", "mta2"])
        #expect(inventory.group(named: "all")?.children == ["ungrouped", "border", "canary"])
        #expect(inventory.group(named: "all")?.depth == 0)
        #expect(inventory.group(named: "all")?.hosts == ["mailhub"])
    }

    @Test("Hosts directly under all.hosts, and in no other group, are in 'ungrouped'")
    func ungrouped() throws {
        let inventory = try loadInventory("""
            all:
              hosts:
                mailhub:
                mta1:
              children:
                border:
                  hosts:
                    mta1:
                ungrouped:
                  hosts:
                    spare:
                    mta2:
                web:
                  hosts:
                    mta2:
            """)
        #expect(inventory.host(named: "mailhub")?.groups == ["ungrouped"])
        #expect(inventory.host(named: "mta1")?.groups == ["border"])
        #expect(inventory.host(named: "spare")?.groups == ["ungrouped"])
        // Listed under ungrouped, but in another group: Ansible takes it out of ungrouped.
        #expect(inventory.host(named: "mta2")?.groups == ["web"])
        #expect(names(inventory.hosts(inGroup: "ungrouped")) == ["mailhub", "spare"])
        // Ansible's order (checked against ansible-inventory 2.19): the hosts listed under
        // 'ungrouped' first, then those found in no group when the inventory is reconciled.
        #expect(inventory.group(named: "ungrouped")?.hosts == ["spare", "mailhub"])
    }

    @Test("A group named twice is one group: hosts, children and variables add up")
    func groupsMerge() throws {
        let inventory = try loadInventory("""
            all:
              children:
                eu:
                  children:
                    border:
                      hosts:
                        mta1:
                      vars:
                        relay: eu-hub
                us:
                  children:
                    border:
                      hosts:
                        mta2:
                      vars:
                        size: 10
            """)
        let border = try #require(inventory.group(named: "border"))
        #expect(border.hosts == ["mta1", "mta2"])
        #expect(border.parents == ["eu", "us"])
        #expect(border.vars == ["relay": "eu-hub", "size": 10])
        #expect(inventory.host(named: "mta1")?.groups == ["border", "eu", "us"])
        #expect(inventory.host(named: "mta2")?.vars["relay"] == "eu-hub")
        #expect(inventory.groupNames.filter { $0 == "border" }.count == 1)
    }

    @Test("A host in several groups is one host, in the order it first appears")
    func hostInSeveralGroups() throws {
        let inventory = try loadInventory("""
            all:
              children:
                b:
                  hosts:
                    mta2:
                    mta1:
                a:
                  hosts:
                    mta1:
                    mta3:
            """)
        #expect(names(inventory.hosts) == ["mta2", "mta1", "mta3"])
        #expect(inventory.host(named: "mta1")?.groups == ["a", "b"])
    }

    @Test("Top-level groups besides 'all' go under 'all'")
    func topLevelGroups() throws {
        let inventory = try loadInventory("""
            border:
              hosts:
                mta1:
            all:
              vars:
                x: 1
            """)
        #expect(inventory.group(named: "border")?.parents == ["all"])
        #expect(inventory.host(named: "mta1")?.groups == ["border"])
        #expect(inventory.host(named: "mta1")?.vars["x"] == 1)
    }

    @Test("Ranges in host keys, all four forms")
    func ranges() throws {
        let inventory = try loadInventory("""
            all:
              children:
                plain: { hosts: { "mta[1:3]": } }
                padded: { hosts: { "mx[01:12]": } }
                stride: { hosts: { "out[1:7:3]": } }
                letters: { hosts: { "db-[a:c]": { role: db } } }
            """)
        #expect(names(inventory.hosts(inGroup: "plain")) == ["mta1", "mta2", "mta3"])
        #expect(inventory.hosts(inGroup: "padded").count == 12)
        #expect(inventory.hosts(inGroup: "padded").first?.name == "mx01")
        #expect(inventory.hosts(inGroup: "padded").last?.name == "mx12")
        #expect(names(inventory.hosts(inGroup: "stride")) == ["out1", "out4", "out7"])
        #expect(names(inventory.hosts(inGroup: "letters")) == ["db-a", "db-b", "db-c"])
        #expect(inventory.hosts(inGroup: "letters").allSatisfy { $0.vars["role"] == "db" })
    }

    @Test("Short forms Ansible accepts: empty groups and bodies, a single name, host:port")
    func shortForms() throws {
        let inventory = try loadInventory("""
            all:
              hosts: mailhub
              children:
                empty:
                border:
                  hosts:
                    mta1:2222:
                    10.0.0.5:2200: { ansible_user: ops }
                    "[2001:db8::1]:22":
                    fe80::1:
                    mta[2:3]:2201:
                  vars:
                web:
                  children: border
            """)
        #expect(names(inventory.hosts) == ["mailhub", "mta1", "10.0.0.5", "2001:db8::1", "fe80::1", "mta2", "mta3"])
        #expect(inventory.group(named: "empty")?.hosts == [])
        #expect(inventory.host(named: "mta1")?.port == 2222)
        #expect(inventory.host(named: "10.0.0.5")?.port == 2200)
        #expect(inventory.host(named: "10.0.0.5")?.user == "ops")
        #expect(inventory.host(named: "2001:db8::1")?.port == 22)
        #expect(inventory.host(named: "fe80::1")?.port == nil)
        #expect(inventory.host(named: "mta3")?.port == 2201)
        #expect(inventory.host(named: "mta1")?.groups == ["border", "web"])
        #expect(inventory.host(named: "mailhub")?.groups == ["ungrouped"])
    }

    @Test("Anchors and merge keys work in host variables")
    func anchors() throws {
        let inventory = try loadInventory("""
            all:
              hosts:
                mta1: &border { relay: mailhub, size: 1 }
                mta2:
                  <<: *border
                  size: 2
            """)
        #expect(inventory.host(named: "mta2")?.vars == ["relay": "mailhub", "size": 2])
    }

    @Test("parse(yaml:) loads from text without a file")
    func parseFromText() throws {
        let inventory = try Inventory.parse(yaml: "all:\n  hosts:\n    mta1:\n", path: "inline.yml")
        #expect(inventory.path == "inline.yml")
        #expect(names(inventory.hosts) == ["mta1"])
    }

    @Test("An inventory made in code has all and ungrouped, and its hosts' groups")
    func madeInCode() {
        let inventory = Inventory(hosts: [Host(name: "a", groups: ["web"]), Host(name: "b", groups: ["ungrouped"])])
        #expect(inventory.groupNames == ["all", "ungrouped", "web"])
        #expect(names(inventory.hosts(inGroup: "web")) == ["a"])
        #expect(inventory.host(named: "b")?.address == "b")
    }
}
