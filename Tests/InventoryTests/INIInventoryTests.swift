import Testing

@testable import Inventory

@Suite("Loading an INI inventory, as Ansible's ini plugin reads it")
struct INIInventoryTests {
    @Test("Hosts before any section are in 'ungrouped'; sections are groups; a host may be in several")
    func sectionsAndUngrouped() throws {
        let inventory = try loadINI("""
            mailhub.example.com

            [border]
            mta1
            mta2

            [canary]
            mta2
            relay1
            """)
        #expect(names(inventory.hosts) == ["mailhub.example.com", "mta1", "mta2", "relay1"])
        #expect(inventory.groupNames == ["all", "ungrouped", "border", "canary"])
        #expect(inventory.group(named: "ungrouped")?.hosts == ["mailhub.example.com"])
        #expect(inventory.group(named: "all")?.children == ["ungrouped", "border", "canary"])
        #expect(inventory.host(named: "mta2")?.groups == ["border", "canary"])
        #expect(inventory.host(named: "mailhub.example.com")?.groups == ["ungrouped"])
    }

    @Test("[group:children] nests groups, even when the child's section comes later")
    func children() throws {
        let inventory = try loadINI("""
            [clusters:children]
            border
            inbound

            [border:children]
            border_eu

            [border_eu]
            mta[1:2]

            [inbound]
            mx1
            """)
        #expect(inventory.group(named: "clusters")?.children == ["border", "inbound"])
        #expect(inventory.group(named: "border")?.parents == ["clusters"])
        #expect(inventory.group(named: "border_eu")?.depth == 3)
        #expect(inventory.host(named: "mta1")?.groups == ["border", "border_eu", "clusters"])
        #expect(names(inventory.hosts(inGroup: "clusters")) == ["mta1", "mta2", "mx1"])
        // As in Ansible, a group is created where its own section starts.
        #expect(inventory.groupNames == ["all", "ungrouped", "clusters", "border", "border_eu", "inbound"])
        #expect(inventory.group(named: "all")?.children == ["ungrouped", "clusters"])
    }

    @Test("[group:vars] values: Python literals are typed, anything else is the text, comment included")
    func groupVariables() throws {
        let inventory = try loadINI("""
            [border]
            mta1

            [border:vars]
            port=8080 # a comment after a literal is Python's, and goes
            relay=mailhub # not a literal: the comment stays in the text
            enabled=True
            yaml_bool=yes
            lower_true=true
            quoted = '010'
            octal_looking=010
            hex=0x1F
            ratio=1.5
            exponent=1e3
            nothing=None
            empty=
            list=[1, 'two', None]
            mapping={'a': 1, 2: [3]}
            tuple=(1, 2)
            spaced = two words
            equals=a=b
            """)
        let vars = try #require(inventory.host(named: "mta1")?.vars)
        #expect(vars["port"] == 8080)
        #expect(vars["relay"] == "mailhub # not a literal: the comment stays in the text")
        #expect(vars["enabled"] == true)
        #expect(vars["yaml_bool"] == "yes")
        #expect(vars["lower_true"] == "true")
        #expect(vars["quoted"] == "010")
        #expect(vars["octal_looking"] == "010")
        #expect(vars["hex"] == 31)
        #expect(vars["ratio"] == 1.5)
        #expect(vars["exponent"] == 1000.0)
        #expect(vars["nothing"] == .null)
        #expect(vars["empty"] == "")
        #expect(vars["list"] == [1, "two", .null])
        #expect(vars["mapping"] == .map(["a": 1, "2": [3]]))
        #expect(vars["tuple"] == [1, 2])
        #expect(vars["spaced"] == "two words")
        #expect(vars["equals"] == "a=b")
    }

