import Testing
@testable import Inventory

/// `ansible_password` and `ansible_become_password`: Ansible's names and order, the vault
/// idiom's `{{ variable }}` reference, and what cannot be used, said without the value.
@Suite struct ConnectionPasswordTests {
    @Test func theLastNameSetWinsAsInAnsible() {
        let host = Host(name: "mta1", vars: ["ansible_password": .string("a"), "ansible_ssh_pass": .string("b"),
                                             "ansible_become_pass": .string("c"), "ansible_become_password": .string("d")])
        #expect(host.password == "b")
        #expect(host.becomePassword == "c")
        #expect(host.connectionProblem == nil)
    }

    @Test func aReferenceIsFollowedThroughTheHostsVariables() {
        let host = Host(name: "mta1", vars: [
            "ansible_become_password": .string("{{ vault_sudo }}"), "vault_sudo": .string("{{vault_inner}}"),
            "vault_inner": .string("s3cret"), "ansible_password": .string(" {{ vault_login }} "), "vault_login": .int(1234),
        ])
        #expect(host.becomePassword == "s3cret")
        #expect(host.password == "1234")
        #expect(host.connectionProblem == nil)
    }

    @Test(arguments: [
        (["ansible_password": Value.string("{{ missing }}")], "ansible_password refers to {{ missing }}, which is not defined for this host"),
        (["ansible_password": .string("{{ a }}"), "a": .string("{{ ansible_password }}")], "ansible_password refers to itself through {{ a }}, {{ ansible_password }}"),
        (["ansible_become_pass": .string("{{ lookup('env', 'PW') }}")], "ansible_become_password is a Jinja2 expression; postfleet follows only a plain reference, {{ variable_name }}"),
        (["ansible_connection": .string("local")], "ansible_connection is \"local\": postfleet reaches hosts over SSH only (leave this host out with --limit, or set ansible_connection: ssh)"),
    ])
    func whatCannotBeUsedIsAProblemOfTheHost(vars: [String: Value], problem: String) {
        let host = Host(name: "mta1", vars: vars)
        #expect(host.connectionProblem == problem)
        #expect(host.password == nil && host.becomePassword == nil)
    }

    @Test(arguments: ["ssh", "smart", "paramiko", "ansible.builtin.ssh"])
    func sshConnectionsPass(connection: String) {
        #expect(Host(name: "mta1", vars: ["ansible_connection": .string(connection)]).connectionProblem == nil)
    }

    @Test func unusedConnectionVariablesAreListed() {
        let host = Host(name: "mta1", vars: ["ansible_ssh_pipelining": .bool(true), "ansible_scp_extra_args": .string("-l 10"),
                                             "ansible_user": .string("ops"), "relay_password": .string("x")])
        #expect(host.unusedConnectionVariables == ["ansible_scp_extra_args", "ansible_ssh_pipelining"])
    }

    @Test(arguments: ["ansible_password", "ansible_become_pass"])
    func anEmptyOrNonTextPasswordIsRefusedWithoutItsValue(name: String) {
        #expect(throws: InventoryProblem("\(name) must be a password (a non-empty string), not empty")) {
            try ConnectionVariables.check(name, .string(""))
        }
        #expect(throws: InventoryProblem("\(name) must be a password (a non-empty string), not a list")) {
            try ConnectionVariables.check(name, .list([.string("pw")]))
        }
    }
}
