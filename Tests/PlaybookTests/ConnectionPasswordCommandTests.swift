import Foundation
import Testing

/// What the inventory says of connecting that postfleet cannot do stops a command before any
/// host is contacted, naming the host; a password is never shown. The hosts are on a loopback
/// port that listens and never answers, and nothing may arrive there.
@Suite struct ConnectionPasswordCommandTests {
    let listener: LoopbackListener
    var port: Int { listener.port }

    init() throws { listener = try LoopbackListener() }

    func runEach(_ files: [String: String], _ check: ([String], (status: Int32, out: String, err: String)) -> Void) throws {
        try withTemporaryDirectory { directory in
            try write(files.merging(["site.yml": "- hosts: all\n  instances:\n    - name: default\n"]) { $1 }, into: directory)
            for command in ConnectionValueCommandTests.commands {
                let arguments = [command[0], "-i", "inventory.yml", "--connect-timeout", "1", "--connect-attempts", "1"] + command.dropFirst()
                check(command, try run(postfleetUnderTest, arguments, in: directory))
            }
        }
    }

    @Test func aHostWithAnotherConnectionPluginIsRefusedByName() throws {
        let inventory = "all:\n  hosts:\n    quiet1: {ansible_host: 127.0.0.1, ansible_port: \(port)}\n    laptop: {ansible_connection: local}\n"
        try runEach(["inventory.yml": inventory]) { command, result in
            #expect(result.status == 1 && result.out == "", "\(command)")
            #expect(result.err == """
                postfleet: cannot connect to a selected host as the inventory says:
                  laptop: ansible_connection is "local": postfleet reaches hosts over SSH only (leave this host out with --limit, or set ansible_connection: ssh)

                """, "\(command)")
        }
        #expect(listener.connections() == 0)
    }

    @Test func aPasswordGivenAsAnExpressionIsRefusedWithoutItsText() throws {
        let inventory = "all:\n  hosts:\n    quiet1: {ansible_host: 127.0.0.1, ansible_port: \(port)}\n  vars:\n    ansible_become_password: \"{{ lookup('env', 'TOPSECRET') }}\"\n"
        try runEach(["inventory.yml": inventory]) { command, result in
            #expect(result.status == 1, "\(command)")
            #expect(result.err.contains("quiet1: ansible_become_password is a Jinja2 expression"), "\(command): \(result.err)")
            #expect(!result.err.contains("TOPSECRET"), "\(command)")
        }
        #expect(listener.connections() == 0)
    }

    @Test func aControlCharacterInAPasswordIsAnErrorAtItsLineThatMasksIt() throws {
        let inventory = "all:\n  hosts:\n    quiet1: {ansible_host: 127.0.0.1, ansible_port: \(port)}\n  vars:\n    ansible_password: \"hunter2\\nroot\"\n"
        try runEach(["inventory.yml": inventory]) { command, result in
            #expect(result.status == 1, "\(command)")
            #expect(result.err.hasPrefix("postfleet: inventory.yml:5:23: error: ansible_password holds a control character (U+000A) after 7 characters"), "\(command): \(result.err)")
            #expect(!result.err.contains("hunter2"), "\(command): \(result.err)")
        }
        #expect(listener.connections() == 0)
    }

    @Test func connectionVariablesPostfleetDoesNotUseAreListedInOneWarning() throws {
        let closed = try closedLoopbackPort()
        try withTemporaryDirectory { directory in
            try write(["inventory.yml": """
                all:
                  vars: {ansible_ssh_pipelining: true, ansible_scp_extra_args: "-l 100"}
                  hosts:
                    quiet1: {ansible_host: 127.0.0.1, ansible_port: \(closed), ansible_ssh_retries: 3}
                    quiet2: {ansible_host: 127.0.0.1, ansible_port: \(closed)}
                """], into: directory)
            let result = try run(postfleetUnderTest, ["exec", "-i", "inventory.yml", "--connect-timeout", "1", "--connect-attempts", "1", "--", "true"], in: directory)
            let warnings = result.err.split(separator: "\n").filter { $0.contains("warning: postfleet does not use") }
            #expect(warnings == ["postfleet: warning: postfleet does not use these connection variables (it is an SSH client of its own, not ssh, scp or sftp): ansible_scp_extra_args (all 2 hosts), ansible_ssh_pipelining (all 2 hosts), ansible_ssh_retries (quiet1)"], "\(result.err)")
        }
    }
}
