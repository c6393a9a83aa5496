import Inventory
import Playbook
import Postfix
import Testing

@Suite struct PlaybookLoadingTests {
    /// Every key of the schema, each form once.
    let everything = """
        - name: Everything
          hosts: border:!mta2
          vars:
            relay: "[{{mailhub}}]"
            limit: 1000
            soft: yes
            networks: [127.0.0.0/8, "[::1]/128"]
          policy:
            serial: [1, "25%", 50%]
            max_fail_percentage: 12.5
            any_errors_fatal: false
            pause: 5s
            unreachable_counts_as_failure: true
            rollback_on_failure: false
            health:
              running: true
              banner_timeout: 2s
              max_deferred: 10
              passes: 2
              interval: 500ms
              deadline: 2m
            retries: {attempts: 3, delay: 1s, max_delay: 30}
            drain: 90s
          instances:
            - name: default
              main_cf: {template: templates/main.cf}
              tables:
                - {name: generic, type: cdb, template: templates/generic}
                - {name: access, type: cidr, file: files/access}
                - name: transport
                  type: hash
                  entries:
                    example.com: "smtp:[{{mailhub}}]"
                    .example.com: relay
            - name: postfix-out
              group: mta
              enabled: false
              main_cf: {file: files/main.cf}
              master_cf: {template: templates/master.cf}
            - name: postfix-in
              group: mta
              state: present
              main_cf:
                parameters:
                  myhostname: "{{inventory_hostname}}.{{domain}}"
                  mydestination: ""
                  relay_domains: [example.com, .example.com]
                  smtp_destination_recipient_limit: 1000
                  smtp_send_xforward_command: yes
                  alias_maps:
                remove: [content_filter, relayhost]
              master_cf:
                services:
                  smtp/inet: absent
                  127.0.0.1:10025/inet: 127.0.0.1:10025 inet n - n - - smtpd
            - name: postfix-old
              state: absent
              master_cf: {file: files/master.cf}
          tasks:
            - name: stop them
              postmulti: {action: stop, group: mta}
            - postmulti: {action: start, instance: postfix-out}
            - postmulti: {action: status, all: true}
            - postmulti: {action: init}
            - postmulti: {action: create, instance: postfix-new, group: mta}
            - postmulti: {action: import, instance: postfix-old, config_directory: /srv/postfix-old}
            - postmulti: {action: assign, instance: postfix-in, group: edge, rename: postfix-edge}
            - postmulti: {action: destroy, instance: postfix-old}
            - postmulti: {exec: "postqueue -f", instance: postfix-in}
            - command: newaliases
        - hosts: [mta1, mta2]
          tasks:
            - command: "true"
        """

    let files = [
        "templates/main.cf": "myhostname = {{inventory_hostname}}\n",
        "templates/generic": "root {{admin}}+root={{inventory_hostname}}\n",
        "templates/master.cf": "smtp inet n - n - - smtpd\n",
        "files/access": "10.0.0.0/8 REJECT\n",
        "files/main.cf": "myhostname = out.example.com\n",
        "files/master.cf": "smtp inet n - n - - smtpd\n",
    ]

