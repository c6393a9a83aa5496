import Foundation
import Testing

/// A control character in where or as whom to connect stops every command that connects
/// before any host is contacted: exit 1, the error at its line, no report. The addresses
/// are in 198.18.0.0/24 and answer nothing; a command that connected would say unreachable.
@Suite struct ConnectionValueCommandTests {
    static let commands: [[String]] = [["exec", "--", "true"], ["instances"], ["run", "site.yml", "--check"], ["drift", "site.yml"]]

    func expectRefused(_ files: [String: String], extra: [String] = [], error: String,
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        try withTemporaryDirectory { directory in
            try write(files.merging(["site.yml": "- hosts: all\n  instances:\n    - name: default\n"]) { $1 }, into: directory)
            for command in Self.commands {
                let arguments = [command[0], "-i", "inventory.yml", "--connect-timeout", "1", "--connect-attempts", "1"] + extra
                    + command.dropFirst()
                let result = try run(postfleetUnderTest, arguments, in: directory)
                #expect(result.status == 1, "\(command)", sourceLocation: sourceLocation)
                #expect(result.out == "", "\(command)", sourceLocation: sourceLocation)
                #expect(result.err == error, "\(command)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func aNulInAnsibleHost() throws {
        try expectRefused(["inventory.yml": "all:\n  hosts:\n    quiet1:\n      ansible_host: \"198.18.0.213\\0.example.net\"\n"], error: """
            postfleet: inventory.yml:4:21: error: ansible_host holds a control character (U+0000) after 12 characters; it cannot hold one
                  ansible_host: "198.18.0.213\\0.example.net"
                                ^

            """)
    }

    @Test func aLineBreakInAUserFromHostVars() throws {
        try expectRefused(["inventory.yml": "all:\n  hosts:\n    quiet1: {ansible_host: 198.18.0.213}\n",
                           "host_vars/quiet1.yml": "ansible_user: \"ops\\nroot\"\n"], error: """
            postfleet: host_vars/quiet1.yml:1:15: error: ansible_user holds a control character (U+000A) after 3 characters; it cannot hold one
            ansible_user: "ops\\nroot"
                          ^

            """)
    }

    @Test func aNulInSSHConfigHostName() throws {
        try expectRefused(["inventory.yml": "all:\n  hosts:\n    quiet1:\n", "ssh_config": "Host quiet1\n  HostName 198.18.0.213\u{0}x\n"],
                          extra: ["-F", "ssh_config"], error: """
            postfleet: ssh_config:2:12: error: an argument of HostName holds a control character; it cannot hold one
              HostName 198.18.0.213\u{0}x
                       ^

            """)
    }
}
