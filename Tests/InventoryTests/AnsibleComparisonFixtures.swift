import Testing

/// An inventory, with its variables directories, to load with both ansible-inventory and postfleet.
struct ComparisonFixture: Sendable, CustomTestStringConvertible {
    let name: String
    /// The inventory file, one of `files`.
    let inventory: String
    /// Relative path → text.
    let files: [String: String]
    /// `--vault-id LABEL@FILE` for both, FILE relative to the fixture's directory.
    var vaultIDs: [String] = []

    var testDescription: String { name }

    init(_ name: String, inventory: String = "hosts", _ files: [String: String], vaultIDs: [String] = []) {
        self.name = name
        self.inventory = inventory
        self.files = files
        self.vaultIDs = vaultIDs
    }

    init(_ name: String, inventory: String = "hosts", text: String) {
        self.init(name, inventory: inventory, [inventory: text])
    }
}

extension ComparisonFixture {
    /// Ansible's own examples, as written in "How to build your inventory"
    /// (docs/docsite/rst/inventory_guide/intro_inventory.rst) and in the documentation of
    /// the ini inventory plugin, then postfleet's own fleets and the corners of the formats.
    static let all: [ComparisonFixture] = documented + plugin + fleets + corners + vaulted

    static let documented: [ComparisonFixture] = [
        ComparisonFixture("docs: basic INI", text: """
            mail.example.com

            [webservers]
            foo.example.com
            bar.example.com

            [dbservers]
            one.example.com
            two.example.com
            three.example.com
            """),
        ComparisonFixture("docs: basic YAML", inventory: "hosts.yml", text: """
            ungrouped:
              hosts:
                mail.example.com:
            webservers:
              hosts:
                foo.example.com:
                bar.example.com:
            dbservers:
              hosts:
                one.example.com:
                two.example.com:
                three.example.com:
            """),
        ComparisonFixture("docs: hosts in multiple groups (YAML)", inventory: "hosts.yml", text: """
            ungrouped:
              hosts:
                mail.example.com:
            webservers:
              hosts:
                foo.example.com:
                bar.example.com:
            dbservers:
              hosts:
                one.example.com:
                two.example.com:
                three.example.com:
            east:
              hosts:
                foo.example.com:
                one.example.com:
                two.example.com:
            west:
              hosts:
                bar.example.com:
                three.example.com:
            prod:
              hosts:
                foo.example.com:
                one.example.com:
                two.example.com:
            test:
              hosts:
                bar.example.com:
                three.example.com:
            """),
        ComparisonFixture("docs: parent and child groups (YAML)", inventory: "hosts.yml", text: """
            ungrouped:
              hosts:
                mail.example.com:
            webservers:
              hosts:
                foo.example.com:
                bar.example.com:
            dbservers:
              hosts:
                one.example.com:
                two.example.com:
                three.example.com:
            east:
              hosts:
                foo.example.com:
                one.example.com:
                two.example.com:
            west:
              hosts:
                bar.example.com:
                three.example.com:
            prod:
              children:
                east:
            test:
              children:
                west:
            """),
        ComparisonFixture("docs: ranges (INI)", text: """
            [webservers]
            www[01:50].example.com

            [stride]
            www[01:50:2].example.com

            [databases]
            db-[a:f].example.com
            """),
        ComparisonFixture("docs: ranges (YAML)", inventory: "hosts.yml", text: """
            all:
              children:
                webservers:
                  hosts:
                    www[01:50].example.com:
                stride:
                  hosts:
                    www[01:50:2].example.com:
            """),
        ComparisonFixture("docs: host variables (INI)", text: """
            [atlanta]
            host1 http_port=80 maxRequestsPerChild=808
            host2 http_port=303 maxRequestsPerChild=909
            """),
        ComparisonFixture("docs: host variables (YAML)", inventory: "hosts.yml", text: """
            atlanta:
              hosts:
                host1:
                  http_port: 80
                  maxRequestsPerChild: 808
                host2:
                  http_port: 303
                  maxRequestsPerChild: 909
            """),
        ComparisonFixture("docs: ports, aliases and connection variables (INI)", text: """
            badwolf.example.com:5309

            jumper ansible_port=5555 ansible_host=192.0.2.50

            some_host         ansible_port=2222     ansible_user=manager
            aws_host          ansible_ssh_private_key_file=/home/example/.ssh/aws.pem
            freebsd_host      ansible_python_interpreter=/usr/local/bin/python
            ruby_module_host  ansible_ruby_interpreter=/usr/bin/ruby.1.9.3

            [targets]

            localhost              ansible_connection=local
            other1.example.com     ansible_connection=ssh        ansible_user=myuser
            other2.example.com     ansible_connection=ssh        ansible_user=myotheruser
            """),
        ComparisonFixture("docs: group variables (INI)", text: """
            [atlanta]
            host1
            host2

            [atlanta:vars]
            ntp_server=ntp.atlanta.example.com
            proxy=proxy.atlanta.example.com
            """),
        ComparisonFixture("docs: group variables (YAML)", inventory: "hosts.yml", text: """
            atlanta:
              hosts:
                host1:
                host2:
              vars:
                ntp_server: ntp.atlanta.example.com
                proxy: proxy.atlanta.example.com
            """),
        ComparisonFixture("docs: groups of groups (YAML)", inventory: "hosts.yml", text: """
            usa:
              children:
                southeast:
                  children:
                    atlanta:
                      hosts:
                        host1:
                        host2:
                    raleigh:
                      hosts:
                        host2:
                        host3:
                  vars:
                    some_server: foo.southeast.example.com
                    halon_system_timeout: 30
                    self_destruct_countdown: 60
                    escape_pods: 2
                northeast:
                northwest:
                southwest:
            """),
        ComparisonFixture("docs: ansible_group_priority", inventory: "hosts.yml", text: """
            all:
              hosts:
                host1:
              children:
                a_group:
                  vars:
                    testvar: a
                    ansible_group_priority: 10
                  hosts:
                    host1:
                b_group:
                  vars:
                    testvar: b
                  hosts:
                    host1:
            """),
        ComparisonFixture("docs: group_vars and host_vars, files and directories", [
            "hosts": """
                [raleigh]
                foosball
                host2

                [webservers]
                foosball
                """,
            "group_vars/raleigh/db_settings": "---\ndatabase_server: storage.example.org\n",
            "group_vars/raleigh/cluster_settings": "---\nntp_server: acme.example.org\ncluster: raleigh\n",
            "group_vars/webservers.yml": "---\nntp_server: web.example.org\nhttp_port: 80\n",
            "host_vars/foosball": "---\nhttp_port: 8080\n",
        ]),
        ComparisonFixture("docs: one inventory per environment, by function and location", text: """
            [dbservers]
            db01.test.example.com
            db02.test.example.com

            [appservers]
            app01.test.example.com
            app02.test.example.com
            app03.test.example.com

            [dc1]
            db01.test.example.com
            app01.test.example.com

            [dc2]
            db02.test.example.com
            """),
    ]

