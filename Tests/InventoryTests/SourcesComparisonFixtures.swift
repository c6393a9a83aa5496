import Testing

/// Inventory sources and a command line, run the same way (same directory, arguments and
/// environment) through `postfleet inventory` and `ansible-inventory`. Every inventory lives
/// below a subdirectory: ansible-inventory also reads `group_vars/` of its working directory
/// (as a playbook's), which postfleet does not.
struct SourcesFixture: Sendable, CustomTestStringConvertible {
    let name: String
    /// Relative path → text.
    let files: [String: String]
    /// Files to make executable (inventory scripts).
    let executables: [String]
    /// Arguments before `--list` (or `--graph`).
    let arguments: [String]
    /// Environment for both; `$DIR` in a value is the test's directory.
    let environment: [String: String]

    var testDescription: String { name }

    init(_ name: String, _ arguments: [String], files: [String: String], executables: [String] = [],
         environment: [String: String] = [:]) {
        self.name = name
        self.files = files
        self.executables = executables
        self.arguments = arguments
        self.environment = environment
    }
}

extension SourcesFixture {
    static let all = merged + directories + scripts + hostLists + extraVariables + configuration

    static let hostsINI = """
        [border]
        mta1 ansible_host=192.0.2.1 relay=ini
        mta2:2222

        [border:vars]
        myorigin=example.com
        tier=ini

        [mailhub]
        hub1

        [all:vars]
        origin=ini
        """

    static let extraYAML = """
        all:
          vars: {origin: yaml}
          children:
            border:
              hosts:
                mta3:
                mta1: {relay: yaml}
              vars: {tier: yaml}
            edge:
              hosts:
                mta2: {edge: true}
              children:
                mailhub:
        """

    static let merged: [SourcesFixture] = [
        SourcesFixture("two -i, INI then YAML: overlapping groups, later variables win", ["-i", "inv/hosts.ini", "-i", "inv/extra.yml"],
                       files: ["inv/hosts.ini": hostsINI, "inv/extra.yml": extraYAML, "inv/group_vars/border.yml": "gv: border\ntier: group_vars\n"]),
        SourcesFixture("two -i, YAML then INI", ["-i", "inv/extra.yml", "-i", "inv/hosts.ini"],
                       files: ["inv/hosts.ini": hostsINI, "inv/extra.yml": extraYAML]),
        SourcesFixture(
            "two -i in two directories: group_vars/all of each, then the other groups source by source",
            ["-i", "one/hosts", "-i", "two/hosts.yml"],
            files: [
                "one/hosts": "[border]\nmta1\n[border:vars]\nfrom_file=one\n",
                "one/group_vars/all.yml": "a: one\nb: one\n",
                "one/group_vars/border.yml": "b: border-one\nc: border-one\n",
                "one/host_vars/mta1.yml": "h: one\n",
                "two/hosts.yml": "border:\n  hosts:\n    mta1:\n    mta2:\n  vars: {from_file: two}\n",
                "two/group_vars/all.yml": "a: two\nb: two\nc: two\n",
                "two/group_vars/border": "d: border-two\n",
                "two/host_vars/mta1.yml": "h: two\n",
            ]),
    ]

    static let directories: [SourcesFixture] = [
        SourcesFixture(
            "-i DIR: files in order, Ansible's skipped names, group_vars and host_vars inside, a subdirectory",
            ["-i", "inventories/prod/"],
            files: [
                "inventories/prod/10-hosts.ini": hostsINI,
                "inventories/prod/20-extra.yml": extraYAML,
                "inventories/prod/sub/more": "[late]\nmta9\n",
                "inventories/prod/group_vars/all.yml": "site: prod\n",
                "inventories/prod/group_vars/late/main.yml": "late: true\n",
                "inventories/prod/host_vars/mta9.yml": "nine: 9\n",
                "inventories/prod/.hidden": "[hidden]\nnot-me\n",
                "inventories/prod/hosts.bak": "[bak]\nnot-me\n",
                "inventories/prod/hosts.orig": "[orig]\nnot-me\n",
                "inventories/prod/hosts~": "[tilde]\nnot-me\n",
                "inventories/prod/README.md": "# not an inventory\n",
                "inventories/prod/notes.txt": "not an inventory\n",
                "inventories/prod/setup.cfg": "[x]\nnot-me\n",
                "inventories/prod/last.retry": "not-me\n",
                "inventories/prod/vars_plugins/x": "[vp]\nnot-me\n",
            ]),
        SourcesFixture("-i DIR without its final slash, and an INI file after it", ["-i", "inventories/prod", "-i", "more.ini/hosts"],
                       files: ["inventories/prod/hosts": hostsINI, "more.ini/hosts": "[border]\nmta4\n"]),
    ]