    @Test("Host lines: words split as a shell does, each key=value read as a Python literal")
    func hostVariables() throws {
        let inventory = try loadINI("""
            [border]
            mta1 relay=mailhub size=10 motd="hello world" secret="'03#pa33w0rd'" flag=True word=true
            mta2 list='[1, 2]' escaped=a\\ b single='it''s' # a comment
            mta3 hashed=a#b
            """)
        let mta1 = try #require(inventory.host(named: "mta1"))
        #expect(mta1.vars == [
            "relay": "mailhub", "size": 10, "motd": "hello world", "secret": "03#pa33w0rd", "flag": true,
            "word": "true",
        ])
        #expect(inventory.host(named: "mta2")?.vars == ["list": [1, 2], "escaped": "a b", "single": "its"])
        // As shlex with comments=True: '#' starts a comment even inside a word.
        #expect(inventory.host(named: "mta3")?.vars == ["hashed": "a"])
    }

    @Test("host:PORT, ranges, bracketed IPv6; a port counts where the host first appears")
    func portsAndRanges() throws {
        let inventory = try loadINI("""
            mta[1:3]:2222
            [2001:db8::1]:2200
            fe80::1
            db-[a:c]

            [later]
            mta1:3333
            mta2 ansible_port=4444
            """)
        #expect(names(inventory.hosts) == ["mta1", "mta2", "mta3", "2001:db8::1", "fe80::1", "db-a", "db-b", "db-c"])
        #expect(inventory.host(named: "mta1")?.port == 2222)
        #expect(inventory.host(named: "mta1")?.vars["ansible_port"] == 2222)
        #expect(inventory.host(named: "mta2")?.port == 4444)
        #expect(inventory.host(named: "mta3")?.port == 2222)
        #expect(inventory.host(named: "2001:db8::1")?.port == 2200)
        #expect(inventory.host(named: "fe80::1")?.port == nil)
    }

    @Test("Comments with # or ;, blank lines, indentation, CRLF, a comment after a section")
    func layout() throws {
        let inventory = try loadINI(
            "# fleet\r\n; also a comment\r\n\r\n  [border]   # the border hosts\r\n    mta1\r\n\tmta2 relay=mailhub\r\n")
        #expect(names(inventory.hosts(inGroup: "border")) == ["mta1", "mta2"])
        #expect(inventory.host(named: "mta2")?.vars["relay"] == "mailhub")
    }

    @Test("[all], [all:vars], [ungrouped]: hosts in no other group end up in 'ungrouped'")
    func allAndUngrouped() throws {
        let inventory = try loadINI("""
            [all]
            spare
            mta1

            [ungrouped]
            listed

            [border]
            mta1

            [all:vars]
            relay=mailhub
            """)
        #expect(inventory.group(named: "ungrouped")?.hosts == ["listed", "spare"])
        #expect(inventory.host(named: "mta1")?.groups == ["border"])
        #expect(inventory.hosts.allSatisfy { $0.vars["relay"] == "mailhub" })
    }

    @Test("Ansible's precedence: all < parent < child < host, the same as for YAML")
    func precedence() throws {
        let inventory = try loadINI("""
            [border_eu]
            mta1 level=host
            mta2

            [border:children]
            border_eu

            [border_eu:vars]
            level=child

            [border:vars]
            level=parent
            from_parent=2

            [all:vars]
            level=all
            from_all=1
            """)
        #expect(inventory.host(named: "mta1")?.vars == ["level": "host", "from_parent": 2, "from_all": 1])
        #expect(inventory.host(named: "mta2")?.vars["level"] == "child")
    }

    @Test("ansible_group_priority orders groups of the same depth and is not a variable")
    func priority() throws {
        let inventory = try loadINI("""
            [a_group]
            mta1

            [b_group]
            mta1

            [a_group:vars]
            testvar=a
            ansible_group_priority=10

            [b_group:vars]
            testvar=b
            """)
        #expect(inventory.group(named: "a_group")?.priority == 10)
        #expect(inventory.group(named: "b_group")?.priority == 1)
        #expect(inventory.host(named: "mta1")?.vars == ["testvar": "a"])
    }

    @Test("A host named like a group: its line's variables go to the group, as in Ansible")
    func hostNamedLikeGroup() throws {
        let inventory = try loadINI("""
            [mailhub]
            mailhub ansible_host=198.18.0.100 relay=self
            backup
            """)
        #expect(inventory.group(named: "mailhub")?.vars == ["ansible_host": "198.18.0.100", "relay": "self"])
        #expect(inventory.host(named: "mailhub")?.address == "198.18.0.100")
        #expect(inventory.host(named: "backup")?.vars["relay"] == "self")
    }

    @Test("The example in Ansible's ini plugin documentation")
    func ansiblePluginExample() throws {
        let inventory = try loadINI("""
            [web]
            host1
            host2 ansible_port=222 # defined inline, interpreted as an integer

            [web:vars]
            http_port=8080 # all members of 'web' will inherit these
            myvar=23 # defined in a :vars section, interpreted as a string

            [web:children] # child groups will automatically add their hosts to parent group
            apache
            nginx

            [apache]
            tomcat1
            tomcat2 myvar=34 # host specific vars override group vars
            tomcat3 mysecret="'03#pa33w0rd'" # proper quoting to prevent value changes

            [nginx]
            jenkins1

            [nginx:vars]
            has_java = True # vars in child groups override same in parent

            [all:vars]
            has_java = False # 'all' is 'top' parent
            """)
        #expect(inventory.host(named: "host2")?.port == 222)
        // Despite the comment, Ansible reads 23 as an integer in a :vars section too.
        #expect(inventory.host(named: "tomcat1")?.vars == ["http_port": 8080, "myvar": 23, "has_java": false])
        #expect(inventory.host(named: "tomcat2")?.vars["myvar"] == 34)
        #expect(inventory.host(named: "tomcat3")?.vars["mysecret"] == "03#pa33w0rd")
        #expect(inventory.host(named: "jenkins1")?.vars["has_java"] == true)
        #expect(inventory.group(named: "web")?.children == ["apache", "nginx"])
    }

    @Test("parse(ini:) reads text without a file")
    func parseFromText() throws {
        let inventory = try Inventory.parse(ini: "[border]\nmta1\n", path: "inline")
        #expect(inventory.path == "inline")
        #expect(names(inventory.hosts(inGroup: "border")) == ["mta1"])
    }

    @Test("An empty INI file is an empty inventory, as in Ansible")
    func empty() throws {
        let inventory = try loadINI("# nothing yet\n")
        #expect(inventory.hosts.isEmpty)
        #expect(inventory.groupNames == ["all", "ungrouped"])
    }
}

