import Testing

@testable import Inventory

@Suite("Connection variables: ansible_host, ansible_port, ansible_user, the key file")
struct ConnectionVariablesTests {
    @Test("Defaults: the name as address, no port (22), no user, no key")
    func defaults() throws {
        let host = try #require(try loadInventory("all:\n  hosts:\n    mta1:\n").host(named: "mta1"))
        #expect(host.address == "mta1")
        #expect(host.port == nil)
        #expect(host.user == nil)
        #expect(host.privateKeyFile == nil)
    }

    @Test("Set on the host or inherited from groups")
    func setAndInherited() throws {
        let inventory = try Inventory.load(SourceText(path: "i.yml", text: """
            all:
              vars:
                ansible_user: deploy
                ansible_ssh_private_key_file: ~/.ssh/fleet
              children:
                border:
                  vars:
                    ansible_port: 2222
                  hosts:
                    mta1:
                      ansible_host: 198.18.0.11
                    mta2:
                      ansible_host: 198.18.0.12
                      ansible_port: "2200"
                      ansible_user: root
                      ansible_ssh_private_key_file: /etc/keys/mta2
                    mta3:
                      ansible_ssh_private_key_file: keys/relative
            """), home: "/home/ops")
        let mta1 = try #require(inventory.host(named: "mta1"))
        #expect(mta1.address == "198.18.0.11")
        #expect(mta1.port == 2222)
        #expect(mta1.user == "deploy")
        #expect(mta1.privateKeyFile == "/home/ops/.ssh/fleet")
        let mta2 = try #require(inventory.host(named: "mta2"))
        #expect(mta2.address == "198.18.0.12")
        #expect(mta2.port == 2200)
        #expect(mta2.user == "root")
        #expect(mta2.privateKeyFile == "/etc/keys/mta2")
        #expect(inventory.host(named: "mta3")?.privateKeyFile == "keys/relative")
        // The variables stay visible as they were written.
        #expect(mta1.vars["ansible_ssh_private_key_file"] == "~/.ssh/fleet")
    }