    static let listing = #"""
        #!/bin/sh
        case "$1" in
        --list) cat <<'EOF'
        {"border": {"hosts": ["mta1", "mta2"], "vars": {"relay": "script", "n": 1.5}, "children": ["edge"]},
         "edge": ["mta3"],
         "all": {"vars": {"origin": "script"}},
         "_meta": {"hostvars": {"mta1": {"ansible_host": "192.0.2.1", "b": [1, null, true]}, "ghost": {"z": 1}}}}
        EOF
        ;;
        *) exit 2;;
        esac
        """#

    static let withoutMeta = #"""
        #!/bin/sh
        case "$1" in
        --list) echo '{"border": {"hosts": ["mta1", "mta2"], "vars": {"relay": "script"}}, "solo": {"x": 1}}';;
        --host) if [ "$2" = mta1 ]; then echo '{"own": "'"$2"'", "relay": "host"}'; fi;;
        esac
        """#

    static let scripts: [SourcesFixture] = [
        SourcesFixture("an executable script with _meta.hostvars", ["-i", "inv/cmdb.sh"],
                       files: ["inv/cmdb.sh": listing, "inv/group_vars/edge.yml": "edge_var: 1\n"], executables: ["inv/cmdb.sh"]),
        SourcesFixture("a script without _meta: --host for each host", ["-i", "inv/legacy"],
                       files: ["inv/legacy": withoutMeta], executables: ["inv/legacy"]),
        SourcesFixture("an INI file, then a script over it", ["-i", "inv/hosts.ini", "-i", "inv/cmdb.sh"],
                       files: ["inv/hosts.ini": hostsINI, "inv/cmdb.sh": listing], executables: ["inv/cmdb.sh"]),
        SourcesFixture("a script runs in the current directory, not its own", ["-i", "inv/where.sh"],
                       files: ["inv/where.sh": "#!/bin/sh\n" + #"echo "{\"here\": [\"$(basename "$(pwd)")\"]}""#],
                       executables: ["inv/where.sh"]),
        SourcesFixture("a script inside an inventory directory, and an executable INI file without #!", ["-i", "inv"],
                       files: ["inv/a.ini": hostsINI, "inv/b-cmdb": listing, "inv/c-exec.ini": "[exec]\nmta7\n"],
                       executables: ["inv/b-cmdb", "inv/c-exec.ini"]),
    ]

    static let hostLists: [SourcesFixture] = [
        SourcesFixture("host lists: names, ports, IPv6, a host already listed stays in its group",
                       ["-i", "inv/hosts.ini", "-i", "mta1,new1,new2:2222,[2001:db8::1]:2200, 192.0.2.9 ,bad host:22,"],
                       files: ["inv/hosts.ini": hostsINI]),
        SourcesFixture("a one-host list", ["-i", "mta1.example.com,"], files: [:]),
    ]

    static let extraVariables: [SourcesFixture] = [
        SourcesFixture("-e key=value: strings, quotes, escapes, over host_vars",
                       ["-i", "inv/hosts.ini", "-e", #"relay=cli tier="two words" n=010 q='it'"'"'s' e=a\tb x=1 y=2"#],
                       files: ["inv/hosts.ini": hostsINI, "inv/host_vars/mta1.yml": "relay: host_vars\n"]),
        SourcesFixture("-e JSON and YAML text, a later -e over an earlier",
                       ["-i", "inv/hosts.ini", "-e", #"{"relay": "json", "list": [1, 2], "n": 1e3}"#, "-e", "{relay: yaml, flag: yes}"],
                       files: ["inv/hosts.ini": hostsINI]),
        SourcesFixture("-e @file, YAML and JSON", ["-i", "inv/hosts.ini", "-e", "@vars/extra.yml", "-e", "@vars/more.json"],
                       files: ["inv/hosts.ini": hostsINI, "vars/extra.yml": "relay: file\nnested: {a: [1, 2]}\n",
                               "vars/more.json": #"{"tier": "json-file", "n": 1e3}"#]),
    ]

    static let configuration: [SourcesFixture] = [
        SourcesFixture("ansible.cfg's inventory (several, relative to the file, across lines) when there is no -i", [],
                       files: ["conf/ansible.cfg": "[defaults]\ninventory = ../inv/hosts.ini,\n    ../inv/extra.yml   ; the YAML one\nforks = 7\n",
                               "inv/hosts.ini": hostsINI, "inv/extra.yml": extraYAML],
                       environment: ["ANSIBLE_CONFIG": "$DIR/conf/ansible.cfg"]),
        SourcesFixture("ANSIBLE_CONFIG naming a directory", [],
                       files: ["conf/ansible.cfg": "[defaults]\ninventory: ../inv\n", "inv/hosts.ini": hostsINI],
                       environment: ["ANSIBLE_CONFIG": "$DIR/conf"]),
        SourcesFixture("ANSIBLE_INVENTORY over ansible.cfg", [],
                       files: ["conf/ansible.cfg": "[defaults]\ninventory = ../inv/hosts.ini\n", "inv/hosts.ini": hostsINI,
                               "inv/extra.yml": extraYAML],
                       environment: ["ANSIBLE_CONFIG": "$DIR/conf/ansible.cfg", "ANSIBLE_INVENTORY": "inv/extra.yml,inv/hosts.ini"]),
        SourcesFixture("-i over ansible.cfg and ANSIBLE_INVENTORY", ["-i", "inv/extra.yml"],
                       files: ["conf/ansible.cfg": "[defaults]\ninventory = ../inv/hosts.ini\n", "inv/hosts.ini": hostsINI,
                               "inv/extra.yml": extraYAML],
                       environment: ["ANSIBLE_CONFIG": "$DIR/conf/ansible.cfg", "ANSIBLE_INVENTORY": "inv/hosts.ini"]),
        SourcesFixture("[inventory] ignore_extensions and ignore_patterns change what a directory reads", ["-i", "inv"],
                       files: ["conf/ansible.cfg": "[defaults]\ninventory_ignore_extensions = .ini\n[inventory]\nignore_extensions = .yml\nignore_patterns = ^skip\n",
                               "inv/a.ini": hostsINI, "inv/b.yml": extraYAML, "inv/notes.txt": "[notes]\nmta8\n",
                               "inv/skip-me": "[skipped]\nnot-me\n"],
                       environment: ["ANSIBLE_CONFIG": "$DIR/conf/ansible.cfg"]),
    ]
}
