/// A host pattern as Ansible writes them (`hosts:` of a play, `--limit`):
///
/// - `all` or `*`; a host name; a group name
/// - wildcards `mta*`, `mta?`, `mta[12]`; a regular expression `~mta(1|2)` (matched at the
///   start of the name, as Python's `re.match`)
/// - several terms joined by `:` or `,`: `a:b` is a or b, `a:&b` is a and b, `a:!b` is a but not b.
///   As in Ansible, all the plain terms are taken first, then the `&` ones, then the `!` ones,
///   whatever order they are written in; only `&` and `!` terms means `all` first.
/// - a subscript on a term: `border[0]`, `border[-1]`, `border[0:2]`, `border[2:]`, counting
///   from 0 in inventory order, both ends included.
public struct HostPattern: Sendable, Hashable, CustomStringConvertible {
    public enum Operation: Sendable, Hashable {
        /// A plain term: its hosts are added.
        case union
        /// `&term`: only hosts also in it are kept.
        case intersection
        /// `!term`: its hosts are taken out.
        case exclusion
    }

    /// Which of a term's hosts to keep, by position in inventory order (from 0).
    public enum Selection: Sendable, Hashable {
        /// `[2]`, or `[-1]` for the last.
        case index(Int)
        /// `[0:2]`, both ends included; `[2:]` (end nil) to the last.
        case range(from: Int, through: Int?)
    }

    public struct Term: Sendable, Hashable, CustomStringConvertible {
        public let operation: Operation
        /// The name, wildcard or `~regex`, without its operator and subscript.
        public let expression: String
        public let selection: Selection?
        /// As written, with its operator and subscript.
        public let description: String

        /// `~...`: a regular expression.
        public var isRegex: Bool { expression.hasPrefix("~") }
        /// Has `*`, `?` or `[`.
        public var isWildcard: Bool { !isRegex && Glob.isWildcard(expression) }
    }

    /// The pattern as written.
    public let description: String
    /// The terms as written.
    public let terms: [Term]

    /// Parses a pattern.
    ///
    /// - Throws: `HostPatternError` for an empty pattern or term, a bad regular expression,
    ///   or an `[x-y]` subscript (Ansible removed them; write `[x:y]`).
    public init(_ text: String) throws(HostPatternError) {
        description = text
        let parts = Self.split(text)
        guard !parts.isEmpty else {
            throw HostPatternError(pattern: text, message: "the host pattern is empty")
        }
        terms = try parts.map { (part) throws(HostPatternError) in try Self.term(part, in: text) }
    }

    /// The terms in the order they apply: plain ones, then `&`, then `!`; `all` first when
    /// there is no plain term.
    var evaluationOrder: [Term] {
        var unions = terms.filter { $0.operation == .union }
        if unions.isEmpty {
            unions = [Term(operation: .union, expression: Group.all, selection: nil, description: Group.all)]
        }
        return unions + terms.filter { $0.operation == .intersection } + terms.filter { $0.operation == .exclusion }
    }

    /// Ansible's `split_host_pattern`: on commas if there are any, else on colons and
    /// whitespace outside brackets (so `border[0:2]` is one term). A bare IPv6 address is one term.
    static func split(_ text: String) -> [String] {
        if text.contains(",") {
            return text.split(separator: ",").map(trimmed).filter { !$0.isEmpty }
        }
        let trimmedText = trimmed(Substring(text))
        if isIPv6Address(trimmedText) { return [trimmedText] }
        var parts: [String] = []
        var current = ""
        var inBrackets = false
        for character in text {
            if inBrackets {
                current.append(character)
                if character == "]" { inBrackets = false }
            } else if character == ":" || character.isWhitespace {
                if !current.isEmpty { parts.append(current) }
                current = ""
            } else {
                current.append(character)
                if character == "[" { inBrackets = true }
            }
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }

    private static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    /// `fe80::1`, `2001:db8:0:0:0:0:0:1`: hex groups with `::` or eight groups.
    private static func isIPv6Address(_ text: String) -> Bool {
        let groups = text.split(separator: ":", omittingEmptySubsequences: false)
        guard groups.count >= 3, groups.count <= 8 || text.contains("::") else { return false }
        guard text.contains("::") || groups.count == 8 else { return false }
        return groups.allSatisfy { group in group.count <= 4 && group.allSatisfy(\.isHexDigit) }
    }

    private static func term(_ part: String, in pattern: String) throws(HostPatternError) -> Term {
        var expression = Substring(part)
        var operation = Operation.union
        if expression.hasPrefix("&") {
            operation = .intersection
            expression = expression.dropFirst()
        } else if expression.hasPrefix("!") {
            operation = .exclusion
            expression = expression.dropFirst()
        }
        guard !expression.isEmpty else {
            throw HostPatternError(pattern: pattern, message: "'\(part)' in host pattern \"\(pattern)\" names nothing")
        }
        if expression.hasPrefix("~") {
            do {
                _ = try Regex(String(expression.dropFirst()))
            } catch {
                throw HostPatternError(
                    pattern: pattern, message: "bad regular expression \"\(expression)\" in host pattern: \(error)")
            }
            return Term(operation: operation, expression: String(expression), selection: nil, description: part)
        }
        let (base, selection) = try subscripted(expression, in: pattern)
        return Term(operation: operation, expression: String(base), selection: selection, description: part)
    }

    /// `border[1]`, `border[-1]`, `border[0:2]` and `border[2:]` are subscripts (so, as in
    /// Ansible, `mta[12]` is the 13th host of `mta`, not a set); other brackets, such as
    /// `mta[a-c]`, are a wildcard's set.
    private static func subscripted(
        _ expression: Substring, in pattern: String
    ) throws(HostPatternError) -> (Substring, Selection?) {
        guard expression.hasSuffix("]"), let open = expression.lastIndex(of: "["), open > expression.startIndex else {
            return (expression, nil)
        }
        let base = expression[..<open]
        let inner = expression[expression.index(after: open)..<expression.index(before: expression.endIndex)]
        let digits = { (text: Substring) in !text.isEmpty && text.allSatisfy(\.isASCIIDigit) }

        if let index = Int(inner), digits(inner.hasPrefix("-") ? inner.dropFirst() : inner) {
            return (base, .index(index))
        }
        guard let separator = inner.firstIndex(where: { $0 == ":" || $0 == "-" }) else { return (expression, nil) }
        let start = inner[..<separator]
        let end = inner[inner.index(after: separator)...]
        guard digits(start), end.isEmpty || digits(end), let from = Int(start) else { return (expression, nil) }
        if inner[separator] == "-" {
            throw HostPatternError(
                pattern: pattern,
                message: "write \"\(base)[\(start):\(end)]\", not \"\(expression)\": Ansible removed [x-y] subscripts")
        }
        return (base, .range(from: from, through: end.isEmpty ? nil : Int(end)))
    }
}

/// A host pattern that is malformed or selects no host.
public struct HostPatternError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The whole pattern as given.
    public let pattern: String
    /// What is wrong, without the suggestion.
    public let message: String
    /// A host or group name close to a mistyped one.
    public let suggestion: String?

    public init(pattern: String, message: String, suggestion: String? = nil) {
        self.pattern = pattern
        self.message = message
        self.suggestion = suggestion
    }

    /// `no hosts match "bordr"; did you mean "border"?`
    public var description: String {
        message + (suggestion.map { "; did you mean \"\($0)\"?" } ?? "")
    }
}
