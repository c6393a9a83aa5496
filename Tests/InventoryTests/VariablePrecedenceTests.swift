import Testing

@testable import Inventory

@Suite("Variable precedence: all < parent group < child group < host")
struct VariablePrecedenceTests {
    @Test("Each level overrides the one above it, and only the variables it sets")
    func levels() throws {
        let inventory = try loadInventory("""
            all:
              vars:
                level: all
                from_all: 1
              children:
                border:
                  vars:
                    level: parent
                    from_parent: 2
                  children:
                    border_eu:
                      vars:
                        level: child
                        from_child: 3
                      hosts:
                        mta1:
                          level: host
                        mta2:
            """)
        let mta1 = try #require(inventory.host(named: "mta1"))
        #expect(mta1.vars == ["level": "host", "from_all": 1, "from_parent": 2, "from_child": 3])
        #expect(mta1.ownVars == ["level": "host"])
        #expect(inventory.host(named: "mta2")?.vars["level"] == "child")
    }

    @Test("Precedence follows depth, not the order groups are written in")
    func depthNotOrder() throws {
        let inventory = try loadInventory("""
            all:
              children:
                border_eu:
                  vars: { level: child }
                  hosts: { mta1: }
                border:
                  vars: { level: parent }
                  children:
                    border_eu:
            """)
        #expect(inventory.host(named: "mta1")?.vars["level"] == "child")
    }

    @Test("Groups at the same depth: alphabetical, the later name wins")
    func siblingsAlphabetical() throws {
        let inventory = try loadInventory("""
            all:
              children:
                zulu:
                  vars: { relay: zulu, only_zulu: z }
                  hosts: { mta1: }
                alpha:
                  vars: { relay: alpha, only_alpha: a }
                  hosts: { mta1: }
                mike:
                  vars: { relay: mike }
                  hosts: { mta1: }
            """)
        let mta1 = try #require(inventory.host(named: "mta1"))
        #expect(mta1.vars["relay"] == "zulu")
        #expect(mta1.vars["only_alpha"] == "a")
        #expect(mta1.vars["only_zulu"] == "z")
    }

    @Test("A deeper group beats a shallower one whatever the names")
    func deeperBeatsName() throws {
        let inventory = try loadInventory("""
            all:
              children:
                zz:
                  vars: { relay: zz }
                  hosts: { mta1: }
                aa:
                  children:
                    ab:
                      vars: { relay: ab }
                      hosts: { mta1: }
            """)
        #expect(inventory.host(named: "mta1")?.vars["relay"] == "ab")
    }

    @Test("A group's depth is its longest path from all")
    func longestPath() throws {
        let inventory = try loadInventory("""
            all:
              children:
                b:
                  vars: { relay: b }
                  children:
                    c:
                      vars: { relay: c }
                      children:
                        a:
                          vars: { relay: a }
                a:
                  hosts: { mta1: }
                bb:
                  vars: { relay: bb }
                  hosts: { mta1: }
            """)
        #expect(inventory.group(named: "a")?.depth == 3)
        // a (depth 3) beats c (2) and bb (1), though 'a' is first alphabetically.
        #expect(inventory.host(named: "mta1")?.vars["relay"] == "a")
    }

    @Test("Host variables win over every group, and a host named twice merges its variables")
    func hostWins() throws {
        let inventory = try loadInventory("""
            all:
              vars: { relay: all, size: 1 }
              hosts:
                mta1: { relay: first, keep: yes }
              children:
                border:
                  vars: { relay: border, size: 2 }
                  hosts:
                    mta1: { relay: second }
            """)
        let mta1 = try #require(inventory.host(named: "mta1"))
        #expect(mta1.vars == ["relay": "second", "size": 2, "keep": true])
    }

    @Test("A map value is replaced whole, not merged (Ansible's hash_behaviour=replace)")
    func replaceNotMerge() throws {
        let inventory = try loadInventory("""
            all:
              vars:
                limits: { a: 1, b: 2 }
              hosts:
                mta1:
                  limits: { a: 9 }
            """)
        #expect(inventory.host(named: "mta1")?.vars["limits"] == .map(["a": 9]))
    }
}
