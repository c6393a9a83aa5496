import Foundation
import Testing

@testable import Inventory

@Suite("Errors in inventory files: FILE:LINE:COL: error: MESSAGE, the line, a caret")
struct InventoryErrorTests {
    /// Loads `yaml` from a file and checks the whole error text: the location and message,
    /// the quoted source line (given in full, as written), and the caret under `column`.
    func expectError(
        _ yaml: String, line: Int, column: Int, _ message: String, sourceLine: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let (path, error) = try loadError(yaml, sourceLocation: sourceLocation)
        let caret = String(repeating: " ", count: column - 1) + "^"
        #expect(
            error.description == "\(path):\(line):\(column): error: \(message)\n\(sourceLine)\n\(caret)",
            sourceLocation: sourceLocation)
        #expect(error.file == path, sourceLocation: sourceLocation)
        #expect(error.line == line, sourceLocation: sourceLocation)
        #expect(error.column == column, sourceLocation: sourceLocation)
        #expect(error.message == message, sourceLocation: sourceLocation)
    }

    // MARK: Malformed YAML

    @Test("Malformed YAML: libyaml's complaint, placed")
    func malformedIndentation() throws {
        try expectError("""
            all:
              hosts:
                mta1:
               bad
            """, line: 4, column: 4,
            "invalid YAML: did not find expected key (while parsing a block mapping at line 2, column 3)",
            sourceLine: "   bad")
    }

    @Test("Malformed YAML: an unclosed flow sequence")
    func malformedFlow() throws {
        try expectError("""
            all:
              vars:
                relays: [mailhub, backup
              hosts:
                mta1:
            """, line: 4, column: 8,
            "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 3, column 13)",
            sourceLine: "  hosts:")
    }

    @Test("Malformed YAML: a tab for indentation")
    func malformedTab() throws {
        try expectError("all:\n\thosts:\n", line: 2, column: 1,
            "invalid YAML: a tab cannot indent YAML; use spaces",
            sourceLine: "\thosts:")
    }

    @Test("Malformed YAML: a colon inside a plain value")
    func malformedColon() throws {
        try expectError("""
            all:
              vars:
                relay: smtp: mailhub
            """, line: 3, column: 16,
            "invalid YAML: mapping values are not allowed in this context",
            sourceLine: "    relay: smtp: mailhub")
    }

    @Test("Malformed YAML: the same key twice in one mapping")
    func duplicateKey() throws {
        try expectError("""
            all:
              hosts:
                mta1:
                mta2:
                mta1:
            """, line: 3, column: 5,
            "invalid YAML: key 'mta1' appears more than once in the same mapping",
            sourceLine: "    mta1:")
    }

    // MARK: Structure

    @Test("An unknown key in a group suggests the nearest of hosts, children, vars")
    func unknownKeySuggestion() throws {
        try expectError("""
            all:
              children:
                border:
                  childen:
                    border_eu:
            """, line: 4, column: 7,
            "unknown key 'childen' in group 'border'; did you mean 'children'?",
            sourceLine: "      childen:")
    }

    @Test("An unknown key far from any: the keys a group may have")
    func unknownKeyNoSuggestion() throws {
        try expectError("""
            all:
              hosts:
                mta1:
              members:
                mta2:
            """, line: 4, column: 3,
            "unknown key 'members' in group 'all'; a group has only 'hosts', 'children' and 'vars'",
            sourceLine: "  members:")
    }

    @Test("A variable written straight into a group says where variables go")
    func variableOutsideVars() throws {
        try expectError("""
            all:
              ansible_user: deploy
            """, line: 2, column: 3,
            "unknown key 'ansible_user' in group 'all'; a group's variables go under 'vars:'",
            sourceLine: "  ansible_user: deploy")
    }

    @Test("hosts: as a list")
    func hostsAsList() throws {
        try expectError("""
            all:
              children:
                border:
                  hosts:
                    - mta1
                    - mta2
            """, line: 5, column: 9,
            "'hosts' of group 'border' must be a mapping, not a list; write each host as a key ending in ':'",
            sourceLine: "        - mta1")
    }

    @Test("children: as a list")
    func childrenAsList() throws {
        try expectError("""
            all:
              children: [border, canary]
            """, line: 2, column: 13,
            "'children' of group 'all' must be a mapping, not a list; write each child group as a key ending in ':'",
            sourceLine: "  children: [border, canary]")
    }

    @Test("vars: as a list")
    func varsAsList() throws {
        try expectError("""
            all:
              vars:
                - relay: mailhub
            """, line: 3, column: 5,
            "'vars' of group 'all' must be a mapping of names to values, not a list",
            sourceLine: "    - relay: mailhub")
    }

    @Test("A group body that is not a mapping")
    func groupBodyNotMapping() throws {
        try expectError("""
            all:
              children:
                border: mta1
            """, line: 3, column: 13,
            "group 'border' must be a mapping with 'hosts', 'children' or 'vars', not a string",
            sourceLine: "    border: mta1")
    }

    @Test("A host body that is not a mapping")
    func hostBodyNotMapping() throws {
        try expectError("""
            all:
              hosts:
                mta1: 198.18.0.11
            """, line: 3, column: 11,
            "host 'mta1' must be followed by a mapping of its variables, or nothing; not a string",
            sourceLine: "    mta1: 198.18.0.11")
    }

    @Test("An empty file")
    func emptyFile() throws {
        let (path, error) = try loadError("# nothing yet\n")
        #expect(error.description == "\(path):1:1: error: the inventory is empty; it should start with 'all:'\n# nothing yet\n^")
    }

    @Test("A list at the top")
    func topLevelList() throws {
        try expectError("- mta1\n- mta2\n", line: 1, column: 1,
            "an inventory must be a mapping of groups starting with 'all:', not a list",
            sourceLine: "- mta1")
    }

    @Test("An inventory plugin configuration")
    func plugin() throws {
        try expectError("plugin: aws_ec2\nregions: [eu-west-1]\n", line: 1, column: 1,
            "'plugin:' configures an Ansible inventory plugin, which postfleet does not run; list the hosts under 'all:'",
            sourceLine: "plugin: aws_ec2")
    }

    // MARK: Values

    @Test("ansible_port that is not a number, on a host")
    func portNotANumber() throws {
        try expectError("""
            all:
              hosts:
                mta1:
                  ansible_port: abc
            """, line: 4, column: 21,
            #"ansible_port must be a port number from 1 to 65535, not "abc""#,
            sourceLine: "      ansible_port: abc")
    }

    @Test("ansible_port out of range, in a group's vars, even where a host overrides it")
    func portOutOfRange() throws {
        try expectError("""
            all:
              vars:
                ansible_port: 70000
              hosts:
                mta1: { ansible_port: 22 }
            """, line: 3, column: 19,
            "ansible_port must be a port number from 1 to 65535, not 70000",
            sourceLine: "    ansible_port: 70000")
    }

    @Test("ansible_host that is a list")
    func hostNotText() throws {
        try expectError("""
            all:
              hosts:
                mta1: { ansible_host: [a, b] }
            """, line: 3, column: 27,
            "ansible_host must be a host name or address, not a list",
            sourceLine: "    mta1: { ansible_host: [a, b] }")
    }

    @Test("A port after the host name out of range")
    func keyPortOutOfRange() throws {
        try expectError("""
            all:
              hosts:
                mta1:99999:
            """, line: 3, column: 5,
            "the port in 'mta1:99999' must be from 1 to 65535",
            sourceLine: "    mta1:99999:")
    }

    @Test("An unknown YAML tag")
    func unknownTag() throws {
        try expectError("""
            all:
              vars:
                relay: !secret mailhub
            """, line: 3, column: 12,
            "unknown YAML tag '!secret'",
            sourceLine: "    relay: !secret mailhub")
    }

    // MARK: Host ranges

    @Test("A range that goes backwards: the caret under the bracket")
    func rangeBackwards() throws {
        try expectError("""
            all:
              hosts:
                mta[3:1]:
            """, line: 3, column: 8,
            "bad host range 'mta[3:1]': the start '3' is after the end '1'",
            sourceLine: "    mta[3:1]:")
    }

    @Test("A range that is not numbers: a quoted key points at its start")
    func rangeNotNumbers() throws {
        try expectError("""
            all:
              hosts:
                "mta[1:x]":
            """, line: 3, column: 5,
            "bad host range 'mta[1:x]': '1' and 'x' must both be numbers or both be single letters",
            sourceLine: "    \"mta[1:x]\":")
    }

    @Test("A zero-padded range whose ends differ in width")
    func rangePadding() throws {
        try expectError("""
            all:
              children:
                border:
                  hosts:
                    mx-[01:100].example.com: { ansible_user: ops }
            """, line: 5, column: 12,
            "bad host range 'mx-[01:100].example.com': '01' is zero-padded, so '100' must have 2 digits too",
            sourceLine: "        mx-[01:100].example.com: { ansible_user: ops }")
    }

    // MARK: Group cycles

    @Test("A group that is its own ancestor: placed where the cycle closes")
    func cycle() throws {
        try expectError("""
            all:
              children:
                a:
                  children:
                    b:
                      children:
                        a:
            """, line: 7, column: 13,
            "group 'a' would be its own ancestor: a > b > a",
            sourceLine: "            a:")
    }

    @Test("A cycle through groups defined in separate places")
    func cycleAcrossDefinitions() throws {
        try expectError("""
            all:
              children:
                border:
                  children:
                    eu:
                eu:
                  children:
                    fra:
                fra:
                  children:
                    border:
            """, line: 11, column: 9,
            "group 'border' would be its own ancestor: border > eu > fra > border",
            sourceLine: "        border:")
    }

    @Test("A group that is its own child")
    func selfCycle() throws {
        try expectError("""
            all:
              children:
                a:
                  children:
                    a:
            """, line: 5, column: 9,
            "group 'a' would be its own ancestor: a > a",
            sourceLine: "        a:")
    }

    @Test("'all' as a child")
    func allAsChild() throws {
        try expectError("""
            all:
              children:
                web:
                  children:
                    all:
            """, line: 5, column: 9,
            "group 'all' holds every group, so it cannot be a child of 'web'",
            sourceLine: "        all:")
    }

    // MARK: Files

    @Test("A file that does not exist: a plain message naming the path")
    func missingFile() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("nope.yml").path
            let error = try #require(throws: FileError.self) { try Inventory.load(path: path) }
            #expect(error == FileError(path: path, reason: .notFound))
            #expect(error.description == "\(path): error: no such file")
        }
    }

    @Test("A directory with no inventory in it (Ansible warns and goes on with no hosts)")
    func directory() throws {
        try withTemporaryDirectory { directory in
            try "x".write(to: directory.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
            let error = try #require(throws: InventorySourceError.self) { try Inventory.load(path: directory.path) }
            #expect(error.description.hasPrefix("\(directory.path): error: holds no inventory: every entry is hidden"))
        }
    }

    @Test("A file that is not UTF-8")
    func notUTF8() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("latin1.yml").path
            try Data([0x61, 0x6C, 0x6C, 0x3A, 0x20, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: path))
            let error = try #require(throws: FileError.self) { try Inventory.load(path: path) }
            #expect(error.description == "\(path): error: is not UTF-8 text")
        }
    }
}

