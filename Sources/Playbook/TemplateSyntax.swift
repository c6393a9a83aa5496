/// A position in a template's text: line and column from 1, the column in Unicode scalars.
struct TextPosition: Sendable, Hashable {
    var line: Int
    var column: Int
}

/// What a template's tags say, with where each one is: enough to check every name a
/// template uses against a host's variables before swift-mustache renders it (swift-mustache
/// renders a missing name as nothing and does not say where its tags are).
indirect enum TemplateNode: Sendable, Hashable {
    /// `{{name}}`, `{{{name}}}`, `{{&name}}`.
    case variable(name: String, at: TextPosition)
    /// `{{#name}}...{{/name}}`, or `{{^name}}...{{/name}}` when inverted.
    case section(name: String, inverted: Bool, at: TextPosition, body: [TemplateNode])
    /// Text between tags: how many bytes of UTF-8 it renders, for the bound on a rendering's size.
    case text(bytes: Int)
}

/// A mistake in a template's tags.
struct TemplateSyntaxError: Error, Sendable, Hashable {
    let message: String
    let position: TextPosition
}

/// Reads the tags of a Mustache template the way swift-mustache 2 reads them (names of
/// letters, digits and `._-?*`, `{{=<% %>=}}` to change delimiters, comments, pragmas) and
/// refuses what postfleet templates do not offer: partials, blocks, transforms.
enum TemplateSyntax {
    /// Sections open inside one another. swift-mustache's parser and renderer recurse once
    /// per section and overflow the stack a few thousand deep; a real template nests two or
    /// three, and 100 leaves the stack to the values' own nesting.
    static let maximumSectionDepth = 100

    static func parse(_ text: String) throws(TemplateSyntaxError) -> [TemplateNode] {
        var scanner = Scanner(Array(text.unicodeScalars))
        return try scanner.parse()
    }

    private struct Open {
        let name: String
        let inverted: Bool
        let position: TextPosition
        var body: [TemplateNode] = []
    }

    private struct Scanner {
        let scalars: [Unicode.Scalar]
        var index = 0
        var position = TextPosition(line: 1, column: 1)
        var openDelimiter: [Unicode.Scalar] = Array("{{".unicodeScalars)
        var closeDelimiter: [Unicode.Scalar] = Array("}}".unicodeScalars)

        init(_ scalars: [Unicode.Scalar]) {
            self.scalars = scalars
        }

        mutating func parse() throws(TemplateSyntaxError) -> [TemplateNode] {
            var stack: [Open] = [Open(name: "", inverted: false, position: position)]
            var textStart = index
            func addText(upTo end: Int) {
                let bytes = scalars[textStart..<end].reduce(0) { $0 + UTF8.width($1) }
                if bytes > 0 { stack[stack.count - 1].body.append(.text(bytes: bytes)) }
            }
            while advance(toNext: openDelimiter) {
                addText(upTo: index)
                defer { textStart = index }
                let tagPosition = position
                skip(openDelimiter.count)
                let sigil = index < scalars.count ? scalars[index] : nil
                switch sigil {
                case "!":
                    guard advance(toNext: closeDelimiter) else { throw unclosed(at: tagPosition) }
                    skip(closeDelimiter.count)
                case "=":
                    skip(1)
                    try changeDelimiters(at: tagPosition)
                case "%":
                    skip(1)
                    try pragma(at: tagPosition)
                case ">", "<", "$":
                    throw TemplateSyntaxError(
                        message: "partials and blocks ('\(String(String.UnicodeScalarView(openDelimiter)))\(String(sigil!))...') are not supported in postfleet templates",
                        position: tagPosition)
                case "#", "^":
                    skip(1)
                    let name = try name(try tagContent(at: tagPosition), at: tagPosition)
                    if stack.count > TemplateSyntax.maximumSectionDepth {
                        throw TemplateSyntaxError(
                            message: "'\(tag(String(sigil!) + name))' opens a section inside \(TemplateSyntax.maximumSectionDepth) others, more than postfleet templates nest (swift-mustache takes the stack per level; real templates nest a few)",
                            position: tagPosition)
                    }
                    stack.append(Open(name: name, inverted: sigil == "^", position: tagPosition))
                case "/":
                    skip(1)
                    try closeSection(&stack, at: tagPosition)
                case "{":
                    skip(1)
                    stack[stack.count - 1].body.append(.variable(name: try tripleName(at: tagPosition), at: tagPosition))
                case "&":
                    skip(1)
                    let name = try name(try tagContent(at: tagPosition), at: tagPosition)
                    stack[stack.count - 1].body.append(.variable(name: name, at: tagPosition))
                default:
                    let name = try name(try tagContent(at: tagPosition), at: tagPosition)
                    stack[stack.count - 1].body.append(.variable(name: name, at: tagPosition))
                }
            }
            addText(upTo: index)
            if let open = stack.last, stack.count > 1 {
                throw TemplateSyntaxError(
                    message: "the section '\(tag((open.inverted ? "^" : "#") + open.name))' is never closed: add '\(tag("/" + open.name))'",
                    position: open.position)
            }
            return stack[0].body
        }

        /// A tag as written with the current delimiters.
        private func tag(_ content: String) -> String {
            String(String.UnicodeScalarView(openDelimiter)) + content + String(String.UnicodeScalarView(closeDelimiter))
        }