    @Test func loadsEveryFormOfEveryKey() throws {
        let playbook = try loadPlaybook(everything, files: files)
        #expect(playbook.plays.count == 2)
        let play = playbook.plays[0]
        #expect(play.name == "Everything")
        #expect(play.displayName == "play 'Everything'")
        #expect(play.hosts == "border:!mta2")
        #expect(play.hostsMark.line == 2 && play.hostsMark.column == 10)
        #expect(play.vars["relay"] == .string("[{{mailhub}}]"))
        #expect(play.vars["limit"] == .int(1000))
        #expect(play.vars["soft"] == .bool(true))
        #expect(play.vars["networks"] == .list(["127.0.0.0/8", "[::1]/128"]))

        let policy = try #require(play.policy)
        #expect(policy.serial == [.count(1), .percent(25), .percent(50)])
        #expect(policy.maxFailPercentage == 12.5)
        #expect(policy.anyErrorsFatal == false)
        #expect(policy.pause == .seconds(5))
        #expect(policy.unreachableCountsAsFailure == true)
        #expect(policy.rollbackOnFailure == false)
        var health = Policy.HealthSettings()
        health.running = true
        health.bannerTimeout = .seconds(2)
        health.maxDeferred = 10
        health.passes = 2
        health.interval = .milliseconds(500)
        health.deadline = .seconds(120)
        #expect(policy.health == .custom(health))
        #expect(policy.retries == Policy.Retries(attempts: 3, delay: .seconds(1), maxDelay: .seconds(30)))
        #expect(policy.drain == .seconds(90))

        #expect(play.instances.map(\.name) == ["default", "postfix-out", "postfix-in", "postfix-old"])
        #expect(play.postfixInstances[1] == PostfixInstance(name: "postfix-out", group: "mta", enabled: false))
        #expect(play.presentInstances.map(\.name) == ["default", "postfix-out", "postfix-in"])
        #expect(play.instances[3].state == .absent)
        #expect(play.instances[2].instance.enabled)

        let main = play.instances[0]
        guard case let .template(template, mark)? = main.mainCF else { Issue.record("main_cf"); return }
        #expect(template.path == "templates/main.cf")
        #expect(template.variableNames == ["inventory_hostname"])
        #expect(mark.line == 26 && mark.column == 27)
        #expect(main.tables.map(\.name) == ["generic", "access", "transport"])
        #expect(main.tables.map(\.type) == [.cdb, .cidr, .hash])
        guard case .template = main.tables[0].source, case let .file(access) = main.tables[1].source,
              case let .entries(entries) = main.tables[2].source else { Issue.record("tables"); return }
        #expect(access.path == "files/access")
        #expect(access.resolvedPath.hasSuffix("/files/access"))
        #expect(access.contents == Array("10.0.0.0/8 REJECT\n".utf8))
        #expect(entries.map(\.key.text) == ["example.com", ".example.com"])
        #expect(entries.map(\.value.text) == ["smtp:[{{mailhub}}]", "relay"])

        guard case let .file(outMain)? = play.instances[1].mainCF, case .template? = play.instances[1].masterCF else {
            Issue.record("postfix-out"); return
        }
        #expect(outMain.path == "files/main.cf")

        guard case let .edits(parameters, removals)? = play.instances[2].mainCF,
              case let .services(services)? = play.instances[2].masterCF else { Issue.record("postfix-in"); return }
        #expect(parameters.map(\.name) == [
            "myhostname", "mydestination", "relay_domains", "smtp_destination_recipient_limit",
            "smtp_send_xforward_command", "alias_maps",
        ])
        #expect(parameters.map { $0.parts.map(\.text) } == [
            ["{{inventory_hostname}}.{{domain}}"], [""], ["example.com", ".example.com"], ["1000"], ["yes"], [""],
        ])
        #expect(removals.map(\.name) == ["content_filter", "relayhost"])
        #expect(services.map(\.key.description) == ["smtp/inet", "127.0.0.1:10025/inet"])
        #expect(services[0].line == nil)
        #expect(services[1].line?.text == "127.0.0.1:10025 inet n - n - - smtpd")

        guard case .file? = play.instances[3].masterCF else { Issue.record("postfix-old"); return }

        #expect(play.tasks.map(\.commandLine) == [
            "postmulti -g mta -p stop",
            "postmulti -i postfix-out -p start",
            "postmulti -a -p status",
            "postmulti -e init",
            "postmulti -I postfix-new -G mta -e create",
            "postmulti -I postfix-old -e import config_directory=/srv/postfix-old",
            "postmulti -i postfix-in -I postfix-edge -G edge -e assign",
            "postmulti -i postfix-old -e destroy",
            "postmulti -i postfix-in -x postqueue -f",
            "newaliases",
        ])
        #expect(play.tasks[0].name == "stop them")
        #expect(play.tasks[1].name == nil)
        #expect(play.tasks[9].action == .command("newaliases"))
        #expect(play.tasks.allSatisfy { $0.retry == nil })

        let second = playbook.plays[1]
        #expect(second.name == nil && second.displayName == "play 2")
        #expect(second.hosts == "mta1,mta2")
        #expect(second.instances.isEmpty && second.policy == nil && second.vars.isEmpty)
    }

    @Test func shortFormsAndDefaults() throws {
        let playbook = try loadPlaybook("""
            - hosts: all
              policy:
                serial: 2
                pause: 90
                health: none
                retries: {attempts: 2}
                drain: true
              instances:
                - name: default
                  main_cf: templates/main.cf
                  master_cf: templates/master.cf
                - name: postfix-x
            """, files: ["templates/main.cf": "a = b\n", "templates/master.cf": "x unix - - n - - smtp\n"])
        let play = playbook.plays[0]
        #expect(play.policy?.serial == [.count(2)])
        #expect(play.policy?.pause == .seconds(90))
        #expect(play.policy?.health == Policy.Health.none)
        #expect(play.policy?.retries == Policy.Retries(attempts: 2))
        #expect(play.policy?.drain == Policy.defaultDrainDeadline)
        guard case .template? = play.instances[0].mainCF, case .template? = play.instances[0].masterCF else {
            Issue.record("a path alone is a template"); return
        }
        let secondary = play.instances[1]
        #expect(secondary.instance == PostfixInstance(name: "postfix-x", group: nil, enabled: true))
        #expect(secondary.state == .present)
        #expect(secondary.mainCF == nil && secondary.masterCF == nil && secondary.tables.isEmpty)
    }

    /// `health: tls:` for every instance and per instance group; unset unless said.
    @Test func healthTLS() throws {
        let playbook = try loadPlaybook("""
            - hosts: all
              policy:
                health: {tls: true, groups: {edge: {tls: false}, mta: {max_deferred: 5}}}
            - hosts: all
              policy: {health: {groups: {mta: {tls: yes}}}}
            - hosts: all
              policy: {health: {passes: 3}}
            """)
        let settings = playbook.plays.map(\.healthSettings)
        #expect(settings[0]?.tls == true)
        #expect(settings[0]?.groups == ["edge": Policy.GroupHealth(tls: false), "mta": Policy.GroupHealth(maxDeferred: 5)])
        #expect(settings[1]?.tls == nil && settings[1]?.groups["mta"] == Policy.GroupHealth(tls: true))
        #expect(settings[2]?.tls == nil && settings[2]?.passes == 3)
    }

    /// Ansible's play keywords `become:` and `become_user:`: unset unless said.
    @Test func becomeAndBecomeUser() throws {
        let playbook = try loadPlaybook("""
            - hosts: border
              become: yes
              become_user: postfix
              tasks: [{postmulti: {action: status, group: mta}}]
            - hosts: hub
              tasks: [{postmulti: {action: status, group: mta}}]
            """)
        #expect(playbook.plays[0].become == true)
        #expect(playbook.plays[0].becomeUser == "postfix")
        #expect(playbook.plays[1].become == nil)
        #expect(playbook.plays[1].becomeUser == nil)
        let (path, error) = try loadError("- hosts: all\n  become: sometimes\n  tasks: [{postmulti: {action: status, group: mta}}]\n")
        #expect(firstLine(error).hasPrefix("\(path):2:11: error: "), "\(error)")
        #expect(firstLine(error).contains("'become' of play 1"), "\(error)")
    }

    @Test func yamlMergeKeysAndAnchorsWork() throws {
        let playbook = try loadPlaybook("""
            - hosts: all
              instances:
                - &mta
                  name: postfix-out
                  group: mta
                - <<: *mta
                  name: postfix-in
            """)
        #expect(playbook.plays[0].postfixInstances.map(\.group) == ["mta", "mta"])
        #expect(playbook.plays[0].postfixInstances.map(\.name) == ["postfix-out", "postfix-in"])
    }

    @Test func templatePathsAreRelativeToThePlaybook() throws {
        try withTemporaryDirectory { directory in
            try write(["deploy/site.yml": """
                - hosts: all
                  instances:
                    - name: default
                      main_cf: {template: ../shared/main.cf}
                """, "shared/main.cf": "a = 1\n"], into: directory)
            let playbook = try Playbook.load(path: directory + "/deploy/site.yml")
            guard case let .template(template, _)? = playbook.plays[0].instances[0].mainCF else { Issue.record(); return }
            #expect(template.path == "../shared/main.cf")
            #expect(template.text == "a = 1\n")
        }
    }

    @Test func theShippedPlaybooksLoad() throws {
        let border = try Playbook.load(path: repositoryRoot + "/playbooks/border-cluster.yml")
        #expect(border.plays.count == 1)
        #expect(border.plays[0].hosts == "border")
        #expect(border.plays[0].instances.map(\.name) == ["default", "postfix-out", "postfix-in"])
        #expect(border.plays[0].postfixInstances.map(\.group) == [nil, "mta", "mta"])
        #expect(border.plays[0].postfixInstances.allSatisfy { $0.enabled })

        let generic = try Playbook.load(path: repositoryRoot + "/playbooks/generic-maps.yml")
        #expect(generic.plays[0].instances.map(\.name) == ["default"])
        #expect(generic.plays[0].instances[0].mainCF == nil)
        #expect(generic.plays[0].instances[0].tables.map(\.name) == ["generic"])

        let restart = try Playbook.load(path: repositoryRoot + "/playbooks/group-restart.yml")
        #expect(restart.plays[0].tasks.map(\.commandLine) == ["postmulti -g mta -p stop", "postmulti -g mta -p start"])
        #expect(restart.plays[0].policy?.serial == [.count(1)])
        #expect(restart.plays[0].policy?.maxFailPercentage == 0)
        #expect(restart.plays[0].instances.isEmpty)
    }

    @Test func playsSelectTheirHosts() throws {
        let playbook = try Playbook.parse(yaml: """
            - hosts: border:!mta2
              tasks: [{command: "true"}]
            - hosts: hub
              tasks: [{command: "true"}]
            """)
        let inventory = try inventory()
        #expect(try playbook.plays[0].hosts(in: inventory).map(\.name) == ["mta1", "mta3"])
        #expect(try playbook.plays(for: inventory.requireHost("mailhub"), in: inventory).map(\.number) == [2])
        #expect(try playbook.plays(for: inventory.requireHost("mta2"), in: inventory).isEmpty)
    }

    @Test func taskRetriesAreAnsibles() throws {
        let playbook = try Playbook.parse(yaml: """
            - hosts: all
              tasks:
                - command: postqueue -j | wc -l
                  until: {stdout_contains: "0"}
                  retries: 5
                  delay: 500ms
                - command: test -s /var/run/ok
                  until: {rc: 0}
                - command: flaky
                  retries: 2
                - command: both
                  until: {rc: 3, stdout_contains: done}
                  delay: 1
            """)
        let retries = playbook.plays[0].tasks.map(\.retry)
        #expect(retries[0] == PlayTask.Retry(attempts: 6, delay: .milliseconds(500), rc: nil, stdoutContains: "0"))
        #expect(retries[1] == PlayTask.Retry(attempts: 4, delay: .seconds(5), rc: 0))
        #expect(retries[2] == PlayTask.Retry(attempts: 3, delay: .seconds(5), rc: 0), "retries alone wait for exit status 0")
        #expect(retries[3] == PlayTask.Retry(attempts: 4, delay: .seconds(1), rc: 3, stdoutContains: "done"))
    }

}
