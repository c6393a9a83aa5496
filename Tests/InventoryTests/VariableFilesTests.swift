import Testing

@testable import Inventory

@Suite("group_vars/ and host_vars/ beside the inventory")
struct VariableFilesTests {
    static let inventory = """
        [border]
        mta1
        mta2

        [clusters:children]
        border
        """

    @Test("Files named NAME, NAME.yml, NAME.yaml or NAME.json, for groups and hosts")
    func files() throws {
        let inventory = try loadInventory([
            "hosts": Self.inventory,
            "group_vars/all": "relay: mailhub\n",
            "group_vars/border.yml": "size: 8\n",
            "group_vars/clusters.yaml": "site: eu\n",
            "host_vars/mta1.json": "{\"role\": \"canary\", \"weight\": 1e3}",
        ], inventory: "hosts")
        #expect(inventory.host(named: "mta1")?.vars == ["relay": "mailhub", "size": 8, "site": "eu", "role": "canary", "weight": 1000.0])
        #expect(inventory.host(named: "mta2")?.vars == ["relay": "mailhub", "size": 8, "site": "eu"])
        #expect(inventory.host(named: "mta1")?.ownVars == ["role": "canary", "weight": 1000.0])
        #expect(inventory.group(named: "border")?.vars == ["size": 8])
    }

    @Test("Only the first of NAME, NAME.yml, NAME.yaml, NAME.json is read")
    func firstExtensionOnly() throws {
        let inventory = try loadInventory([
            "hosts": Self.inventory,
            "host_vars/mta1.yml": "from: yml\n",
            "host_vars/mta1.yaml": "from: yaml\nextra: 1\n",
            "host_vars/mta1.json": "{\"from\": \"json\"}",
            "host_vars/mta2.yaml": "from: yaml\n",
            "host_vars/mta2.json": "{\"from\": \"json\"}",
        ], inventory: "hosts")
        #expect(inventory.host(named: "mta1")?.vars == ["from": "yml"])
        #expect(inventory.host(named: "mta2")?.vars == ["from": "yaml"])
    }

    @Test("A directory of files, read in lexical order, subdirectories included; hidden, backup and other files skipped")
    func directory() throws {
        let inventory = try loadInventory([
            "hosts": Self.inventory,
            "group_vars/border/10-main.yml": "a: main\nb: main\nc: main\nd: main\n",
            "group_vars/border/20-more": "b: more\n",
            "group_vars/border/30-sub/x.yaml": "c: sub\n",
            "group_vars/border/40.json": "{\"d\": \"json\"}",
            "group_vars/border/.hidden.yml": "a: hidden\n",
            "group_vars/border/50.yml~": "a: backup\n",
            "group_vars/border/60.txt": "a: text\n",
            "group_vars/border/70.d/x.yml": "a: directory with an extension\n",
        ], inventory: "hosts")
        #expect(inventory.host(named: "mta1")?.vars == ["a": "main", "b": "more", "c": "sub", "d": "json"])
    }

    @Test("Ansible's precedence: any group_vars file over any group variable of the inventory file")
    func precedence() throws {
        let inventory = try loadInventory([
            "hosts": """
                [border]
                mta1 level=host_inline
                mta2

                [border:vars]
                level=child_inventory
                x=child_inventory

                [all:vars]
                x=all_inventory
                y=all_inventory
                """,
            "group_vars/all.yml": "level: all_file\nx: all_file\ny: all_file\nz: all_file\n",
            "group_vars/border.yml": "z: border_file\n",
            "host_vars/mta1.yml": "level: host_file\n",
        ], inventory: "hosts")
        // Checked against ansible-inventory 2.19: group_vars/all.yml beats [border:vars].
        #expect(inventory.host(named: "mta1")?.vars == ["level": "host_file", "x": "all_file", "y": "all_file", "z": "border_file"])
        #expect(inventory.host(named: "mta2")?.vars == ["level": "all_file", "x": "all_file", "y": "all_file", "z": "border_file"])
    }

    @Test("group_vars files merge by depth and priority too; ansible_group_priority in them is an ordinary variable")
    func filesByDepthAndPriority() throws {
        let inventory = try loadInventory([
            "inventory.yml": """
                all:
                  children:
                    zeta:
                      vars: { ansible_group_priority: 5 }
                      hosts: { mta1: }
                    alpha:
                      hosts: { mta1: }
                      children:
                        deep:
                          hosts: { mta1: }
                """,
            "group_vars/zeta.yml": "from: zeta\n",
            "group_vars/alpha.yml": "from: alpha\nansible_group_priority: 99\n",
            "group_vars/deep.yml": "deeper: yes\n",
        ], inventory: "inventory.yml")
        let mta1 = try #require(inventory.host(named: "mta1"))
        #expect(mta1.vars == ["from": "zeta", "deeper": true, "ansible_group_priority": 99])
        #expect(inventory.group(named: "alpha")?.priority == 1)
        #expect(inventory.group(named: "zeta")?.priority == 5)
    }

