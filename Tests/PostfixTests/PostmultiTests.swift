import Testing
@testable import Postfix

@Suite struct PostmultiOwnershipTests {
    let out = PostfixInstance(name: "postfix-out", group: "mta", enabled: true)
    let input = PostfixInstance(name: "postfix-in", group: "mta", enabled: false)
    let solo = PostfixInstance(name: "postfix-solo")

    @Test func whoOwnsWhat() {
        #expect(PostmultiOwnership.ownedParameters(of: .default) == [
            "multi_instance_directories", "multi_instance_wrapper", "multi_instance_enable",
        ])
        #expect(PostmultiOwnership.ownedParameters(of: out) == [
            "multi_instance_name", "multi_instance_group", "multi_instance_enable", "queue_directory", "data_directory",
        ])
        #expect(PostmultiOwnership.owns("queue_directory", in: out))
        #expect(!PostmultiOwnership.owns("queue_directory", in: .default))
        #expect(!PostmultiOwnership.owns("myhostname", in: out))
    }

    @Test func theDefaultInstanceListsTheOthersInStartOrder() {
        let values = PostmultiOwnership.values(for: .default, among: [.default, out, input])
        #expect(values.map(\.name) == ["multi_instance_wrapper", "multi_instance_enable", "multi_instance_directories"])
        #expect(values.map(\.value) == ["${command_directory}/postmulti -p --", "yes", "/etc/postfix-out /etc/postfix-in"])
        #expect(PostmultiOwnership.values(for: .default, among: [input, out]).last?.value == "/etc/postfix-in /etc/postfix-out")
    }

    @Test func aHostWithoutSecondaryInstancesGetsNone() {
        #expect(PostmultiOwnership.values(for: .default, among: [.default]).isEmpty)
        #expect(PostmultiOwnership.block(for: .default, among: [.default]) == "")
    }

    @Test func aSecondaryInstanceGetsItsNameGroupStateAndDirectories() {
        let values = PostmultiOwnership.values(for: input, among: [.default, out, input])
        #expect(values.map(\.name) == ["multi_instance_name", "multi_instance_group", "multi_instance_enable", "queue_directory", "data_directory"])
        #expect(values.map(\.value) == ["postfix-in", "mta", "no", "/var/spool/postfix-in", "/var/lib/postfix-in"])
        #expect(PostmultiOwnership.values(for: solo, among: [solo])[1].value == nil)
    }

    @Test func theBlockAndTheEdits() {
        #expect(PostmultiOwnership.block(for: solo, among: [solo]) == """
            # Owned by postmulti(1); kept by postfleet
            multi_instance_name = postfix-solo
            multi_instance_enable = yes
            queue_directory = /var/spool/postfix-solo
            data_directory = /var/lib/postfix-solo

            """)
        #expect(PostmultiOwnership.edits(for: solo, among: [solo]) == [
            .set(parameter: "multi_instance_name", value: "postfix-solo"),
            .remove(parameter: "multi_instance_group"),
            .set(parameter: "multi_instance_enable", value: "yes"),
            .set(parameter: "queue_directory", value: "/var/spool/postfix-solo"),
            .set(parameter: "data_directory", value: "/var/lib/postfix-solo"),
        ])
    }
}

@Suite struct PostmultiCommandTests {
    @Test func wrapperCommands() {
        #expect(PostmultiCommand(.action(.stop), target: .group("mta")).commandLine == "postmulti -g mta -p stop")
        #expect(PostmultiCommand(.action(.start), target: .instance("postfix-out")).commandLine == "postmulti -i postfix-out -p start")
        #expect(PostmultiCommand(.action(.reload), target: .instance("default")).commandLine == "postmulti -i - -p reload")
        #expect(PostmultiCommand(.action(.status), target: .all).commandLine == "postmulti -a -p status")
        #expect(PostmultiCommand(.action(.flush), target: .all).arguments == ["-a", "-p", "flush"])
    }

    @Test func lifeCycleCommands() {
        #expect(PostmultiCommand(.action(.`init`), target: nil).commandLine == "postmulti -e init")
        #expect(PostmultiCommand(.action(.create), target: .instance("postfix-out"), newGroup: "mta").commandLine
            == "postmulti -I postfix-out -G mta -e create")
        #expect(PostmultiCommand(.action(.import), target: .instance("postfix-old"), configDirectory: "/srv/postfix-old").commandLine
            == "postmulti -I postfix-old -e import config_directory=/srv/postfix-old")
        #expect(PostmultiCommand(.action(.enable), target: .instance("postfix-in")).commandLine == "postmulti -i postfix-in -e enable")
        #expect(PostmultiCommand(.action(.destroy), target: .instance("postfix-in")).commandLine == "postmulti -i postfix-in -e destroy")
        #expect(PostmultiCommand(.action(.assign), target: .instance("postfix-in"), newGroup: "edge", newName: "postfix-edge").commandLine
            == "postmulti -i postfix-in -I postfix-edge -G edge -e assign")
    }

    @Test func execPassesTheCommandToTheShell() {
        let command = PostmultiCommand(.exec("postqueue -f"), target: .instance("postfix-in"))
        #expect(command.commandLine == "postmulti -i postfix-in -x postqueue -f")
        #expect(command.arguments == ["-i", "postfix-in", "-x", "postqueue -f"])
        #expect(PostmultiCommand(.exec("postconf -n"), target: .group("it's")).commandLine == #"postmulti -g 'it'\''s' -x postconf -n"#)
    }

    @Test func actionModes() {
        #expect(PostmultiCommand.Action.allCases.filter(\.isWrapper).map(\.rawValue) == ["start", "stop", "reload", "flush", "status", "check", "set-permissions", "upgrade-configuration"])
    }
}

@Suite struct PostconfEditTests {
    @Test func commandLinesAreQuoted() {
        #expect(PostconfEdit.set(parameter: "relayhost", value: "[mailhub.example.com]").commandLine(configDirectory: "/etc/postfix")
            == "postconf -c /etc/postfix -e 'relayhost = [mailhub.example.com]'")
        #expect(PostconfEdit.set(parameter: "mydestination", value: "").commandLine(configDirectory: "/etc/postfix")
            == "postconf -c /etc/postfix -e 'mydestination = '")
        #expect(PostconfEdit.set(parameter: "smtpd_banner", value: "it's $myhostname").commandLine(configDirectory: "/etc/postfix")
            == #"postconf -c /etc/postfix -e 'smtpd_banner = it'\''s $myhostname'"#)
        #expect(PostconfEdit.remove(parameter: "content_filter").commandLine(configDirectory: "/etc/postfix-in")
            == "postconf -c /etc/postfix-in -X content_filter")
        let key = MasterServiceKey(name: "127.0.0.1:10026", type: "inet")
        #expect(PostconfEdit.setService(key, line: "127.0.0.1:10026 inet n - n - - smtpd").commandLine(configDirectory: "/etc/postfix-out")
            == "postconf -c /etc/postfix-out -M '127.0.0.1:10026/inet = 127.0.0.1:10026 inet n - n - - smtpd'")
        #expect(PostconfEdit.removeService(MasterServiceKey(name: "smtp", type: "inet")).commandLine(configDirectory: "/etc/postfix-out")
            == "postconf -c /etc/postfix-out -MX smtp/inet")
        #expect(PostconfEdit.remove(parameter: "x").isMainCF && !PostconfEdit.removeService(key).isMainCF)
    }
}

@Suite struct TableTypeTests {
    @Test func indexedTablesNeedPostmapOthersAReload() {
        #expect(TableType.allCases.filter(\.needsPostmap) == [.cdb, .hash, .lmdb, .btree])
        #expect(TableType.allCases.filter(\.needsReload) == [.texthash, .regexp, .pcre, .cidr])
        #expect(TableType.allCases.allSatisfy { $0.isIndexed == $0.needsPostmap && $0.needsPostmap != $0.needsReload })
        #expect(TableType.cdb.reference(path: "/etc/postfix/generic") == "cdb:/etc/postfix/generic")
        #expect(TableType.cdb.postmapCommand(path: "/etc/postfix/generic") == "postmap cdb:/etc/postfix/generic")
        #expect(TableType.pcre.postmapCommand(path: "/etc/postfix/x") == nil)
    }

    /// postfix(1)'s commands for a package upgrade go through `postmulti -p` like start.
    @Test func thePackageUpgradeVerbsAreWrapperActions() {
        #expect(PostmultiCommand(.action(.check), target: .all).commandLine == "postmulti -a -p check")
        #expect(PostmultiCommand(.action(.setPermissions), target: .group("mta")).commandLine == "postmulti -g mta -p set-permissions")
        #expect(PostmultiCommand(.action(.upgradeConfiguration), target: .instance("default")).commandLine
            == "postmulti -i - -p upgrade-configuration")
        #expect(PostmultiCommand.Action(rawValue: "set-permissions") == .setPermissions)
        #expect(PostmultiCommand.Action.check.onlyLooks && !PostmultiCommand.Action.check.isGated)
        #expect(!PostmultiCommand.Action.upgradeConfiguration.isGated && !PostmultiCommand.Action.setPermissions.onlyLooks)
        #expect(PostmultiCommand.Action.reload.isGated && !PostmultiCommand.Action.stop.isGated)
    }
}