@Suite("Telling YAML from INI, as Ansible does")
struct InventoryFormatTests {
    @Test(".yml, .yaml and .json are YAML; .ini is INI; otherwise the content decides", arguments: [
        ("hosts.yml", "all:\n  hosts:\n    mta1:\n", Inventory.Format.yaml),
        ("hosts.yaml", "all:\n  hosts:\n    mta1:\n", .yaml),
        ("hosts.json", "{\"all\": {\"hosts\": {\"mta1\": null}}}", .yaml),
        ("hosts.ini", "[border]\nmta1\n", .ini),
        ("hosts", "all:\n  hosts:\n    mta1:\n", .yaml),
        ("hosts", "[border]\nmta1\n", .ini),
        ("hosts", "mta1\n", .ini),
        ("hosts.txt", "mta1 relay=mailhub\n", .ini),
        ("hosts", "", .ini),
        ("hosts", "mta1 motd=\"a: b\"\n", .ini),
        ("hosts", "---\nborder:\n  hosts: {mta1: }\n", .yaml),
    ])
    func detection(name: String, text: String, format: Inventory.Format) {
        #expect(Inventory.format(of: SourceText(path: name, text: text)) == format)
    }

    @Test("Both formats load from a file with no extension")
    func loadsEither() throws {
        let yaml = try loadINI("all:\n  children:\n    border:\n      hosts:\n        mta1:\n")
        let ini = try loadINI("[border]\nmta1\n")
        #expect(yaml.host(named: "mta1")?.groups == ["border"])
        #expect(ini.host(named: "mta1")?.groups == ["border"])
    }

    @Test("A file with no extension that starts like YAML gets the YAML error, not an INI one")
    func brokenYAML() throws {
        let (directory, error) = try loadError(["hosts": "all:\n  hosts:\n    mta1:\n   bad\n"], inventory: "hosts")
        #expect(error.file == directory + "/hosts")
        #expect(error.line == 4)
        #expect(error.message.hasPrefix("invalid YAML:"))
    }
}

@Suite("JSON inventories")
struct JSONInventoryTests {
    @Test("A JSON inventory reads numbers as JSON does (1e3 is a number, not the text YAML makes of it)")
    func jsonNumbers() throws {
        let inventory = try loadInventory(
            ["inventory.json": "{\"all\": {\"vars\": {\"ratio\": 1e3}, \"hosts\": {\"mta1\": {\"ansible_port\": 2222}}}}"],
            inventory: "inventory.json")
        #expect(inventory.host(named: "mta1")?.vars == ["ratio": 1000.0, "ansible_port": 2222])
        // The same text as YAML (not JSON: a plain 1e3) stays a string.
        let yaml = try Inventory.parse(yaml: "all:\n  vars:\n    ratio: 1e3\n  hosts:\n    mta1:\n")
        #expect(yaml.host(named: "mta1")?.vars["ratio"] == "1e3")
    }
}