    @Test("Empty files, comment-only files and false values are skipped, as Ansible skips them")
    func emptyFiles() throws {
        let inventory = try loadInventory([
            "hosts": Self.inventory,
            "group_vars/all.yml": "",
            "group_vars/border.yml": "# nothing yet\n",
            "group_vars/clusters.json": "{}",
            "host_vars/mta1.yml": "[]\n",
        ], inventory: "hosts")
        #expect(inventory.host(named: "mta1")?.vars == [:])
    }

    @Test("Files for names the inventory does not have are ignored; so is a group_vars that is a file")
    func unrelated() throws {
        let inventory = try loadInventory([
            "inventory.ini": Self.inventory,
            "group_vars/elsewhere.yml": "not: read\n",
            "host_vars": "not a directory\n",
        ], inventory: "inventory.ini")
        #expect(inventory.host(named: "mta1")?.vars == [:])
    }

    @Test("The extension Python's splitext sees", arguments: [
        ("a.yml", ".yml"), ("a.b.json", ".json"), ("a", ""), (".hidden", ""), ("..x", ""), ("a.", "."),
    ])
    func pathExtension(name: String, ext: String) {
        #expect(VariableFiles.pathExtension(name) == ext)
    }
}

@Suite("Errors in variables files are placed in those files")
struct VariableFilesErrorTests {
    func expectError(
        _ files: [String: String], in file: String, line: Int, column: Int, _ message: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let (directory, error) = try loadError(
            files.merging(["hosts": "[border]\nmta1\n"]) { mine, _ in mine }, inventory: "hosts",
            sourceLocation: sourceLocation)
        #expect(error.file == directory + "/" + file, sourceLocation: sourceLocation)
        #expect(error.line == line, sourceLocation: sourceLocation)
        #expect(error.column == column, sourceLocation: sourceLocation)
        #expect(error.message == message, sourceLocation: sourceLocation)
    }

    @Test("Malformed YAML in a group_vars file")
    func malformed() throws {
        try expectError(["group_vars/border.yml": "relay: mailhub\nsize: [1, 2\n"], in: "group_vars/border.yml",
            line: 3, column: 1,
            "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 7)")
    }

    @Test("A bad connection variable in a host_vars file, JSON or YAML, at its value")
    func badConnectionVariable() throws {
        try expectError(["host_vars/mta1.yml": "relay: x\nansible_port: ssh\n"], in: "host_vars/mta1.yml",
            line: 2, column: 15, "ansible_port must be a port number from 1 to 65535, not \"ssh\"")
        try expectError(["host_vars/mta1.json": "{\n  \"relay\": \"x\",\n  \"ansible_port\": 0\n}"], in: "host_vars/mta1.json",
            line: 3, column: 19, "ansible_port must be a port number from 1 to 65535, not 0")
    }

    @Test("A file that is a list, or a string, is not variables")
    func notAMapping() throws {
        try expectError(["group_vars/all/main.yml": "- relay\n- mailhub\n"], in: "group_vars/all/main.yml",
            line: 1, column: 1, "a variables file must be a mapping of variable names to values, not a list")
        try expectError(["group_vars/border": "just text\n"], in: "group_vars/border",
            line: 1, column: 1, "a variables file must be a mapping of variable names to values, not a string")
    }

    @Test("An ansible-vault file cut short says so, at its last line")
    func vault() throws {
        try expectError(["group_vars/all/vault.yml": "$ANSIBLE_VAULT;1.1;AES256\n6162636465\n"], in: "group_vars/all/vault.yml",
            line: 2, column: 1, "this is not a valid ansible-vault envelope: it holds only a salt; it was cut short")
    }
}

@Suite("JSON variables files are read as Python's json module reads them")
struct JSONReaderTests {
    @Test("JSON, where YAML would differ: exponents, duplicate keys, escapes")
    func json() throws {
        let document = try #require(JSONReader.read("""
            {"a": 1e3, "b": -0.5E-1, "c": [true, false, null], "d": "\\u00e9\\ud83d\\ude00\\/", "a2": 1, "a2": 2, "e": NaN}
            """))
        let map = try #require(document.value.mapValue)
        #expect(map["a"] == 1000.0)
        #expect(map["b"] == -0.05)
        #expect(map["c"] == [true, false, .null])
        #expect(map["d"] == "é😀/")
        #expect(map["a2"] == 2)
        #expect(map["e"]?.doubleValue?.isNaN == true)
    }

    @Test("Not JSON: left to YAML", arguments: [
        "a: 1", "{'a': 1}", "{\"a\": 01}", "{\"a\": 1,}", "[1 2]", "{\"a\": \"\u{1}\"}", "\"\\ud800\"", "",
        "{\"a\": 123456789012345678901}",
    ])
    func notJSON(text: String) {
        #expect(JSONReader.read(text) == nil)
    }
}
