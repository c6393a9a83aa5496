import Foundation
import Testing

/// A control character in where or as whom to connect stops every command that connects
/// before any host is contacted: exit 1, the error at its line, no report. The hosts are on
/// a loopback port that listens and never answers (the value cut at its control character
/// would be it), and nothing may arrive there.
@Suite struct ConnectionValueCommandTests {
    let listener: LoopbackListener
    var port: Int { listener.port }

    init() throws { listener = try LoopbackListener() }

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
                #expect(listener.connections() == 0, "\(command)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func aNulInAnsibleHost() throws {
        try expectRefused(["inventory.yml": "all:\n  hosts:\n    quiet1:\n      ansible_host: \"127.0.0.1\\0.example.net\"\n      ansible_port: \(port)\n"], error: """
            postfleet: inventory.yml:4:21: error: ansible_host holds a control character (U+0000) after 9 characters; it cannot hold one
                  ansible_host: "127.0.0.1\\0.example.net"
                                ^

            """)
    }

    @Test func aLineBreakInAUserFromHostVars() throws {
        try expectRefused(["inventory.yml": "all:\n  hosts:\n    quiet1: {ansible_host: 127.0.0.1, ansible_port: \(port)}\n",
                           "host_vars/quiet1.yml": "ansible_user: \"ops\\nroot\"\n"], error: """
            postfleet: host_vars/quiet1.yml:1:15: error: ansible_user holds a control character (U+000A) after 3 characters; it cannot hold one
            ansible_user: "ops\\nroot"
                          ^

            """)
    }

    @Test func aNulInSSHConfigHostName() throws {
        try expectRefused(["inventory.yml": "all:\n  hosts:\n    quiet1:\n", "ssh_config": "Host quiet1\n  HostName 127.0.0.1\u{0}x\n  Port \(port)\n"],
                          extra: ["-F", "ssh_config"], error: """
            postfleet: ssh_config:2:12: error: an argument of HostName holds a control character; it cannot hold one
              HostName 127.0.0.1\u{0}x
                       ^

            """)
    }
}