@Suite("SourceError's text")
struct SourceErrorTests {
    @Test("Location, message, line, caret")
    func layout() {
        let error = SourceError(file: "inv.yml", line: 2, column: 5, message: "bad", sourceLine: "  x: 1")
        #expect(error.location == "inv.yml:2:5")
        #expect(error.description == "inv.yml:2:5: error: bad\n  x: 1\n    ^")
    }

    @Test("Tabs before the column are kept so the caret lines up")
    func tabs() {
        let error = SourceError(file: "f", line: 1, column: 4, message: "m", sourceLine: "\ta\tb")
        #expect(error.description == "f:1:4: error: m\n\ta\tb\n\t \t^")
    }

    @Test("Columns count Unicode scalars")
    func unicode() {
        let error = SourceError(file: "f", line: 1, column: 3, message: "m", sourceLine: "é:x")
        #expect(error.caretLine == "  ^")
    }

    @Test("SourceText finds lines across LF, CRLF and CR; a BOM is dropped")
    func lines() {
        let source = SourceText(path: "f", text: "\u{FEFF}a\r\nb\rc\nd")
        #expect(source.text.hasPrefix("a"))
        #expect([1, 2, 3, 4, 5].map(source.line) == ["a", "b", "c", "d", ""])
        #expect(source.error("m", line: 2, column: 1).description == "f:2:1: error: m\nb\n^")
    }
}
