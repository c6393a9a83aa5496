import Inventory

/// An INI file as Python's `configparser.ConfigParser(inline_comment_prefixes=(';',))`
/// reads it, which is how Ansible reads ansible.cfg:
///
///     [defaults]
///     inventory = inventories/prod/hosts.ini,   ; a comment after white space
///        inventories/prod/extra.yml             # an indented line goes on with the value
///     forks: 20                                 # ':' works as '=' does
///
/// Lines whose first character (after white space) is `#` or `;` are comments; `;` after
/// white space starts one at the end of a line (`#` does not). Keys are case-insensitive
/// (lowercased), section names are not. `[DEFAULT]` gives every section's fallbacks. A
/// setting before any section, a line without `=` or `:`, an empty key, a section or a key
/// given twice are errors, as in Python (strict mode).
struct ConfigFile {
    /// A value and where it starts, for errors.
    struct Entry: Equatable {
        var value: String
        let line: Int
        let column: Int
    }

    static let defaultSection = "DEFAULT"

    let source: SourceText
    private(set) var sections: [String: [String: Entry]] = [:]

    /// The value of `key` in `section`, else in `[DEFAULT]`; nil when neither has it.
    func entry(section: String, key: String) -> Entry? {
        sections[section]?[key] ?? sections[Self.defaultSection]?[key]
    }

    static func parse(_ source: SourceText) throws(SourceError) -> ConfigFile {
        var file = ConfigFile(source: source)
        var section: String?
        var option: String?
        var lines: [String] = []
        var indentLevel = 0
        var added: Set<String> = []

        func finish() {
            guard let section, let option else { return }
            var value = lines.joined(separator: "\n")
            while let last = value.unicodeScalars.last, last.properties.isWhitespace { value.unicodeScalars.removeLast() }
            file.sections[section]![option]!.value = value
        }

        let rawLines = source.text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, raw) in rawLines.enumerated() {
            let number = index + 1
            let line = Array(raw)
            let commentStart = commentStart(in: line)
            let kept = line[..<(commentStart ?? line.count)]
            guard let first = kept.firstIndex(where: { !$0.properties.isWhitespace }) else {
                // A blank line belongs to the value being read, unless it holds a comment.
                if commentStart == nil, option != nil { lines.append("") }
                continue
            }
            let last = kept.lastIndex(where: { !$0.properties.isWhitespace })!
            let text = Array(kept[first...last])
            let indent = line.firstIndex { !$0.properties.isWhitespace } ?? 0
            if option != nil, indent > indentLevel {
                lines.append(String(String.UnicodeScalarView(text)))
                continue
            }
            indentLevel = indent
            if let header = sectionHeader(text) {
                finish()
                option = nil
                if header != defaultSection {
                    if added.contains("[" + header) {
                        throw source.error("section [\(header)] appears twice; Ansible refuses that", line: number, column: first + 1)
                    }
                    added.insert("[" + header)
                }
                if file.sections[header] == nil { file.sections[header] = [:] }
                section = header
                continue
            }
            guard let current = section else {
                throw source.error("a setting before any section: start the file with a section such as [defaults]",
                                   line: number, column: first + 1)
            }
            guard let delimiter = text.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw source.error("expected KEY = VALUE (or a [section])", line: number, column: first + 1)
            }
            var keyEnd = delimiter
            while keyEnd > 0, text[keyEnd - 1].properties.isWhitespace { keyEnd -= 1 }
            guard keyEnd > 0 else { throw source.error("the key before '\(text[delimiter])' is empty", line: number, column: first + 1) }
            let key = String(String.UnicodeScalarView(text[..<keyEnd])).lowercased()
            if added.contains(current + "\u{0}" + key) {
                throw source.error("'\(key)' is set twice in [\(current)]; Ansible refuses that", line: number, column: first + 1)
            }
            added.insert(current + "\u{0}" + key)
            finish()
            var valueStart = delimiter + 1
            while valueStart < text.count, text[valueStart].properties.isWhitespace { valueStart += 1 }
            let value = String(String.UnicodeScalarView(text[valueStart...]))
            file.sections[current]![key] = Entry(value: value, line: number, column: first + valueStart + 1)
            option = key
            lines = [value]
        }
        finish()
        return file
    }

    /// `[name]`: Python's `\[(?P<header>.+)\]` matched at the start, so up to the last `]`.
    private static func sectionHeader(_ text: [Unicode.Scalar]) -> String? {
        guard text.first == "[", let close = text.lastIndex(of: "]"), close > 1 else { return nil }
        return String(String.UnicodeScalarView(text[1..<close]))
    }

    /// Where a comment starts: a line whose first non-blank character is `#` or `;`, or the
    /// first `;` at the start or after white space; nil when there is none.
    private static func commentStart(in line: [Unicode.Scalar]) -> Int? {
        if let first = line.first(where: { !$0.properties.isWhitespace }), first == "#" || first == ";" { return 0 }
        return line.indices.first { line[$0] == ";" && ($0 == 0 || line[$0 - 1].properties.isWhitespace) }
    }
}
