import Testing

@testable import Inventory

@Suite("Errors in INI inventories: FILE:LINE:COL: error: MESSAGE, the line, a caret")
struct INIErrorTests {
    /// Loads `text` from a file named `hosts` and checks the whole error text.
    func expectError(
        _ text: String, line: Int, column: Int, _ message: String, name: String = "hosts",
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let (directory, error) = try loadError([name: text], inventory: name, sourceLocation: sourceLocation)
        let path = directory + "/" + name
        let sourceLine = text.split(separator: "\n", omittingEmptySubsequences: false)[line - 1]
        var caret = ""
        for scalar in sourceLine.unicodeScalars.prefix(column - 1) { caret += scalar == "\t" ? "\t" : " " }
        #expect(
            error.description == "\(path):\(line):\(column): error: \(message)\n\(sourceLine)\n\(caret)^",
            sourceLocation: sourceLocation)
    }

    @Test("An unknown section type, with the one meant")
    func unknownSectionType() throws {
        try expectError("[border]\nmta1\n[border:var]\nrelay=mailhub\n", line: 3, column: 9,
            "unknown section type ':var' in [border:var]; did you mean ':vars'?")
        try expectError("[border:hosts]\nmta1\n", line: 1, column: 9,
            "unknown section type ':hosts' in [border:hosts]; a section is [border], [border:vars] or [border:children]")
    }

    @Test("A section header with a space in the group name, or none")
    func badSectionHeader() throws {
        try expectError("[border hosts]\nmta1\n", line: 1, column: 8,
            "the group name in [border hosts] cannot contain spaces; Ansible group names are letters, digits and '_'")
        try expectError("mta1\n[]\n", line: 2, column: 2, "the group name in [] is empty")
        try expectError("[border:x y]\n", line: 1, column: 1,
            "[border:x y] is not a section header; write [group], [group:vars] or [group:children]")
        try expectError("[border]\n[2001:db8::1]\n", line: 2, column: 1,
            "[2001:db8::1] is not a section header; write [group], [group:vars] or [group:children] (an IPv6 host is written without brackets, or with a port: [2001:db8::1]:22)")
    }

    @Test("Host lines: an unclosed quote, a word that is not key=value, an empty name")
    func badHostLines() throws {
        try expectError("[border]\nmta1 motd=\"hello\n", line: 2, column: 11,
            "cannot read this host line: no closing quotation mark for the \" opened here")
        try expectError("[border]\n  mta1 relay mailhub\n", line: 2, column: 8,
            "expected NAME=VALUE after the host, found 'relay'; quote a value that has spaces")
        try expectError("[border]\nmta1 =mailhub\n", line: 2, column: 6, "a variable name cannot be empty")
        try expectError("[border]\nmta1 relay=x\\", line: 2, column: 13,
            "cannot read this host line: no character after the backslash")
    }

    @Test("Host names: a trailing ':', a bad port, a bad range, YAML's '---'")
    func badHostNames() throws {
        try expectError("[border]\nmta1:\n", line: 2, column: 5,
            "host 'mta1:' ends in ':', which Ansible keeps for a port: write mta1 or mta1:PORT")
        try expectError("[border]\nmta1:70000\n", line: 2, column: 1, "the port in 'mta1:70000' must be from 1 to 65535")
        try expectError("[border]\nmta[3:1]\n", line: 2, column: 4, "bad host range 'mta[3:1]': the start '3' is after the end '1'")
        try expectError("[border]\nmta[01:9]\n", line: 2, column: 4,
            "bad host range 'mta[01:9]': '01' is zero-padded, so '9' must have 2 digits too")
        try expectError("---\nall:\n", line: 1, column: 1,
            "'---' is not a host name: this file is read as INI, but it looks like YAML; name it .yml", name: "hosts.ini")
    }

    @Test("Values: a bad connection variable, an integer past 64 bits, a \\N escape, a bad priority")
    func badValues() throws {
        try expectError("[border]\nmta1 ansible_port=ssh\n", line: 2, column: 19,
            "ansible_port must be a port number from 1 to 65535, not \"ssh\"")
        try expectError("[border:vars]\nansible_port = 0\n[border]\n", line: 2, column: 16,
            "ansible_port must be a port number from 1 to 65535, not 0")
        try expectError("[border]\nmta1\n[border:vars]\nserial=123456789012345678901\n", line: 4, column: 8,
            "the integer 123456789012345678901 is too large; postfleet holds integers up to 64 bits (quote it to keep it as text)")
        try expectError("[border:vars]\nname='\\N{BULLET}'\n[border]\n", line: 2, column: 6,
            "\\N{...} escapes (characters by name) are not supported; write the character itself")
        try expectError("[border]\n[border:vars]\nansible_group_priority=high\n", line: 3, column: 24,
            "ansible_group_priority must be an integer, not 'high'")
    }

    @Test(":vars and :children lines that are not what the section holds")
    func badSectionLines() throws {
        try expectError("[border]\n[border:vars]\nrelay mailhub\n", line: 3, column: 1,
            "expected NAME=VALUE in [border:vars], found 'relay mailhub'")
        try expectError("[border]\n[border:vars]\n  = mailhub\n", line: 3, column: 3, "a variable name cannot be empty")
        try expectError("[border]\n[clusters:children]\nborder eu\n", line: 3, column: 8,
            "expected a group name in [clusters:children], found 'border eu'; a group name has no spaces, ':' or ']'")
    }

    @Test("A child group or :vars section for a group no section defines, as Ansible refuses")
    func undefinedGroups() throws {
        try expectError("[clusters:children]\nborder\ninbound\n\n[border]\nmta1\n", line: 3, column: 1,
            "group 'inbound' in [clusters:children] is not defined: no [inbound] or [inbound:children] section; add a [inbound] section (it may be empty)")
        try expectError("[border]\nmta1\n[clusters:children]\nbordr\n", line: 4, column: 1,
            "group 'bordr' in [clusters:children] is not defined: no [bordr] or [bordr:children] section; did you mean 'border'?")
        try expectError("[border]\nmta1\n[inbound:vars]\nrelay=mailhub\n", line: 3, column: 2,
            "[inbound:vars] sets variables of group 'inbound', which no [inbound] or [inbound:children] section defines; add a [inbound] section (it may be empty)")
    }

    @Test("A group that would be its own ancestor")
    func cycle() throws {
        try expectError("[a:children]\nb\n[b:children]\nc\n[c:children]\na\n", line: 6, column: 1,
            "group 'a' would be its own ancestor: a > b > c > a")
    }
}
