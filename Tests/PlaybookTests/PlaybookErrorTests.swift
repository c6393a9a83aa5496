import Inventory
import Playbook
import Testing

/// Every bad input is `FILE:LINE:COL: error: MESSAGE` at the offending YAML node (or template
/// line), found when the playbook loads, before any host is contacted.
@Suite struct PlaybookErrorTests {
    /// Loads `yaml` and checks the error's first line: `PLAYBOOK:` + `expected`.
    func expectError(
        _ yaml: String, files: [String: String] = [:], _ expected: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let (path, error) = try loadError(yaml, files: files, sourceLocation: sourceLocation)
        #expect(firstLine(error) == "\(path):\(expected)", sourceLocation: sourceLocation)
    }

    // MARK: YAML and structure

    @Test func malformedYAML() throws {
        try expectError("""
            - hosts: border
              instances:
                - name: default
               main_cf: x
            """, "4:4: error: invalid YAML: did not find expected key (while parsing a block mapping at line 1, column 3)")
        try expectError("- hosts: [border\n", "2:1: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 10)")
        try expectError("- hosts: border\n\tinstances: []\n", "2:1: error: invalid YAML: a tab cannot indent YAML; use spaces")
    }

    @Test func theErrorQuotesTheLineWithACaret() throws {
        let (path, error) = try loadError("- hosts: border\n  instance: []\n")
        #expect(error.description == """
            \(path):2:3: error: unknown key 'instance' in play 1; did you mean 'instances'?
              instance: []
              ^
            """)
        #expect(error.file == path && error.line == 2 && error.column == 3)
    }

    @Test func emptyOrNotAList() throws {
        try expectError("", "1:1: error: the playbook is empty: it is a list of plays, each starting with '- hosts: PATTERN'")
        try expectError("hosts: border\n", "1:1: error: a playbook is a list of plays (each starting with '- hosts: PATTERN'), not a mapping")
        try expectError("[]\n", "1:1: error: the playbook has no play: it is a list of plays, each starting with '- hosts: PATTERN'")
        try expectError("- border\n", "1:3: error: play 1 must be a mapping with 'hosts:' and 'instances:' or 'tasks:', not the string 'border'")
        try expectError("- name: x\n  tasks: []\n", "1:3: error: play 'x' has no 'hosts:'; say which hosts it is for, as in 'hosts: border'")
    }

    // MARK: Unknown keys, with suggestions

    @Test func unknownKeysSuggestTheNearestOne() throws {
        try expectError("- hosts: all\n  instance: []\n", "2:3: error: unknown key 'instance' in play 1; did you mean 'instances'?")
        try expectError("- name: Border\n  host: all\n", "2:3: error: unknown key 'host' in play 'Border'; did you mean 'hosts'?")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  main_fc: {template: x}
            """, "4:7: error: unknown key 'main_fc' in instance 'default'; did you mean 'main_cf'?")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  main_cf: {templates: x}
            """, "4:17: error: unknown key 'templates' in main_cf of instance 'default'; did you mean 'template'?")
        try expectError("""
            - hosts: all
              instances:
                - name: postfix-out
                  master_cf: {service: {}}
            """, "4:19: error: unknown key 'service' in master_cf of instance 'postfix-out'; did you mean 'services'?")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  tables: [{name: generic, typ: cdb}]
            """, "4:32: error: unknown key 'typ' in table 'generic' of instance 'default'; did you mean 'type'?")
        try expectError("- hosts: all\n  tasks: [{postmult: {}}]\n", "2:12: error: unknown key 'postmult' in task 1 of play 1; did you mean 'postmulti'?")
        try expectError("- hosts: all\n  tasks: [{shell: ls}]\n", "2:12: error: unknown key 'shell' in task 1 of play 1; a task has 'name' and one of 'postmulti' or 'command'")
        try expectError("- hosts: all\n  tasks: [{postmulti: {acton: stop}}]\n", "2:24: error: unknown key 'acton' in postmulti of task 1 of play 1; did you mean 'action'?")
        try expectError("- hosts: all\n  policy: {serail: 1}\n", "2:12: error: unknown key 'serail' in policy of play 1; did you mean 'serial'?")
        try expectError("- hosts: all\n  policy: {health: {runing: true}}\n", "2:21: error: unknown key 'runing' in health of policy of play 1; did you mean 'running'?")
        try expectError("- hosts: all\n  policy: {retries: {attempt: 2}}\n", "2:22: error: unknown key 'attempt' in retries of policy of play 1; did you mean 'attempts'?")
        try expectError("- hosts: all\n  become_usr: postfix\n", "2:3: error: unknown key 'become_usr' in play 1; did you mean 'become_user'?")
        try expectError("- hosts: all\n  gather_facts: no\n", "2:3: error: unknown key 'gather_facts' in play 1; the keys are 'name', 'hosts', 'become', 'become_user', 'vars', 'policy', 'instances', 'tasks'")
    }

    // MARK: Wrong types

    @Test func wrongTypes() throws {
        try expectError("""
            - hosts: all
              instances:
                - name: postfix-out
                  enabled: maybe
            """, "4:16: error: 'enabled' of instance 'postfix-out' must be true or false, not the string 'maybe'")
        try expectError("""
            - hosts: all
              instances:
                name: default
            """, "3:5: error: 'instances' of play 1 must be a list (each item starting with '- name: ...'), not a mapping; its order is the start order")
        try expectError("- hosts: all\n  instances: [default]\n", "2:15: error: instance 1 of play 1 must be a mapping starting with 'name:', not the string 'default'")
        try expectError("- hosts: all\n  instances: [{group: mta}]\n", "2:15: error: instance 1 of play 1 has no 'name:' ('default', or 'postfix-...')")
        try expectError("- hosts: all\n  vars: [a, b]\n", "2:9: error: 'vars' of play 1 must be a mapping, not a list")
        try expectError("- hosts: all\n  tasks: {command: ls}\n", "2:10: error: 'tasks' of play 1 must be a list, not a mapping")
        try expectError("- hosts: [all, [x]]\n", "1:16: error: each host pattern of 'hosts' must be a string, not a list")
        try expectError("- hosts: all\n  name: [x]\n", "2:9: error: the name of play 1 must be a string, not a list")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  main_cf: [a]
            """, "4:16: error: main_cf of instance 'default' must be a mapping with 'template:', 'file:' or 'parameters:', or a template path; not a list")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  main_cf: {parameters: {relay_domains: {a: b}}}
            """, "4:45: error: the value of 'relay_domains' must be text, a number, yes/no, or a list of them; not a mapping")
        try expectError("""
            - hosts: all
              instances:
                - name: postfix-out
                  state: gone
            """, "4:14: error: 'state' of instance 'postfix-out' must be 'present' or 'absent', not 'gone'")
        try expectError("""
            - hosts: all
              instances:
                - name: postfix-out
                  state: presnt
            """, "4:14: error: 'state' of instance 'postfix-out' must be 'present' or 'absent', not 'presnt'; did you mean 'present'?")
        try expectError("- hosts: all\n  tasks: [{postmulti: {action: stop, all: 1}}]\n", "2:43: error: 'all' must be true or false, not the integer 1")
    }

    @Test func policyValues() throws {
        try expectError("- hosts: all\n  policy: {serial: 0}\n", "2:20: error: a batch size must be a whole number from 1 to 1,000,000 (got 0)")
        try expectError("- hosts: all\n  policy: {serial: 120%}\n", "2:20: error: a batch percentage must be from 1% to 100% (got 120%)")
        try expectError("- hosts: all\n  policy: {serial: many}\n", "2:20: error: a batch size is a number of hosts (2) or a percentage (\"25%\"), not the string 'many'")
        try expectError("- hosts: all\n  policy: {serial: []}\n", "2:20: error: 'serial' is an empty list; give batch sizes, as [1, 25%]")
        try expectError("- hosts: all\n  policy: {max_fail_percentage: 101}\n", "2:33: error: 'max_fail_percentage' must be from 0 to 100 (got 101)")
        try expectError("- hosts: all\n  policy: {max_fail_percentage: lots}\n", "2:33: error: 'max_fail_percentage' must be a number, not the string 'lots'")
        try expectError("- hosts: all\n  policy: {pause: soon}\n", "2:19: error: 'pause' must be a duration such as 5s, 2m, 1h or 500ms, or a number of seconds; not 'soon'")
        try expectError("- hosts: all\n  policy: {any_errors_fatal: sure}\n", "2:30: error: 'any_errors_fatal' must be true or false, not the string 'sure'")
        try expectError("- hosts: all\n  policy: {health: strict}\n", "2:20: error: 'health' is 'default', 'none', or a mapping of checks; not 'strict'")
        try expectError("- hosts: all\n  policy: {health: {passes: 0}}\n", "2:29: error: 'passes' must be a whole number from 1 to 100 (got 0)")
        try expectError("- hosts: all\n  policy: {health: {groups: {mta: {passes: 2}}}}\n", "2:36: error: unknown key 'passes' in group mta of health of policy of play 1; the keys are 'running', 'banner_timeout', 'max_deferred', 'tls'")
        try expectError("- hosts: all\n  policy: {health: {tls: maybe}}\n", "2:26: error: 'tls' must be true or false, not the string 'maybe'")
        try expectError("- hosts: all\n  policy:\n    health:\n      groups:\n        mta: {tls: 1}\n", "5:20: error: 'tls' must be true or false, not the integer 1")
        try expectError("- hosts: all\n  policy: {health: {groups: [mta]}}\n", "2:29: error: 'groups' of health of policy of play 1 (instance group: its checks) must be a mapping, not a list")
        try expectError("- hosts: all\n  policy: {retries: {delay: 1s}}\n", "2:21: error: 'retries' needs 'attempts:' (how many tries in all)")
        try expectError("- hosts: all\n  policy: {drain: soon}\n", "2:19: error: 'drain' (true, false or a deadline such as 90s) must be a duration such as 5s, 2m, 1h or 500ms, or a number of seconds; not 'soon'")
        try expectError("- hosts: all\n  policy: {drain: 2h}\n", "2:19: error: 'drain' deadline must be between 1s and 60m")
        try expectError("- hosts: all\n  policy: [serial]\n", "2:11: error: 'policy' of play 1 must be a mapping, not a list")
    }

    // MARK: Instances

    @Test func duplicateInstanceNamesPointAtTheSecond() throws {
        try expectError("""
            - hosts: all
              instances:
                - name: postfix-out
                - name: postfix-in
                - name: postfix-out
            """, "5:13: error: instance 'postfix-out' is listed twice in play 1 (first at line 3)")
    }

    @Test func secondaryInstanceNamesStartWithPostfix() throws {
        try expectError("""
            - hosts: all
              instances:
                - name: out
            """, "3:13: error: bad instance name 'out': a secondary instance name must start with 'postfix-' (postmulti(1) requires it), as in 'postfix-out'; the default instance is called 'default'")
        try expectError("""
            - hosts: all
              instances:
                - name: postfix-a/b
            """, "3:13: error: bad instance name 'postfix-a/b': an instance name may only hold letters, digits, '.', '_' and '-' (it names directories)")
    }

    @Test func theDefaultInstanceHasRules() throws {
        try expectError("""
            - hosts: all
              instances:
                - name: postfix-out
                - name: default
            """, "4:13: error: list the default instance first: postmulti always starts it before the others")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  group: mta
            """, "4:7: error: the default instance belongs to no group; 'group' is for secondary instances")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  enabled: false
            """, "4:16: error: the default instance cannot be disabled: it is the one that starts the others")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  state: absent
            """, "4:14: error: the default instance cannot be absent: postmulti never destroys it")
    }

    // MARK: Files and templates

    @Test func aMissingTemplatePointsAtItsPath() throws {
        let (path, error) = try loadError("""
            - hosts: all
              instances:
                - name: default
                  main_cf: {template: templates/nope.cf}
            """)
        let directory = String(path.dropLast("/playbook.yml".count))
        #expect(firstLine(error) == "\(path):4:27: error: template 'templates/nope.cf' does not exist (looked for \(directory)/templates/nope.cf); paths are relative to the playbook's directory")
    }

    @Test func aMissingFileOrTableTemplatePointsAtItsPath() throws {
        let (path, error) = try loadError("""
            - hosts: all
              instances:
                - name: default
                  tables:
                    - {name: generic, type: cdb, template: generic.tmpl}
            """)
        #expect(firstLine(error).hasPrefix("\(path):5:48: error: template 'generic.tmpl' does not exist (looked for "))
        let (path2, error2) = try loadError("""
            - hosts: all
              instances:
                - name: postfix-out
                  master_cf:
                    file: files/
            """, files: ["files/x": ""])
        #expect(firstLine(error2).hasPrefix("\(path2):5:15: error: file 'files/' is a directory, not a file (looked for "))
    }

    @Test func badTemplateSyntaxIsFoundWhenLoading() throws {
        let (_, error) = try loadError("""
            - hosts: all
              instances:
                - name: default
                  main_cf: templates/main.cf
            """, files: ["templates/main.cf": "a = 1\n{{#group_names}}\nb = {{.}}\n"])
        #expect(error.file.hasSuffix("/templates/main.cf"))
        #expect(firstLine(error).hasSuffix(":2:1: error: the section '{{#group_names}}' is never closed: add '{{/group_names}}'"))
    }

    // MARK: Tables

    @Test func tableTypesAndNames() throws {
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  tables: [{name: generic, type: hashh, entries: {}}]
            """, "4:38: error: unknown table type 'hashh'; did you mean 'hash'? (indexed, rebuilt with postmap: cdb, hash, lmdb, btree; read at reload: texthash, regexp, pcre, cidr)")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  tables: [{name: generic, type: dbm, entries: {}}]
            """, "4:38: error: unknown table type 'dbm' (indexed, rebuilt with postmap: cdb, hash, lmdb, btree; read at reload: texthash, regexp, pcre, cidr)")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  tables: [{name: generic, entries: {}}]
            """, "4:16: error: table 'generic' of instance 'default' has no 'type:' (cdb, hash, lmdb, btree, texthash, regexp, pcre or cidr)")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  tables: [{name: maps/generic, type: cdb, entries: {}}]
            """, "4:23: error: a table name is a file name in the instance's directory, without '/' or a leading '.', not 'maps/generic'")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  tables: [{name: main.cf, type: cdb, entries: {}}]
            """, "4:23: error: 'main.cf' is a Postfix configuration file, not a table; use main_cf or master_cf")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  tables:
                    - {name: generic, type: cdb, entries: {}}
                    - {name: generic, type: cdb, entries: {}}
            """, "6:18: error: table 'generic' of instance 'default' is listed twice (first at line 5)")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  tables: [{name: sasl_passwd, type: hash, entries: {}, secret: maybe}]
            """, "4:69: error: 'secret' of table 'sasl_passwd' of instance 'default' must be true or false, not the string 'maybe'")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  tables: [{name: generic, type: cdb}]
            """, "4:16: error: table 'generic' of instance 'default' needs one of 'template:', 'file:', 'entries:'")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  tables: [{name: generic, type: cdb, entries: {"a b": c}}]
            """, "4:53: error: a table key cannot hold whitespace: 'a b'")
    }

    // MARK: One form at a time

    @Test func mainCFGivesOneForm() throws {
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  main_cf: {template: t, parameters: {a: b}}
            """, files: ["t": ""], "4:30: error: main_cf of instance 'default' takes one form: 'template', or 'file', or 'parameters/remove'; this one gives both 'template' and 'parameters'")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  main_cf:
                    file: t
                    template: t
            """, files: ["t": ""], "6:9: error: main_cf of instance 'default' takes one form: 'template', or 'file', or 'parameters/remove'; this one gives both 'file' and 'template'")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  main_cf: {}
            """, "4:16: error: main_cf of instance 'default' needs one of 'template:', 'file:', 'parameters:'")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  main_cf: {parameters: {relayhost: x}, remove: [relayhost]}
            """, "4:54: error: 'relayhost' is both set (line 4) and removed; keep one")
        try expectError("""
            - hosts: all
              instances:
                - name: default
                  main_cf: {parameters: {relay-host: x}}
            """, "4:30: error: 'relay-host' is not a main.cf parameter name (letters, digits and '_')")
    }

    // MARK: master.cf services

    @Test func serviceKeysAndLines() throws {
        try expectError("""
            - hosts: all
              instances:
                - name: postfix-out
                  master_cf: {services: {smtp: absent}}
            """, "4:30: error: 'smtp' is not a master.cf service key: write 'name/type', as in 'smtp/inet', with type inet, unix, unix-dgram, fifo, pass")
        try expectError("""
            - hosts: all
              instances:
                - name: postfix-out
                  master_cf: {services: {smtp/tcp: absent}}
            """, "4:30: error: 'smtp/tcp' is not a master.cf service key: write 'name/type', as in 'smtp/inet', with type inet, unix, unix-dgram, fifo, pass")
        try expectError("""
            - hosts: all
              instances:
                - name: postfix-out
                  master_cf:
                    services:
                      127.0.0.1:10026/inet: 127.0.0.1:10025 inet n - n - - smtpd
            """, "6:33: error: the line for '127.0.0.1:10026/inet' must start with '127.0.0.1:10026 inet', not '127.0.0.1:10025 inet'")
        try expectError("""
            - hosts: all
              instances:
                - name: postfix-out
                  master_cf:
                    services:
                      relay/unix: relay inet - - n - - smtp
            """, "6:23: error: the line for 'relay/unix' must start with 'relay unix', not 'relay inet'")
        try expectError("""
            - hosts: all
              instances:
                - name: postfix-out
                  master_cf:
                    services:
                      relay/unix: relay unix - - n smtp
            """, "6:23: error: a master.cf line has 8 fields (service type private unpriv chroot wakeup maxproc command), this one has 6")
        try expectError("""
            - hosts: all
              instances:
                - name: postfix-out
                  master_cf:
                    services:
                      relay/unix: |
                        relay unix - - n - - smtp
                          -o a=b
            """, "6:23: error: a master.cf line for 'relay/unix' is one line (postconf -M takes no continuation lines): write its -o options on it")
    }

    // MARK: postmulti tasks

    @Test func postmultiActionsAndTargetsMustMakeSense() throws {
        func task(_ flow: String) -> String { "- hosts: all\n  tasks:\n    - postmulti: \(flow)\n" }
        try expectError(task("{action: stop}"), "3:18: error: say which instances 'stop' is for: 'instance: NAME', 'group: NAME' or 'all: true'")
        try expectError(task("{action: stop, group: mta, instance: postfix-in}"), "3:45: error: 'stop' takes one of 'instance', 'group' or 'all', not both 'group' and 'instance'")
        try expectError(task("{action: restart, group: mta}"), "3:27: error: unknown postmulti action 'restart'; postmulti has no restart: use a 'stop' task then a 'start' task (or 'reload')")
        try expectError(task("{action: strat, group: mta}"), "3:27: error: unknown postmulti action 'strat'; did you mean 'start'?")
        try expectError(task("{action: init, group: mta}"), "3:33: error: 'init' takes no 'group': it sets up the default instance to manage the others")
        try expectError(task("{action: create, group: mta}"), "3:18: error: 'create' needs 'instance:', the name of the new instance (postfix-...)")
        try expectError(task("{action: create, instance: default}"), "3:45: error: 'create' makes a secondary instance; name it 'postfix-...'")
        try expectError(task("{action: create, instance: postfix-x, all: true}"), "3:56: error: 'all' makes no sense with 'create': it selects instances, and 'create' works on one named instance")
        try expectError(task("{action: destroy, group: mta}"), "3:36: error: 'destroy' works on one instance: name it with 'instance:', not 'group:'")
        try expectError(task("{action: destroy, instance: default}"), "3:46: error: the default instance cannot be destroyed")
        try expectError(task("{action: enable, instance: out}"), "3:45: error: bad instance name 'out': a secondary instance name must start with 'postfix-' (postmulti(1) requires it), as in 'postfix-out'; the default instance is called 'default'")
        try expectError(task("{action: assign, instance: postfix-in}"), "3:18: error: 'assign' needs 'group:' (the new group) or 'rename:' (the new name)")
        try expectError(task("{action: stop, group: mta, rename: postfix-x}"), "3:45: error: 'rename' makes no sense with 'stop': 'rename' is for 'assign'")
        try expectError(task("{action: create, instance: postfix-x, config_directory: /x}"), "3:56: error: 'config_directory' makes no sense with 'create': 'config_directory' is for 'import'")
        try expectError(task("{action: stop, exec: ls, group: mta}"), "3:33: error: give either 'action:' or 'exec:', not both")
        try expectError(task("{exec: postqueue -f}"), "3:18: error: say which instances 'exec' is for: 'instance: NAME', 'group: NAME' or 'all: true'")
        try expectError(task("{group: mta}"), "3:18: error: a postmulti task needs 'action:' (start, stop, reload, flush, status, check, set-permissions, upgrade-configuration, init, create, import, deport, assign, enable, disable, destroy) or 'exec:' (a command)")
        try expectError(task("{action: stop, all: false}"), "3:38: error: 'all: false' selects nothing; leave it out, or name an instance or a group")
        try expectError("- hosts: all\n  tasks:\n    - {command: ls, postmulti: {action: init}}\n", "3:21: error: task 1 of play 1 takes one form: 'postmulti', or 'command'; this one gives both 'command' and 'postmulti'")
    }

    @Test func taskRetriesMustSayWhatTheyWaitFor() throws {
        func task(_ extra: String) -> String { "- hosts: all\n  tasks:\n    - {command: ls, \(extra)}\n" }
        try expectError(task("until: {}"), "3:28: error: 'until' needs 'rc:' or 'stdout_contains:'")
        try expectError(task("until: {rc: 300}"), "3:33: error: 'rc' (an exit status) must be a whole number from 0 to 255 (got 300)")
        try expectError(task("until: {stdout: ok}"), "3:29: error: unknown key 'stdout' in until of task 1 of play 1; did you mean 'stdout_contains'?")
        try expectError(task("retries: -1"), "3:30: error: 'retries' must be a whole number from 0 to 100 (got -1)")
        try expectError(task("delay: 2s"), "3:21: error: 'delay' goes with 'until:' or 'retries:'")
        try expectError(task("until: {rc: 0}, delay: soon"), "3:44: error: 'delay' must be a duration such as 5s, 2m, 1h or 500ms, or a number of seconds; not 'soon'")
    }

    // MARK: Variables

    @Test func playVarsMayNotShadowPostfleetsOwn() throws {
        try expectError("- hosts: all\n  vars: {inventory_hostname: x}\n", "2:10: error: 'inventory_hostname' is set by postfleet for every host; give the variable another name")
        try expectError("- hosts: all\n  vars: {instance: x}\n", "2:10: error: 'instance' is set by postfleet for every host; give the variable another name")
    }

    // MARK: Host patterns

    @Test func aMalformedPatternIsAnErrorAtHosts() throws {
        try expectError("- hosts: \"border[0-2]\"\n", "1:10: error: write \"border[0:2]\", not \"border[0-2]\": Ansible removed [x-y] subscripts")
        let (path, error) = try loadError("- hosts: \"~mta(\"\n")
        #expect(firstLine(error).hasPrefix("\(path):1:10: error: bad regular expression \"~mta(\" in host pattern: "))
    }
}