    /// The EXAMPLES of ansible-core's ini inventory plugin (lib/ansible/plugins/inventory/ini.py).
    static let plugin: [ComparisonFixture] = [
        ComparisonFixture("ini plugin: example 1", text: """
            # fmt: ini
            # Example 1
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
            """),
        ComparisonFixture("ini plugin: example 2", text: """
            # Example 2
            host1 # this is 'ungrouped'

            # both hosts have same IP but diff ports, also 'ungrouped'
            host2 ansible_host=127.0.0.1 ansible_port=44
            host3 ansible_host=127.0.0.1 ansible_port=45

            [g1]
            host4

            [g2]
            host4 # same host as above, but member of 2 groups, will inherit vars from both
                  # inventory hostnames are unique
            """),
    ]

    /// Border clusters as postfleet's users write them.
    static let fleets: [ComparisonFixture] = [
        ComparisonFixture("border cluster (INI) with group_vars and host_vars", [
            "hosts": """
                mailhub ansible_host=198.18.0.100

                [border]
                mta[1:8] ansible_user=postfleet

                [border:vars]
                relayhost=[mailhub.example.com]
                mydomain=example.com
                admin=mtaadmin

                [canary]
                mta3
                mta7

                [canary:vars]
                ansible_group_priority=5
                release=next

                [eu:children]
                border

                [clusters:children]
                eu
                canary

                [all:vars]
                ansible_python_interpreter=/usr/bin/python3
                """,
            "group_vars/all.yml": "admin: root\nntp: pool.ntp.org\n",
            "group_vars/border/10-postfix.yml": "instances:\n  - postfix-out\n  - postfix-in\nrelayhost: '[mailhub.example.com]:25'\n",
            "group_vars/border/20-limits.yaml": "limits: {rate: 100, burst: 5}\n",
            "group_vars/canary.json": "{\"release\": \"canary\", \"weight\": 0.25}",
            "group_vars/eu": "region: eu-west\n",
            "host_vars/mta3.yml": "ansible_port: 2203\nrelease: mta3-only\n",
            "host_vars/mailhub/main.yml": "role: hub\n",
        ]),
        ComparisonFixture("border cluster (YAML) with ranges, nesting and priority", inventory: "inventory.yml", [
            "inventory.yml": """
                all:
                  vars:
                    ansible_user: postfleet
                    mailhub: mailhub.example.com
                  hosts:
                    mailhub:
                      ansible_host: 198.18.0.100
                  children:
                    border:
                      vars:
                        relay: mailhub
                        tables: [generic, virtual]
                      children:
                        border_eu:
                          hosts:
                            mta[01:04]:
                              site: eu
                        border_us:
                          hosts:
                            mta[05:08]:2222:
                          vars:
                            relay: us-hub
                    canary:
                      vars:
                        ansible_group_priority: 3
                        relay: canary-hub
                      hosts:
                        mta02:
                        mta06:
                    inbound:
                      hosts:
                        mx[a:c].example.com:
                """,
            "group_vars/border_eu.yml": "relay: eu-hub\n",
            "host_vars/mta06.yml": "relay: mta06-hub\n",
        ]),
    ]