    @Test("A leading ~ becomes $HOME when loading a file")
    func tildeFromEnvironment() throws {
        let host = try #require(try loadInventory("""
            all:
              hosts:
                mta1: { ansible_ssh_private_key_file: "~/.ssh/id_ed25519" }
            """).host(named: "mta1"))
        #expect(host.privateKeyFile == ConnectionVariables.currentHome + "/.ssh/id_ed25519")
        #expect(!host.privateKeyFile!.hasPrefix("~"))
    }

    @Test("Tilde expansion", arguments: [
        ("~", "/home/ops"), ("~/k", "/home/ops/k"), ("k/~", "k/~"), ("/k", "/k"),
        ("~nosuchuser-postfleet/k", "~nosuchuser-postfleet/k"), ("~root/k", "/root/k"),
    ])
    func tilde(path: String, expanded: String) {
        #expect(ConnectionVariables.expandingTilde(path, home: "/home/ops") == expanded)
    }

    @Test("The ssh-named aliases work, and win when both are set, as in Ansible")
    func aliases() throws {
        let inventory = try Inventory.load(SourceText(path: "i.yml", text: """
            all:
              hosts:
                a: { ansible_ssh_host: 10.0.0.1, ansible_ssh_port: 2022, ansible_ssh_user: u, ansible_private_key_file: /k }
                b: { ansible_host: 10.0.0.2, ansible_ssh_host: 10.0.0.3, ansible_port: 1, ansible_ssh_port: 2 }
                c: { ansible_host: 10.0.0.4, ansible_ssh_host: ~ }
            """), home: "/h")
        let a = try #require(inventory.host(named: "a"))
        #expect(a.address == "10.0.0.1")
        #expect(a.port == 2022)
        #expect(a.user == "u")
        #expect(a.privateKeyFile == "/k")
        #expect(inventory.host(named: "b")?.address == "10.0.0.3")
        #expect(inventory.host(named: "b")?.port == 2)
        // null counts as unset
        #expect(inventory.host(named: "c")?.address == "10.0.0.4")
    }

    @Test("A host made in code reads its connection settings from its variables")
    func madeInCode() {
        let host = Host(name: "mta1", vars: ["ansible_host": "10.1.1.1", "ansible_port": 2222, "ansible_user": "ops"])
        #expect(host.address == "10.1.1.1")
        #expect(host.port == 2222)
        #expect(host.user == "ops")
        #expect(host.ownVars == host.vars)
    }

    @Test("become and the jump hosts: ansible_become, ansible_become_user, jump_host, -J in the ssh arguments")
    func becomeAndJumpHosts() throws {
        let inventory = try Inventory.load(SourceText(path: "i.yml", text: """
            all:
              vars:
                ansible_become: yes
                ansible_ssh_common_args: "-o StrictHostKeyChecking=yes -J ops@bastion:2222"
              hosts:
                a: {}
                b: { ansible_become: false, jump_host: "bastion1,ssh://ops@bastion2:2200" }
                c: { ansible_become_user: postfix, ansible_ssh_extra_args: "-oProxyJump=jump3" }
                d: { ansible_ssh_common_args: "-o ConnectTimeout=5" }
                e: { jump_host: none }
            """), home: "/h")
        let a = try #require(inventory.host(named: "a"))
        #expect(a.become == true)
        #expect(a.becomeUser == nil)
        #expect(a.proxyJump == "ops@bastion:2222")
        let b = try #require(inventory.host(named: "b"))
        #expect(b.become == false)
        #expect(b.proxyJump == "bastion1,ssh://ops@bastion2:2200")
        let c = try #require(inventory.host(named: "c"))
        #expect(c.becomeUser == "postfix")
        // The extra arguments come after the common ones on ssh's command line, and ssh takes
        // an option's first value: the common ones win (ssh -G says so).
        #expect(c.proxyJump == "ops@bastion:2222")
        #expect(c.sshOptions == ["StrictHostKeyChecking=yes", "ProxyJump ops@bastion:2222", "ProxyJump=jump3"])
        #expect(inventory.host(named: "d")?.proxyJump == nil)
        #expect(inventory.host(named: "e")?.proxyJump == "none")
    }

    @Test("Ansible's ssh arguments become ssh options, in ssh's order, whatever their spelling")
    func sshArgumentsBecomeOptions() {
        let host = Host(name: "mta1", vars: [
            "ansible_ssh_common_args": .string(#"-o ControlMaster=auto -oControlPersist=60s -o 'ProxyCommand ssh -W %h:%p -q bastion' -C -p 2222 -F cfg -lops"#),
            "ansible_ssh_extra_args": .string("-v -i ~/.ssh/fleet -J b1,b2 -o StrictHostKeyChecking=accept-new -o"),
        ])
        #expect(host.sshOptions == [
            "ControlMaster=auto", "ControlPersist=60s", "ProxyCommand ssh -W %h:%p -q bastion", "Port 2222", "User ops",
            "IdentityFile ~/.ssh/fleet", "ProxyJump b1,b2", "StrictHostKeyChecking=accept-new",
        ])
        #expect(host.proxyJump == "b1,b2")
        // Text that does not split as a shell would says nothing.
        #expect(Host(name: "x", vars: ["ansible_ssh_common_args": "-o 'Port=22"]).sshOptions == [])
        #expect(Host(name: "x").sshOptions == [])
    }

    @Test("A bad become or jump host setting is an error at its line", arguments: [
        ("ansible_become: maybe", "ansible_become must be a boolean (true, false, yes, no), not \"maybe\""),
        ("ansible_become_method: su", "ansible_become_method \"su\" is not supported: postfleet becomes another user with sudo only"),
        ("jump_host: \"bastion:0\"", "jump_host: 'bastion:0': the port must be a number from 1 to 65535"),
        ("jump_host: \"a,,b\"", "jump_host: '' is not [user@]host[:port]"),
        ("jump_host: \"@b\"", "jump_host: '@b' has an empty user name"),
        ("ansible_ssh_common_args: \"-J b:x\"", "ansible_ssh_common_args: ProxyJump: 'b:x': the port must be a number from 1 to 65535"),
    ])
    func badSettings(line: String, message: String) throws {
        let (path, error) = try loadError("all:\n  hosts:\n    mta1:\n      \(line)\n")
        #expect(error.description.hasPrefix("\(path):4:"), "\(error)")
        #expect(error.description.contains("error: \(message)"), "\(error)")
    }
}