        /// `{{% CONTENT_TYPE: TEXT }}`, the one pragma a text template may hold.
        private mutating func pragma(at tagPosition: TextPosition) throws(TemplateSyntaxError) {
            let content = try tagContent(at: tagPosition)
            let parts = content.split(separator: ":").map { trimmed(String($0)) }
            guard parts.count == 2, parts[0] == "CONTENT_TYPE", parts[1] == "TEXT" else {
                throw TemplateSyntaxError(
                    message: "postfleet templates are text; the only pragma is '{{% CONTENT_TYPE: TEXT }}', and it is the default",
                    position: tagPosition)
            }
        }

        /// `{{/name}}`: closes the innermost open section, which must have that name.
        private mutating func closeSection(_ stack: inout [Open], at tagPosition: TextPosition) throws(TemplateSyntaxError) {
            let name = try name(try tagContent(at: tagPosition), at: tagPosition)
            guard stack.count > 1 else {
                throw TemplateSyntaxError(message: "'\(tag("/" + name))' closes no section", position: tagPosition)
            }
            let open = stack.removeLast()
            guard open.name == name else {
                throw TemplateSyntaxError(
                    message: "'\(tag("/" + name))' does not close '\(tag((open.inverted ? "^" : "#") + open.name))' (line \(open.position.line), column \(open.position.column)); close it first with '\(tag("/" + open.name))'",
                    position: tagPosition)
            }
            stack[stack.count - 1].body.append(
                .section(name: open.name, inverted: open.inverted, at: open.position, body: open.body))
        }

        /// The name of `{{{name}}}`: up to `}` and the close delimiter.
        private mutating func tripleName(at tagPosition: TextPosition) throws(TemplateSyntaxError) -> String {
            let start = index
            guard advance(toNext: ["}"] + closeDelimiter) else { throw unclosed(at: tagPosition) }
            let content = String(String.UnicodeScalarView(scalars[start..<index]))
            skip(1 + closeDelimiter.count)
            return try name(content, at: tagPosition)
        }

        /// The text from here to the close delimiter, which is skipped.
        private mutating func tagContent(at tagPosition: TextPosition) throws(TemplateSyntaxError) -> String {
            let start = index
            guard advance(toNext: closeDelimiter) else { throw unclosed(at: tagPosition) }
            let content = String(String.UnicodeScalarView(scalars[start..<index]))
            skip(closeDelimiter.count)
            return content
        }

        private mutating func changeDelimiters(at tagPosition: TextPosition) throws(TemplateSyntaxError) {
            let end: [Unicode.Scalar] = ["="] + closeDelimiter
            let start = index
            guard advance(toNext: end) else { throw unclosed(at: tagPosition) }
            let content = String(String.UnicodeScalarView(scalars[start..<index]))
            skip(end.count)
            let parts = content.split(whereSeparator: \.isWhitespace)
            guard parts.count == 2 else {
                throw TemplateSyntaxError(
                    message: "a delimiter change is written '{{=<% %>=}}': two delimiters separated by a space",
                    position: tagPosition)
            }
            openDelimiter = Array(parts[0].unicodeScalars)
            closeDelimiter = Array(parts[1].unicodeScalars)
        }

        /// A tag's name, trimmed, as swift-mustache accepts it.
        private func name(_ content: String, at tagPosition: TextPosition) throws(TemplateSyntaxError) -> String {
            let name = trimmed(content)
            let open = String(String.UnicodeScalarView(openDelimiter))
            let close = String(String.UnicodeScalarView(closeDelimiter))
            guard !name.isEmpty else {
                throw TemplateSyntaxError(message: "empty tag '\(open)\(content)\(close)': name a variable", position: tagPosition)
            }
            if name.contains("(") || name.contains(")") {
                throw TemplateSyntaxError(
                    message: "'\(open)\(name)\(close)': transforms such as lowercased(x) are not supported in postfleet templates",
                    position: tagPosition)
            }
            guard name.unicodeScalars.allSatisfy(TemplateSyntax.isNameScalar) else {
                throw TemplateSyntaxError(
                    message: "'\(open)\(name)\(close)' is not a variable: names hold letters, digits, '_', '-' and '.' (for a field, as in instance.name)",
                    position: tagPosition)
            }
            return name
        }

        private func unclosed(at tagPosition: TextPosition) -> TemplateSyntaxError {
            let open = String(String.UnicodeScalarView(openDelimiter))
            let close = String(String.UnicodeScalarView(closeDelimiter))
            return TemplateSyntaxError(message: "'\(open)' is not closed by '\(close)'", position: tagPosition)
        }

        /// Moves to the next occurrence of `pattern`; false (at the end) when there is none.
        private mutating func advance(toNext pattern: [Unicode.Scalar]) -> Bool {
            while index < scalars.count {
                if matches(pattern, at: index) { return true }
                skip(1)
            }
            return false
        }

        private func matches(_ pattern: [Unicode.Scalar], at start: Int) -> Bool {
            guard start + pattern.count <= scalars.count else { return false }
            for offset in pattern.indices where scalars[start + offset] != pattern[offset] { return false }
            return true
        }

        private mutating func skip(_ count: Int) {
            for _ in 0..<count where index < scalars.count {
                if scalars[index] == "\n" {
                    position.line += 1
                    position.column = 1
                } else {
                    position.column += 1
                }
                index += 1
            }
        }

        private func trimmed(_ text: String) -> String {
            String(String.UnicodeScalarView(text.unicodeScalars.drop(while: \.properties.isWhitespace)
                .reversed().drop(while: \.properties.isWhitespace).reversed()))
        }
    }

    static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-", "?", "*": true
        default: false
        }
    }
}
