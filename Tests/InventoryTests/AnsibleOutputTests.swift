import Testing

@testable import Inventory

@Suite("ansible-inventory's output: --list, --host, --graph")
struct AnsibleOutputTests {
    static let fleet = """
        mailhub

        [border]
        mta1 ansible_host=198.18.0.1 ansible_port=2222
        mta2

        [canary]
        mta2

        [clusters:children]
        border
        empty

        [empty]

        [border:vars]
        relay=mailhub
        ratio=0.5
        """

    @Test("--list: all (no hosts), each group's hosts and children, empty ones left out, _meta.hostvars")
    func listShape() throws {
        let inventory = try loadINI(Self.fleet)
        #expect(inventory.ansibleList() == .map([
            "_meta": .map([
                "hostvars": .map([
                    "mta1": .map(["ansible_host": "198.18.0.1", "ansible_port": 2222, "relay": "mailhub", "ratio": 0.5]),
                    "mta2": .map(["relay": "mailhub", "ratio": 0.5]),
                ]),
                "profile": "inventory_legacy",
            ]),
            // border is under clusters, so not directly under all.
            "all": .map(["children": ["ungrouped", "canary", "clusters"]]),
            "ungrouped": .map(["hosts": ["mailhub"]]),
            "border": .map(["hosts": ["mta1", "mta2"]]),
            "canary": .map(["hosts": ["mta2"]]),
            "clusters": .map(["children": ["border", "empty"]]),
        ]))
    }

    // Checked byte for byte against ansible-inventory 2.19 (shlex takes the quotes, so the
    // value is not a Python literal and its backslash stays).
    @Test("--list as text: Python's json.dumps(sort_keys=True, indent=4), non-ASCII as is")
    func listText() throws {
        let inventory = try Inventory.parse(ini: "[border]\nmta1 motd='héllo \"x\"\\n' list='[]' map='{}'\n")
        #expect(inventory.ansibleListJSON() == """
            {
                "_meta": {
                    "hostvars": {
                        "mta1": {
                            "list": [],
                            "map": {},
                            "motd": "h\u{e9}llo \\"x\\"\\\\n"
                        }
                    },
                    "profile": "inventory_legacy"
                },
                "all": {
                    "children": [
                        "ungrouped",
                        "border"
                    ]
                },
                "border": {
                    "hosts": [
                        "mta1"
                    ]
                }
            }
            """)
    }

    @Test("--list --limit: only the selected hosts, groups left with none dropped")
    func listLimited() throws {
        let inventory = try loadINI(Self.fleet)
        let list = inventory.ansibleList(limitedTo: ["mta2"])
        #expect(list["border"] == .map(["hosts": ["mta2"]]))
        #expect(list["ungrouped"] == nil)
        #expect(list["_meta"]?["hostvars"]?.mapValue?.keys.sorted() == ["mta2"])
    }

    @Test("Ansible's internal names are never shown as variables")
    func internalNames() throws {
        let inventory = try Inventory.parse(ini: "mta1 inventory_hostname=x groups=y relay=mailhub\n")
        let mta1 = try #require(inventory.host(named: "mta1"))
        #expect(inventory.ansibleHostVariables(mta1) == .map(["relay": "mailhub"]))
        #expect(inventory.ansibleHostJSON(mta1) == "{\n    \"relay\": \"mailhub\"\n}")
    }

    @Test("--host of a host without variables is {}")
    func hostWithoutVariables() throws {
        let inventory = try Inventory.parse(ini: "mta1\n")
        #expect(inventory.ansibleHostJSON(inventory.hosts[0]) == "{}")
    }

    @Test("--graph: child groups, then hosts; empty groups shown")
    func graph() throws {
        let inventory = try loadINI(Self.fleet)
        #expect(inventory.ansibleGraph() == """
            @all:
              |--@ungrouped:
              |  |--mailhub
              |--@canary:
              |  |--mta2
              |--@clusters:
              |  |--@border:
              |  |  |--mta1
              |  |  |--mta2
              |  |--@empty:
            """)
        #expect(inventory.ansibleGraph(group: "clusters")?.hasPrefix("@clusters:\n  |--@border:") == true)
        #expect(inventory.ansibleGraph(group: "nope") == nil)
    }
}

@Suite("ansible_group_priority")
struct GroupPriorityTests {
    @Test("Ansible's documented example: a_group with priority 10 wins over b_group")
    func documented() throws {
        let inventory = try loadInventory("""
            all:
              hosts:
                mta1:
              children:
                a_group:
                  vars:
                    testvar: a
                    ansible_group_priority: 10
                  hosts:
                    mta1:
                b_group:
                  vars:
                    testvar: b
                  hosts:
                    mta1:
            """)
        #expect(inventory.host(named: "mta1")?.vars == ["testvar": "a"])
        #expect(inventory.group(named: "a_group")?.priority == 10)
        #expect(inventory.group(named: "a_group")?.vars == ["testvar": "a"])
    }

    @Test("Priority orders groups of the same depth only: a deeper group still wins")
    func depthFirst() throws {
        let inventory = try loadInventory("""
            all:
              children:
                high:
                  vars: { relay: high, ansible_group_priority: 100 }
                  hosts: { mta1: }
                parent:
                  children:
                    child:
                      vars: { relay: child }
                      hosts: { mta1: }
            """)
        #expect(inventory.host(named: "mta1")?.vars["relay"] == "child")
    }

    @Test("A lower priority than the default loses to a name earlier in the alphabet")
    func lowerPriority() throws {
        let inventory = try loadINI("""
            [zulu]
            mta1
            [alpha]
            mta1
            [zulu:vars]
            relay=zulu
            ansible_group_priority=0
            [alpha:vars]
            relay=alpha
            """)
        #expect(inventory.host(named: "mta1")?.vars["relay"] == "alpha")
    }

    @Test("Priority as Python's int() reads it: numbers, digit strings, floats truncated", arguments: [
        ("7", 7), ("'7'", 7), ("' 12 '", 12), ("2.9", 2), ("True", 1), ("-3", -3),
    ])
    func forms(text: String, priority: Int) throws {
        let inventory = try Inventory.parse(ini: "[g]\nmta1\n[g:vars]\nansible_group_priority=\(text)\n")
        #expect(inventory.group(named: "g")?.priority == priority)
    }
}
