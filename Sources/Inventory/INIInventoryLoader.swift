/// Ansible's INI inventory format, as its `ini` inventory plugin reads it:
///
///     mailhub.example.com              # before any section: in 'ungrouped'
///
///     [border]
///     mta[1:8] relay=mailhub           # a range, with variables for each host
///     mta9:2222 ansible_user=ops       # host:port
///
///     [border:vars]
///     myorigin=example.com
///
///     [clusters:children]
///     border
///
/// Lines starting with `#` or `;` are comments. A host line is split as a POSIX shell splits
/// words (quotes keep spaces, `#` starts a comment); each value, on a host line or in a
/// `:vars` section, is read as a Python literal when it is one (`8080`, `True`, `'010'`,
/// `[1, 2]`) and kept as text otherwise (`yes`, `010`, `mailhub # relay`).
/// A group listed under `:children`, or given `:vars`, must have a section of its own
/// somewhere in the file, as Ansible requires.
struct INIInventoryLoader {
    private enum SectionKind: String, CaseIterable {
        case hosts, children, vars
    }

    /// A group named under `[x:children]` or `[x:vars]` before any `[x]` or
    /// `[x:children]` declared it (Ansible's `pending_declarations`).
    private struct Pending {
        let kind: SectionKind
        var parents: [String]
        let line: Int
        let column: Int
    }

    private let source: SourceText
    private var builder = InventoryBuilder()
    private var pendingOrder: [String] = []
    private var pending: [String: Pending] = [:]

    private init(source: SourceText) {
        self.source = source
    }

    static func load(_ source: SourceText, home: String? = nil) throws(SourceError) -> Inventory {
        try builder(source).build(path: source.path, home: home)
    }

    /// What the file says, not yet built into an inventory.
    static func builder(_ source: SourceText) throws(SourceError) -> InventoryBuilder {
        var builder = InventoryBuilder()
        try read(source, into: &builder)
        return builder
    }

    /// Adds what the file says to `builder`: as in Ansible, a group an earlier source
    /// defined counts as defined here.
    static func read(_ source: SourceText, into builder: inout InventoryBuilder) throws(SourceError) {
        var loader = INIInventoryLoader(source: source)
        swap(&loader.builder, &builder)
        defer { swap(&loader.builder, &builder) }
        try loader.read()
    }

    /// One line without its surrounding white space, and where it starts.
    private struct Line {
        let number: Int
        let text: String
        /// The column (from 1) of the first character of `text`.
        let column: Int

        /// The column of the character `offset` scalars into `text`.
        func column(at offset: Int) -> Int { column + offset }
    }

    private mutating func read() throws(SourceError) {
        var group = Group.ungrouped
        var kind = SectionKind.hosts
        guard source.lineCount > 0 else { return }
        for number in 1...source.lineCount {
            let raw = source.line(number)
            let leading = raw.unicodeScalars.prefix { $0.isPythonSpace }.count
            let text = raw.trimmingPythonSpace()
            guard let first = text.unicodeScalars.first, first != "#", first != ";" else { continue }
            let line = Line(number: number, text: text, column: leading + 1)

            if let section = try section(line) {
                group = section.group
                kind = section.kind
                declare(group, kind: kind, at: line, column: line.column(at: 1))
                try resolvePending(group, kind: kind, at: line, column: line.column(at: 1))
                continue
            }
            switch kind {
            case .hosts: try readHosts(line, group: group)
            case .vars: try readVariable(line, group: group)
            case .children: try readChild(line, group: group)
            }
        }
        if let name = pendingOrder.first(where: { pending[$0] != nil }), let declaration = pending[name] {
            throw undefinedGroupError(name, declaration)
        }
    }

    // MARK: Sections

