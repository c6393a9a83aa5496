import Inventory
import Testing

@testable import AnsibleConfig

/// ansible.cfg read as Python's configparser reads it (each expected value is what Python
/// 3.11's `ConfigParser(inline_comment_prefixes=(';',))` gives for the same text).
@Suite("ansible.cfg: Python's configparser rules, errors at FILE:LINE:COL")
struct ConfigFileTests {
    func parse(_ text: String) throws -> ConfigFile {
        try ConfigFile.parse(SourceText(path: "ansible.cfg", text: text))
    }

    @Test("Comments, ';' after white space, indented lines going on with a value, ':' as '=', lowercased keys, [DEFAULT]")
    func basics() throws {
        let file = try parse("""
            [defaults]
            # comment
            ; comment
            inventory = a,   ; inline
                b
            Forks: 7
            x = a;b
            y = "quoted"  # not a comment
            [DEFAULT]
            remote_user = fromdefault
            [ssh_connection]
            timeout = 3
            """)
        #expect(file.entry(section: "defaults", key: "inventory")?.value == "a,\nb")
        #expect(file.entry(section: "defaults", key: "forks") == .init(value: "7", line: 6, column: 8))
        #expect(file.entry(section: "defaults", key: "x")?.value == "a;b")
        #expect(file.entry(section: "defaults", key: "y")?.value == "\"quoted\"  # not a comment")
        #expect(file.entry(section: "ssh_connection", key: "remote_user")?.value == "fromdefault")
        #expect(file.entry(section: "ssh_connection", key: "timeout")?.value == "3")
        #expect(file.entry(section: "Defaults", key: "forks") == nil)
    }

    @Test("Blank lines inside a value, a comment line inside a value, indented keys, text after a header", arguments: [
        ("[s]\na =\n  one\n\n  two\n\nb = 2\n", "a", "\none\n\ntwo"),
        ("[s]\n  a = 1\n  b = 2\n", "b", "2"),
        ("[s]\na = 1\n  # c\n  2\n", "a", "1\n2"),
        ("[s] trailing\na=1\n", "a", "1"),
    ])
    func values(_ text: String, _ key: String, _ value: String) throws {
        #expect(try parse(text).entry(section: "s", key: key)?.value == value)
    }

    @Test("What Python refuses, refused at its line", arguments: [
        ("a = 1\n", 1, 1, "a setting before any section"),
        ("[s]\njust words\n", 2, 1, "expected KEY = VALUE"),
        ("[s]\n[t]\n[s]\n", 3, 1, "section [s] appears twice"),
        ("[s]\nA=1\na = 2\n", 3, 1, "'a' is set twice in [s]"),
        ("[s]\n= 1\n", 2, 1, "the key before '=' is empty"),
    ])
    func refused(_ text: String, _ line: Int, _ column: Int, _ message: String) throws {
        let error = try #require(throws: SourceError.self) { try parse(text) }
        #expect(error.line == line && error.column == column && error.message.hasPrefix(message), "\(error)")
        #expect(error.description.hasPrefix("ansible.cfg:\(line):\(column): error: "))
    }
}