    /// Corners of the formats where a reimplementation could go wrong.
    ///
    /// Left out on purpose: a Python bytes literal (`v="b'xy'"`), which ansible-inventory
    /// prints as `{"__ansible_unsafe": "xy"}` (its text lost the template-trust mark on the way)
    /// and postfleet as the string "xy"; and integers past 64 bits, which postfleet refuses.
    static let corners: [ComparisonFixture] = [
        ComparisonFixture("INI values: Python literals and plain text", text: """
            [values]
            h1 int=8080 neg=-5 hex=0x1F under=1_000 float=1.5 exp=1e3 dot=.5 bool=True word=true none=None
            h2 quoted="'010'" octal=010 list='[1, "two", None]' tuple=(1,2) dict="{'a': 1, 2: [3]}" empty= spaces="two words"
            h3 complex=1j sum=1+2j ellipsis=... raw="r'\\d'" nested="[[1, (2, 3)], {'k': {'j': False}}]"
            h4 hashed=a#b escaped=a\\ b mixed=it"'s"' here' equals=a=b path=/etc/postfix yes=yes

            [values:vars]
            port=25 # a comment after a literal goes
            relay=mailhub # a comment after text stays
            spaced = two words
            typed = 'kept'
            big=1e400
            small=0.00001
            padded=  42
            """),
        ComparisonFixture("INI: children declared before their groups, [all], [ungrouped], comments", text: """
            ; a comment
            # another
            spare

            [clusters:children]
            border
            relay

            [border:children]   # a comment after a section
            border_eu

            [border_eu]
            mta[1:3]

            [eu:children]
            border_eu

            [relay]
            relay1:2525
            relay1:2626

            [all]
            allhost

            [ungrouped]
            listed

            [all:vars]
            relayhost=mailhub
            """),
        ComparisonFixture("YAML: values as Ansible's YAML reads them", inventory: "hosts.yaml", text: """
            all:
              hosts:
                h1:
                  yes_bool: yes
                  on_bool: on
                  octal: 010
                  hex: 0x1F
                  exp: 1e3
                  float: 1.0e+3
                  dot: .5
                  sexagesimal: 1:30
                  nothing: ~
                  text: "010"
                  nested: {a: [1, 2, {b: null}], c: 'd'}
                  multiline: |
                    line one
                    line two
                  folded: >
                    folded
                    text
                  unicode: "caf\\u00e9 ☕"
              children:
                g:
                  hosts:
                    h1:
                    h2:3022:
                  vars:
                    ansible_group_priority: "7"
            """),
        ComparisonFixture("JSON inventory: read as JSON first, as Ansible's DataLoader does", inventory: "inventory.json", text: """
            {
                "all": {
                    "vars": {"ratio": 1e3, "small": 2.5E-3, "name": "caf\\u00e9", "flag": true, "none": null},
                    "children": {
                        "border": {
                            "hosts": {"mta[1:2]": {"ansible_port": 2222}, "mta3": null},
                            "vars": {"list": [1, 2.0, "three"]}
                        }
                    }
                }
            }
            """),
        ComparisonFixture("a host named like its group, its variables going to the group", text: """
            [mailhub]
            mailhub ansible_host=198.18.0.100 relay=self
            backup:2525

            [mailhub:vars]
            ansible_group_priority=2
            """),
        ComparisonFixture("variables from files: precedence over the inventory file", [
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
            "group_vars/border/b.yml": "z: border_b\n",
            "group_vars/border/a": "z: border_a\nansible_group_priority: 7\nw: a\n",
            "group_vars/border/c.txt": "w: c\n",
            "group_vars/ungrouped.yml": "u: 1\n",
            "host_vars/mta1.yml": "level: host_file\n",
            "host_vars/mta1.json": "{\"level\": \"host_file_json\"}",
            "host_vars/mta2.json": "{\"level\": 1e3, \"dup\": 1, \"dup\": 2}",
        ]),
    ]
}