    /// `[name]`, `[name:vars]` or `[name:children]`, with maybe a `#` comment after;
    /// nil for a line that is not a section header.
    private func section(_ line: Line) throws(SourceError) -> (group: String, kind: SectionKind)? {
        let scalars = Array(line.text.unicodeScalars)
        guard scalars.first == "[" else { return nil }
        let isNameCharacter = { (scalar: Unicode.Scalar) in scalar != ":" && scalar != "]" && !scalar.isPythonSpace }
        var index = 1
        while index < scalars.count, isNameCharacter(scalars[index]) { index += 1 }
        let name = String(String.UnicodeScalarView(scalars[1..<index]))
        var type: String?
        let typeStart = index + 1
        if index < scalars.count, scalars[index] == ":" {
            index += 1
            while index < scalars.count, scalars[index].isWordCharacter { index += 1 }
            type = String(String.UnicodeScalarView(scalars[typeStart..<index]))
        }
        var rest = index < scalars.count && scalars[index] == "]" ? Array(scalars[(index + 1)...]) : nil
        rest = rest.map { Array($0.drop { $0.isPythonSpace }) }
        let isHeader = !name.isEmpty && type != "" && (rest.map { $0.isEmpty || $0.first == "#" } ?? false)

        guard isHeader else {
            // Ansible reads a line like "[2001:db8::1]:2222" as a host; one that also ends
            // in ']' can only have been meant as a section.
            guard scalars.last == "]" else { return nil }
            throw invalidSection(line, scalars: scalars, nameEnd: 1 + name.unicodeScalars.count)
        }
        guard let type else { return (name, .hosts) }
        guard let kind = SectionKind(rawValue: type), kind != .hosts else {
            var message = "unknown section type ':\(type)' in [\(name):\(type)]"
            if let suggestion = Suggestion.nearest(to: type, among: ["vars", "children"]) {
                message += "; did you mean ':\(suggestion)'?"
            } else {
                message += "; a section is [\(name)], [\(name):vars] or [\(name):children]"
            }
            throw source.error(message, line: line.number, column: line.column(at: typeStart))
        }
        return (name, kind)
    }

    private func invalidSection(_ line: Line, scalars: [Unicode.Scalar], nameEnd: Int) -> SourceError {
        let header = line.text
        if nameEnd == 1 {
            let what = scalars.count > 1 && scalars[1].isPythonSpace ? "cannot start with a space" : "is empty"
            return source.error("the group name in \(header) \(what)", line: line.number, column: line.column(at: 1))
        }
        let bad = nameEnd < scalars.count ? scalars[nameEnd] : "]"
        if bad.isPythonSpace {
            return source.error(
                "the group name in \(header) cannot contain spaces; Ansible group names are letters, digits and '_'",
                line: line.number, column: line.column(at: nameEnd))
        }
        var message = "\(header) is not a section header; write [group], [group:vars] or [group:children]"
        if scalars.filter({ $0 == ":" }).count >= 2 {
            message += " (an IPv6 host is written without brackets, or with a port: [2001:db8::1]:22)"
        }
        return source.error(message, line: line.number, column: line.column(at: 0))
    }

    /// As Ansible: `[g]` and `[g:children]` declare g; `[g:vars]` alone does not.
    private mutating func declare(_ group: String, kind: SectionKind, at line: Line, column: Int) {
        if !builder.hasGroup(group) {
            if kind == .vars && pending[group] == nil {
                pending[group] = Pending(kind: .vars, parents: [], line: line.number, column: column)
                pendingOrder.append(group)
            }
            builder.addGroup(group)
        }
    }

    /// A group declared at last: it joins the parents that named it before.
    private mutating func resolvePending(_ group: String, kind: SectionKind, at line: Line, column: Int) throws(SourceError) {
        guard kind != .vars, let declaration = pending[group] else { return }
        if declaration.kind == .children {
            for parent in declaration.parents {
                try addChild(group, to: parent, line: line.number, column: column)
            }
        }
        pending[group] = nil
    }

