import Testing

@testable import Inventory

/// A control character in a value that says where or as whom to connect, or in a host
/// name, is refused at its line: C cuts `198.18.0.7\0.example.net` short at the NUL and
/// would connect to 198.18.0.7. A host name that is `.`, `..` or has a `/` is refused too,
/// as render writes a host's files under a directory of its name.
@Suite("Control characters in connection values and host names; host names that are not a directory name")
struct ControlCharacterTests {
    /// The error of the YAML inventory `text`, as `LINE:COL: error: MESSAGE`.
    func yamlError(_ text: String) -> String? {
        errorText { () throws(SourceError) in try Inventory.parse(yaml: text, path: "inv.yml") }
    }

    /// The error of the INI inventory `text`, as `LINE:COL: error: MESSAGE`.
    func iniError(_ text: String) -> String? {
        errorText { () throws(SourceError) in try Inventory.parse(ini: text, path: "inv.ini") }
    }

    func errorText(_ parse: () throws(SourceError) -> Inventory) -> String? {
        do {
            _ = try parse()
            return nil
        } catch {
            return "\(error.line):\(error.column): error: \(error.message)"
        }
    }

    @Test("A NUL, a line break, an escape or a C1 control in each connection variable, YAML")
    func connectionValuesInYAML() {
        let cases: [(String, String)] = [
            (#"ansible_host: "198.18.0.7\0.example.net""#, "ansible_host holds a control character (U+0000) after 10 characters"),
            (#"ansible_ssh_host: "mta1\n""#, "ansible_ssh_host holds a control character (U+000A) after 4 characters"),
            (#"ansible_user: "\rops""#, "ansible_user holds a control character (U+000D) as its first character"),
            (#"ansible_port: "22\0""#, "ansible_port holds a control character (U+0000) after 2 characters"),
            (#"ansible_ssh_private_key_file: "/keys/id\u001b[2J""#, "ansible_ssh_private_key_file holds a control character (U+001B) after 8 characters"),
            (#"ansible_become_user: "postfix\u007f""#, "ansible_become_user holds a control character (U+007F) after 7 characters"),
            (#"jump_host: "ops@bastion\u0085:22""#, "jump_host holds a control character (U+0085) after 11 characters"),
            (#"ansible_ssh_common_args: "-o User=a\u0001b""#, "a word of ansible_ssh_common_args holds a control character (U+0001) after 6 characters"),
            (#"ansible_ssh_extra_args: "-J 'bastion\n:22'""#, "a word of ansible_ssh_extra_args holds a control character (U+000A) after 7 characters"),
        ]
        for (line, message) in cases {
            let text = "all:\n  hosts:\n    mta1:\n      \(line)\n"
            let column = 7 + line.prefix { $0 != ":" }.count + 2
            #expect(yamlError(text) == "4:\(column): error: \(message); it cannot hold one", "\(line)")
        }
    }

    @Test("The same in INI, on a host line and in [group:vars]")
    func connectionValuesInINI() {
        #expect(iniError("[border]\nmta1 ansible_host='\"198.18.0.7\\x00x\"'\n")
            == "2:6: error: ansible_host holds a control character (U+0000) after 10 characters; it cannot hold one")
        #expect(iniError("[border]\nmta1\n[border:vars]\nansible_user=\"ops\\n\"\n")
            == "4:14: error: ansible_user holds a control character (U+000A) after 3 characters; it cannot hold one")
    }

    @Test("Line breaks between ssh options (a YAML block) are fine, as Ansible splits them away")
    func lineBreaksBetweenSSHOptions() throws {
        let inventory = try Inventory.parse(yaml: """
            all:
              hosts:
                mta1:
                  ansible_ssh_common_args: |
                    -o StrictHostKeyChecking=accept-new
                    -o Port=2222
            """)
        #expect(inventory.hosts[0].sshOptions == ["StrictHostKeyChecking=accept-new", "Port=2222"])
    }

    @Test("Other variables may hold control characters: only connection values are refused")
    func otherVariablesPass() throws {
        let inventory = try Inventory.parse(yaml: "all:\n  hosts:\n    mta1:\n      motd: \"a\\tb\\nc\"\n")
        #expect(inventory.hosts[0].vars["motd"] == .string("a\tb\nc"))
    }

    @Test("A control character in a host name, YAML and INI")
    func controlCharacterInHostName() {
        #expect(yamlError("all:\n  hosts:\n    \"mta1\\0\":\n")
            == "3:5: error: the host name holds a control character (U+0000) after 4 characters; it cannot hold one")
        #expect(yamlError("all:\n  children:\n    border:\n      hosts:\n        \"mta\\e[1:3]\":\n")
            == "5:9: error: the host name holds a control character (U+001B) after 3 characters; it cannot hold one")
        #expect(iniError("[border]\n\"mta1\u{7}\"\n")
            == "2:1: error: the host name holds a control character (U+0007) after 4 characters; it cannot hold one")
    }

    @Test("A host name that is '.', '..' or has a '/': refused at its line, whatever the format")
    func hostNamesThatAreNotDirectoryNames() {
        for name in ["..", ".", "../x", "a/../../b", "/etc/postfix", "mta1/"] {
            let message = "'\(name)' cannot be a host name: postfleet writes a host's files under a directory of its name"
                + " (render --out), so a host name is not '.' or '..' and has no '/'"
            #expect(yamlError("all:\n  hosts:\n    \"\(name)\":\n") == "3:5: error: \(message)", "\(name)")
            #expect(iniError("[border]\nmta0\n\(name) ansible_host=198.18.0.9\n") == "3:1: error: \(message)", "\(name)")
        }
    }

    @Test("IPv6 addresses, ports, ranges and other printable names are kept as written")
    func printableNamesPass() throws {
        let inventory = try Inventory.parse(ini: "[border]\n2001:db8::25\n[2001:db8::26]:2222\nmta[1:2].example.net\nmx_1@site\n")
        #expect(inventory.hosts.map(\.name) == ["2001:db8::25", "2001:db8::26", "mta1.example.net", "mta2.example.net", "mx_1@site"])
    }
}
