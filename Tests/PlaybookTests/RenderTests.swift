import Inventory
import Playbook
import Postfix
import Testing

@Suite struct RenderTests {
    func render(_ yaml: String, files: [String: String] = [:], for host: String = "mta3") throws -> [RenderedFile] {
        try withPlaybookFiles(yaml, files: files) { path in
            let playbook = try Playbook.load(path: path)
            let inventory = try inventory()
            return try playbook.render(for: inventory.requireHost(host), inventory: inventory)
        }
    }

    func renderError(_ yaml: String, files: [String: String] = [:], for host: String = "mta3") throws -> (path: String, error: SourceError) {
        try withPlaybookFiles(yaml, files: files) { path in
            let playbook = try Playbook.load(path: path)
            let inventory = try inventory()
            do {
                _ = try playbook.render(for: inventory.requireHost(host), inventory: inventory)
            } catch let error as SourceError {
                return (path, error)
            }
            Issue.record("rendered without error")
            throw CancellationError()
        }
    }

    @Test func parametersBecomePostconfEditsWithPostmultisLast() throws {
        let files = try render("""
            - hosts: border
              instances:
                - name: default
                - name: postfix-in
                  group: mta
                  main_cf:
                    parameters:
                      myhostname: "{{inventory_hostname}}.{{domain}}"
                      mydestination:
                      relay_domains: ["{{domain}}", ".{{domain}}"]
                      smtp_destination_recipient_limit: 1000
                      smtp_send_xforward_command: yes
                      smtpd_banner: $myhostname ESMTP it's us
                    remove: [content_filter]
            """)
        #expect(files.map(\.path) == ["/etc/postfix-in/main.cf.postconf"])
        let file = files[0]
        #expect(file.kind == .mainCFEdits)
        #expect(file.instance == PostfixInstance(name: "postfix-in", group: "mta"))
        #expect(file.mode == 0o644)
        #expect(file.edits == [
            .set(parameter: "myhostname", value: "mta3.example.com"),
            .set(parameter: "mydestination", value: ""),
            .set(parameter: "relay_domains", value: "example.com, .example.com"),
            .set(parameter: "smtp_destination_recipient_limit", value: "1000"),
            .set(parameter: "smtp_send_xforward_command", value: "yes"),
            .set(parameter: "smtpd_banner", value: "$myhostname ESMTP it's us"),
            .remove(parameter: "content_filter"),
            .set(parameter: "multi_instance_name", value: "postfix-in"),
            .set(parameter: "multi_instance_group", value: "mta"),
            .set(parameter: "multi_instance_enable", value: "yes"),
            .set(parameter: "queue_directory", value: "/var/spool/postfix-in"),
            .set(parameter: "data_directory", value: "/var/lib/postfix-in"),
        ])
        #expect(file.text.hasSuffix("""
            postconf -c /etc/postfix-in -e 'myhostname = mta3.example.com'
            postconf -c /etc/postfix-in -e 'mydestination = '
            postconf -c /etc/postfix-in -e 'relay_domains = example.com, .example.com'
            postconf -c /etc/postfix-in -e 'smtp_destination_recipient_limit = 1000'
            postconf -c /etc/postfix-in -e 'smtp_send_xforward_command = yes'
            postconf -c /etc/postfix-in -e 'smtpd_banner = $myhostname ESMTP it'\\''s us'
            postconf -c /etc/postfix-in -X content_filter
            # Owned by postmulti(1); kept by postfleet
            postconf -c /etc/postfix-in -e 'multi_instance_name = postfix-in'
            postconf -c /etc/postfix-in -e 'multi_instance_group = mta'
            postconf -c /etc/postfix-in -e 'multi_instance_enable = yes'
            postconf -c /etc/postfix-in -e 'queue_directory = /var/spool/postfix-in'
            postconf -c /etc/postfix-in -e 'data_directory = /var/lib/postfix-in'

            """))
        #expect(file.text.hasPrefix("# The postconf edits postfleet makes to /etc/postfix-in/main.cf (instance postfix-in) on mta3,\n"))
    }

    @Test func theDefaultInstancesEditsListTheOthers() throws {
        let files = try render("""
            - hosts: border
              instances:
                - name: default
                  main_cf: {parameters: {relayhost: "[{{mailhub}}]"}}
                - name: postfix-out
                - name: postfix-gone
                  state: absent
                - name: postfix-in
                  enabled: false
            """)
        #expect(files.map(\.path) == ["/etc/postfix/main.cf.postconf"])
        #expect(files[0].edits == [
            .set(parameter: "relayhost", value: "[mailhub.example.com]"),
            .set(parameter: "multi_instance_wrapper", value: "${command_directory}/postmulti -p --"),
            .set(parameter: "multi_instance_enable", value: "yes"),
            .set(parameter: "multi_instance_directories", value: "/etc/postfix-out /etc/postfix-in"),
        ])
    }

    @Test func aWholeMainCFEndsWithPostmultisParameters() throws {
        let files = try render("""
            - hosts: border
              instances:
                - name: default
                  main_cf: {template: main.cf}
                - name: postfix-out
                  group: mta
                  enabled: false
                  main_cf: {file: out.cf}
            """, files: ["main.cf": "myhostname = {{inventory_hostname}}", "out.cf": "myhostname = {{not rendered}}\n\n"])
        #expect(files.text(at: "/etc/postfix/main.cf") == """
            myhostname = mta3

            # Owned by postmulti(1); kept by postfleet
            multi_instance_wrapper = ${command_directory}/postmulti -p --
            multi_instance_enable = yes
            multi_instance_directories = /etc/postfix-out

            """)
        #expect(files.text(at: "/etc/postfix-out/main.cf") == """
            myhostname = {{not rendered}}

            # Owned by postmulti(1); kept by postfleet
            multi_instance_name = postfix-out
            multi_instance_group = mta
            multi_instance_enable = no
            queue_directory = /var/spool/postfix-out
            data_directory = /var/lib/postfix-out

            """)
        #expect(files.map(\.kind) == [.mainCF, .mainCF])
    }

    @Test func aSingleInstanceHostGetsNoPostmultiParameters() throws {
        let files = try render("""
            - hosts: border
              instances:
                - name: default
                  main_cf: {template: main.cf}
            """, files: ["main.cf": "myhostname = {{inventory_hostname}}\n"])
        #expect(files.text(at: "/etc/postfix/main.cf") == "myhostname = mta3\n")
    }

    @Test func masterCFFormsAndTables() throws {
        let files = try render("""
            - hosts: border
              vars: {filter_port: 10026}
              instances:
                - name: default
                  master_cf: {file: master.cf}
                  tables:
                    - {name: generic, type: cdb, template: generic}
                    - {name: access, type: cidr, file: access}
                    - name: transport
                      type: hash
                      entries:
                        "{{domain}}": "relay:[{{mailhub}}]"
                        .example.com: relay
                        10.0.0.1: 42
                - name: postfix-out
                  master_cf:
                    services:
                      smtp/inet: absent
                      127.0.0.1:10026/inet: "127.0.0.1:{{filter_port}} inet n - n - - smtpd -o smtpd_banner=<{{inventory_hostname}}>"
            """, files: [
                "master.cf": "smtp inet n - n - - smtpd\n",
                "generic": "root {{admin}}+root={{inventory_hostname}}",
                "access": "10.0.0.0/8 REJECT {{not rendered}}\n",
            ])
        #expect(files.map(\.path) == [
            "/etc/postfix/master.cf", "/etc/postfix/generic", "/etc/postfix/access", "/etc/postfix/transport",
            "/etc/postfix-out/master.cf.postconf",
        ])
        #expect(files.map(\.kind) == [
            .masterCF, .table(name: "generic", type: .cdb), .table(name: "access", type: .cidr),
            .table(name: "transport", type: .hash), .masterCFEdits,
        ])
        #expect(files.text(at: "/etc/postfix/master.cf") == "smtp inet n - n - - smtpd\n")
        #expect(files.text(at: "/etc/postfix/generic") == "root mtaadmin+root=mta3\n")
        #expect(files.text(at: "/etc/postfix/access") == "10.0.0.0/8 REJECT {{not rendered}}\n")
        #expect(files.text(at: "/etc/postfix/transport") == "example.com\trelay:[mailhub.example.com]\n.example.com\trelay\n10.0.0.1\t42\n")
        let key = MasterServiceKey(name: "127.0.0.1:10026", type: "inet")
        #expect(files[4].edits == [
            .removeService(MasterServiceKey(name: "smtp", type: "inet")),
            .setService(key, line: "127.0.0.1:10026 inet n - n - - smtpd -o smtpd_banner=<mta3>"),
        ])
        #expect(files[4].text.hasSuffix("""
            postconf -c /etc/postfix-out -MX smtp/inet
            postconf -c /etc/postfix-out -M '127.0.0.1:10026/inet = 127.0.0.1:10026 inet n - n - - smtpd -o smtpd_banner=<mta3>'

            """))
    }

    /// A table a `*_password_maps` parameter names holds secrets: 0600, and marked so; so does
    /// one that says `secret: true`; `secret: false` says otherwise.
    @Test func passwordTablesAreSecret() throws {
        let files = try render("""
            - hosts: border
              instances:
                - name: default
                  tables:
                    - {name: relay_passwd, type: texthash, entries: {a: b}, secret: true}
                    - {name: generic, type: cdb, entries: {root: admin}}
                - name: postfix-out
                  main_cf:
                    parameters:
                      smtp_sasl_password_maps: "hash:$config_directory/sasl_passwd, proxy:cdb:${config_directory}/more_passwd"
                  tables:
                    - {name: sasl_passwd, type: hash, entries: {"[relay]:587": "{{inventory_hostname}}:pass"}}
                    - {name: more_passwd, type: cdb, entries: {x: y}}
                    - {name: not_a_secret, type: cdb, entries: {x: y}, secret: false}
                - name: postfix-in
                  main_cf: {template: main.cf}
                  tables:
                    - {name: sasl_passwd, type: hash, entries: {"[relay]:587": "in:pass"}}
            """, files: ["main.cf": "lmtp_sasl_password_maps = hash:/etc/postfix-in/sasl_passwd\n"])
        let secret = Dictionary(uniqueKeysWithValues: files.map { ($0.path, ($0.secret, $0.mode)) })
        #expect(secret["/etc/postfix/relay_passwd"]! == (true, 0o600))
        #expect(secret["/etc/postfix/generic"]! == (false, 0o644))
        #expect(secret["/etc/postfix-out/sasl_passwd"]! == (true, 0o600))
        #expect(secret["/etc/postfix-out/more_passwd"]! == (true, 0o600))
        #expect(secret["/etc/postfix-out/not_a_secret"]! == (false, 0o644))
        #expect(secret["/etc/postfix-in/sasl_passwd"]! == (true, 0o600))
        #expect(secret["/etc/postfix-out/main.cf.postconf"]! == (false, 0o644))
    }

    @Test func aRenderedServiceLineMustMatchItsKey() throws {
        let (path, error) = try renderError("""
            - hosts: border
              vars: {filter_port: 10025}
              instances:
                - name: postfix-out
                  master_cf:
                    services:
                      127.0.0.1:10026/inet: "127.0.0.1:{{filter_port}} inet n - n - - smtpd"
            """)
        #expect(firstLine(error) == "\(path):7:33: error: for host mta3, the line for '127.0.0.1:10026/inet' must start with '127.0.0.1:10026 inet', not '127.0.0.1:10025 inet'")
    }

    @Test func undefinedVariablesInPlaybookValuesPointIntoTheValue() throws {
        // Plain, quoted, and in a list: the column of the tag itself.
        let (path, plain) = try renderError("""
            - hosts: border
              instances:
                - name: default
                  main_cf:
                    parameters:
                      myhostname: x{{inventory_hostname}}.{{domian}}
            """)
        #expect(firstLine(plain) == "\(path):6:47: error: undefined variable 'domian' for host mta3; did you mean 'domain'?")
        let (path2, quoted) = try renderError("""
            - hosts: border
              instances:
                - name: default
                  main_cf:
                    parameters:
                      relay_domains: ["{{domain}}", '.{{domian}}']
            """)
        #expect(firstLine(quoted) == "\(path2):6:43: error: undefined variable 'domian' for host mta3; did you mean 'domain'?")
        // A folded block scalar is not on one line as written: the error points at the value.
        let (path3, folded) = try renderError("""
            - hosts: border
              instances:
                - name: default
                  tables:
                    - name: t
                      type: hash
                      entries:
                        root: >-
                          {{admin}}+{{nope}}
            """)
        #expect(firstLine(folded) == "\(path3):8:19: error: undefined variable 'nope' for host mta3; define it in the inventory or in the play's 'vars:'")
    }

    @Test func absentInstancesAndUntargetedHostsGetNothing() throws {
        let yaml = """
            - hosts: border:!mta2
              instances:
                - name: postfix-gone
                  state: absent
                  main_cf: {parameters: {a: b}}
                - name: postfix-out
                  main_cf: {parameters: {a: b}}
            """
        #expect(try render(yaml).map(\.path) == ["/etc/postfix-out/main.cf.postconf"])
        #expect(try render(yaml, for: "mta2").isEmpty)
        #expect(try render(yaml, for: "mailhub").isEmpty)
    }

    @Test func aPatternThatMatchesNothingIsAnErrorAtHosts() throws {
        let (path, error) = try renderError("""
            - hosts: bordr
              tasks: [{command: "true"}]
            """)
        #expect(firstLine(error) == "\(path):1:10: error: no hosts match \"bordr\"; did you mean \"border\"?")
        let (path2, subscripted) = try renderError("- hosts: border[5]\n")
        #expect(firstLine(subscripted) == "\(path2):1:10: error: no hosts match \"border[5]\": \"border\" has 3 hosts, numbered 0 to 2")
    }

    @Test func aLaterPlayWinsForTheSamePath() throws {
        let files = try render("""
            - hosts: border
              instances:
                - name: default
                  tables: [{name: generic, type: cdb, entries: {root: first}}]
            - hosts: mta3
              instances:
                - name: default
                  tables: [{name: generic, type: cdb, entries: {root: second}}]
            """)
        #expect(files.count == 1)
        #expect(files.text(at: "/etc/postfix/generic") == "root\tsecond\n")
    }

    @Test func theVariablesAPlaySeesForAHost() throws {
        let playbook = try Playbook.parse(yaml: "- hosts: all\n  vars: {domain: example.org, extra: [1]}\n")
        let inventory = try inventory()
        let variables = try playbook.plays[0].variables(for: inventory.requireHost("mta3"), inventory: inventory)
        #expect(playbook.plays[0].vars["extra"] == [1])
        #expect(variables["domain"] == "example.org")
        #expect(variables["admin"] == "mtaadmin")
        #expect(variables["extra"] == [1])
        #expect(variables["inventory_hostname"] == "mta3")
        #expect(variables["inventory_hostname_short"] == "mta3")
        #expect(variables["ansible_host"] == "198.18.0.3")
        #expect(variables["group_names"] == ["border"])
        #expect(variables["groups"]?["border"] == ["mta1", "mta2", "mta3"])
        #expect(variables["groups"]?["all"] == ["mta1", "mta2", "mta3", "mailhub"])
        #expect(variables["groups"]?["ungrouped"] == [])
        #expect(variables["instance"] == nil)
        #expect(Play.instanceVariable(PostfixInstance(name: "postfix-out", group: "mta"))["queue_directory"] == "/var/spool/postfix-out")
    }
}