    private func undefinedGroupError(_ name: String, _ declaration: Pending) -> SourceError {
        // A group already under the same parent is not what was meant.
        let siblings = declaration.parents.flatMap { builder.children(of: $0) }
        let known = builder.groupNames.filter { pending[$0] == nil && !siblings.contains($0) }
        let hint = Suggestion.nearest(to: name, among: known).map { "; did you mean '\($0)'?" }
        switch declaration.kind {
        case .vars:
            return source.error(
                "[\(name):vars] sets variables of group '\(name)', which no [\(name)] or [\(name):children] section defines"
                    + (hint ?? "; add a [\(name)] section (it may be empty)"),
                line: declaration.line, column: declaration.column)
        default:
            let parent = declaration.parents.first ?? Group.all
            return source.error(
                "group '\(name)' in [\(parent):children] is not defined: no [\(name)] or [\(name):children] section"
                    + (hint ?? "; add a [\(name)] section (it may be empty)"),
                line: declaration.line, column: declaration.column)
        }
    }

    // MARK: [group]: hosts

    private mutating func readHosts(_ line: Line, group: String) throws(SourceError) {
        let words: [Shlex.Word]
        do throws(Shlex.Problem) {
            words = try Shlex.split(line.text)
        } catch {
            throw source.error("cannot read this host line: \(error.message)", line: line.number, column: line.column(at: error.offset))
        }
        guard let first = words.first else { return }
        let (pattern, hosts, port) = try hostPattern(first, line: line)
        if let problem = HostName.problem(pattern, expandingTo: hosts) {
            throw source.error(problem, line: line.number, column: line.column(at: first.offset))
        }
        let vars = try hostVariables(words.dropFirst(), line: line)
        for host in hosts {
            do throws(InventoryProblem) {
                try builder.addHost(host, to: group, port: port)
            } catch {
                throw source.error(error.message, line: line.number, column: line.column(at: first.offset))
            }
            for (name, value, column) in vars {
                do throws(InventoryProblem) {
                    try builder.setVariable(name, value, ofHost: host)
                } catch {
                    throw source.error(error.message, line: line.number, column: column)
                }
            }
        }
    }

    /// Whether `word` is in the line as written, so that carets can point inside it (no
    /// quote or escape shifted it).
    private func isPlain(_ word: Shlex.Word, in line: Line) -> Bool {
        line.text.unicodeScalars.dropFirst(word.offset).starts(with: word.text.unicodeScalars)
    }

    /// A host line's first word: a host, a host with a port, or a range of hosts.
    private func hostPattern(_ first: Shlex.Word, line: Line) throws(SourceError) -> (pattern: String, hosts: [String], port: Int?) {
        let pattern = first.text
        let patternColumn = line.column(at: first.offset)
        if pattern.isEmpty {
            throw source.error("a host name cannot be empty", line: line.number, column: patternColumn)
        }
        if pattern.trimmingPythonSpace() == "---" {
            throw source.error(
                "'---' is not a host name: this file is read as INI, but it looks like YAML; name it .yml",
                line: line.number, column: patternColumn)
        }
        let split: (host: String, port: Int?)
        do throws(InventoryProblem) {
            split = try HostKey.splitPort(pattern)
        } catch {
            throw source.error(error.message, line: line.number, column: patternColumn)
        }
        if split.port == nil && pattern.trimmingPythonSpace().hasSuffix(":") {
            throw source.error(
                "host '\(pattern)' ends in ':', which Ansible keeps for a port: write \(pattern.dropLast()) or \(pattern)PORT",
                line: line.number, column: patternColumn + pattern.unicodeScalars.count - 1)
        }
        do throws(HostRange.Problem) {
            return (split.host, try HostKey.expand(split.host), split.port)
        } catch {
            let shift = isPlain(first, in: line) && pattern.hasPrefix(split.host) ? error.offset : 0
            throw source.error(error.message, line: line.number, column: patternColumn + shift)
        }
    }

