import Testing

@testable import SSHConfig

/// A control character in an ssh_config argument is refused at its line, as in the
/// inventory's connection values: C would cut `HostName 198.18.0.7<NUL>x` short at the NUL.
@Suite struct ControlCharacterConfigTests {
    func failure(_ text: String) -> String? {
        do throws(ClientConfigError) {
            _ = try SSHClientConfig.parse(text, path: "cfg", home: "/home/ops", localUser: "ops", includeBase: "/home/ops/.ssh")
            return nil
        } catch {
            return error.description
        }
    }

    @Test(arguments: [
        ("Host mta1\n  HostName 198.18.0.7\u{0}.example.net\n", "HostName", 12),
        ("Host mta1\n  User ops\u{1B}[2J\n", "User", 8),
        ("Host mta1\n  ProxyJump \"bastion\u{85}\"\n", "ProxyJump", 13),
        ("Host mta1\n  IdentityFile ~/.ssh/id\u{7}\n", "IdentityFile", 16),
    ])
    func aControlCharacterIsRefusedAtItsWord(text: String, keyword: String, column: Int) {
        let line = text.split(separator: "\n")[1]
        #expect(failure(text) == "cfg:2:\(column): error: an argument of \(keyword) holds a control character; it cannot hold one\n\(line)\n"
            + String(repeating: " ", count: column - 1) + "^")
    }

    @Test func tabsAndACarriageReturnAtTheEndArePassed() {
        #expect(failure("Host mta1\r\n\tHostName\t198.18.0.7\r\n\tPort 2222\n") == nil)
    }
}
