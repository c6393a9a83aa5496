/// A shell-style wildcard as Python's `fnmatch` reads it (Ansible matches host patterns
/// with it): `*` any text, `?` any one character, `[abc]`, `[a-z]`, `[!abc]` one of (or none
/// of) a set; everything else, backslash included, stands for itself. Case matters.
struct Glob: Sendable, Hashable {
    private enum Token: Sendable, Hashable {
        case literal(Character)
        case any
        case star
        case set(negated: Bool, members: [ClosedRange<Character>])
    }

    private let tokens: [Token]

    /// Whether `text` has any of the characters that make a pattern a wildcard.
    static func isWildcard(_ text: String) -> Bool {
        text.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    init(_ pattern: String) {
        let characters = Array(pattern)
        var tokens: [Token] = []
        var i = 0
        while i < characters.count {
            let c = characters[i]
            i += 1
            switch c {
            case "*":
                if tokens.last != .star { tokens.append(.star) }
            case "?":
                tokens.append(.any)
            case "[":
                // As fnmatch: a ']' right after '[' or '[!' is a member; no closing ']' means a literal '['.
                var j = i
                if j < characters.count, characters[j] == "!" { j += 1 }
                if j < characters.count, characters[j] == "]" { j += 1 }
                while j < characters.count, characters[j] != "]" { j += 1 }
                guard j < characters.count else {
                    tokens.append(.literal("["))
                    continue
                }
                var body = Array(characters[i..<j])
                i = j + 1
                let negated = body.first == "!"
                if negated { body.removeFirst() }
                var members: [ClosedRange<Character>] = []
                var k = 0
                while k < body.count {
                    if k + 2 < body.count, body[k + 1] == "-" {
                        if body[k] <= body[k + 2] { members.append(body[k]...body[k + 2]) }
                        k += 3
                    } else {
                        members.append(body[k]...body[k])
                        k += 1
                    }
                }
                tokens.append(.set(negated: negated, members: members))
            default:
                tokens.append(.literal(c))
            }
        }
        self.tokens = tokens
    }

    /// Whether the whole of `text` matches.
    func matches(_ text: String) -> Bool {
        let text = Array(text)
        var t = 0
        var p = 0
        var star: (pattern: Int, text: Int)?
        while t < text.count {
            if p < tokens.count, tokens[p] == .star {
                star = (p, t)
                p += 1
            } else if p < tokens.count, Self.matches(tokens[p], text[t]) {
                p += 1
                t += 1
            } else if let (starPattern, starText) = star {
                // Let the last star take one more character and try again.
                star = (starPattern, starText + 1)
                p = starPattern + 1
                t = starText + 1
            } else {
                return false
            }
        }
        while p < tokens.count, tokens[p] == .star { p += 1 }
        return p == tokens.count
    }

    private static func matches(_ token: Token, _ character: Character) -> Bool {
        switch token {
        case let .literal(literal): literal == character
        case .any: true
        case .star: false
        case let .set(negated, members): members.contains { $0.contains(character) } != negated
        }
    }
}