    /// The `NAME=VALUE` words after the host, each value with the column it starts at.
    private func hostVariables(
        _ words: ArraySlice<Shlex.Word>, line: Line
    ) throws(SourceError) -> [(name: String, value: Value, column: Int)] {
        var vars: [(name: String, value: Value, column: Int)] = []
        for word in words {
            let column = line.column(at: word.offset)
            guard let equals = word.text.firstIndex(of: "=") else {
                throw source.error(
                    "expected NAME=VALUE after the host, found '\(word.text)'; quote a value that has spaces",
                    line: line.number, column: column)
            }
            let name = String(word.text[..<equals])
            let text = String(word.text[word.text.index(after: equals)...])
            let valueColumn = isPlain(word, in: line) ? column + name.unicodeScalars.count + 1 : column
            if name.isEmpty {
                throw source.error("a variable name cannot be empty", line: line.number, column: column)
            }
            vars.append((name, try value(text, line: line.number, column: valueColumn), valueColumn))
        }
        return vars
    }

    // MARK: [group:vars]

    private mutating func readVariable(_ line: Line, group: String) throws(SourceError) {
        guard let equals = line.text.firstIndex(of: "=") else {
            throw source.error(
                "expected NAME=VALUE in [\(group):vars], found '\(line.text)'",
                line: line.number, column: line.column)
        }
        let name = String(line.text[..<equals]).trimmingPythonSpace()
        let afterEquals = line.text[line.text.index(after: equals)...]
        let text = String(afterEquals).trimmingPythonSpace()
        let valueOffset = line.text.unicodeScalars.distance(from: line.text.unicodeScalars.startIndex, to: equals) + 1
            + afterEquals.unicodeScalars.prefix { $0.isPythonSpace }.count
        let valueColumn = line.column(at: valueOffset)
        if name.isEmpty {
            throw source.error("a variable name cannot be empty", line: line.number, column: line.column)
        }
        let value = try value(text, line: line.number, column: valueColumn)
        do throws(InventoryProblem) {
            try builder.setVariable(name, value, ofGroup: group)
        } catch {
            throw source.error(error.message, line: line.number, column: valueColumn)
        }
    }

    // MARK: [group:children]

    private mutating func readChild(_ line: Line, group: String) throws(SourceError) {
        let scalars = Array(line.text.unicodeScalars)
        let nameEnd = scalars.firstIndex { $0 == ":" || $0 == "]" || $0.isPythonSpace } ?? scalars.count
        let rest = scalars[nameEnd...].drop { $0.isPythonSpace }
        guard nameEnd > 0, rest.isEmpty || rest.first == "#" else {
            throw source.error(
                "expected a group name in [\(group):children], found '\(line.text)'; a group name has no spaces, ':' or ']'",
                line: line.number, column: line.column(at: scalars.count - rest.count))
        }
        let child = String(String.UnicodeScalarView(scalars[..<nameEnd]))
        if builder.hasGroup(child) {
            try addChild(child, to: group, line: line.number, column: line.column)
        } else if pending[child] != nil {
            pending[child]!.parents.append(group)
        } else {
            pending[child] = Pending(kind: .children, parents: [group], line: line.number, column: line.column)
            pendingOrder.append(child)
        }
    }

    private mutating func addChild(_ child: String, to parent: String, line: Int, column: Int) throws(SourceError) {
        do throws(InventoryProblem) {
            try builder.addChild(child, to: parent)
        } catch {
            throw source.error(error.message, line: line, column: column)
        }
    }

    // MARK: Values

    /// A value as Ansible's INI plugin reads it: a Python literal, or the text.
    private func value(_ text: String, line: Int, column: Int) throws(SourceError) -> Value {
        switch PythonLiteral.evaluate(text) {
        case let .value(value): return value
        case .text: return .string(text)
        case let .unsupported(message): throw source.error(message, line: line, column: column)
        }
    }
}

extension Unicode.Scalar {
    /// Python's `\w` in a str pattern: letters, digits and `_`.
    var isWordCharacter: Bool {
        self == "_" || properties.isAlphabetic || properties.numericType != nil
    }
}
