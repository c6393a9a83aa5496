/// Python's grammar for the expressions literal_eval accepts: displays, signs, sums, adjacent strings.
extension PythonLiteral {
    struct Parser {
        var tokens: [Token]
        private var index = 0

        init(tokens: [Token]) {
            self.tokens = tokens
        }

        private var next: Token? { index < tokens.count ? tokens[index] : nil }

        private mutating func take(_ punctuation: Character) -> Bool {
            guard next == .punctuation(punctuation) else { return false }
            index += 1
            return true
        }

        private mutating func expect(_ punctuation: Character) throws(Failure) {
            guard take(punctuation) else { throw .notLiteral }
        }

        /// The whole text: one expression, or several separated by commas (a tuple).
        mutating func parseTop() throws(Failure) -> Node {
            let first = try expression()
            guard take(",") else {
                guard next == nil else { throw .notLiteral }
                return first
            }
            var elements = [first]
            while next != nil {
                elements.append(try expression())
                if !take(",") { break }
            }
            guard next == nil else { throw .notLiteral }
            return .tuple(elements)
        }

        /// A sum or difference of signed terms, left to right.
        private mutating func expression() throws(Failure) -> Node {
            var node = try unary()
            while let token = next, token == .punctuation("+") || token == .punctuation("-") {
                index += 1
                node = .sum(node, try unary(), subtract: token == .punctuation("-"))
            }
            return node
        }

        private mutating func unary() throws(Failure) -> Node {
            if take("-") { return .negative(try signed()) }
            if take("+") { return .positive(try signed()) }
            return try atom()
        }

        /// What follows a sign. literal_eval takes one sign on a number, never a sign on a
        /// sign (`--1` is text), so a run of signs stops here instead of recursing per sign.
        private mutating func signed() throws(Failure) -> Node {
            if next == .punctuation("-") || next == .punctuation("+") { throw .notLiteral }
            return try atom()
        }

        private mutating func atom() throws(Failure) -> Node {
            guard let token = next else { throw .notLiteral }
            index += 1
            switch token {
            case let .number(value): return .constant(value)
            case let .string(value): return .constant(try adjacentStrings(value))
            case .ellipsis: return .constant(.ellipsis)
            case .name("True"): return .constant(.bool(true))
            case .name("False"): return .constant(.bool(false))
            case .name("None"): return .constant(.none)
            case .name("set"):
                try expect("(")
                try expect(")")
                return .emptySet
            case .punctuation("("): return try parenthesized()
            case .punctuation("["): return try list()
            case .punctuation("{"): return try braces()
            default: throw .notLiteral
            }
        }

        /// Adjacent literals join: 'a' "b" is 'ab'; text and bytes do not mix.
        private mutating func adjacentStrings(_ first: PyValue) throws(Failure) -> PyValue {
            var value = first
            while case let .string(more) = next {
                index += 1
                switch (value, more) {
                case let (.str(a), .str(b)): value = .str(a + b)
                case let (.bytes(a), .bytes(b)): value = .bytes(a + b)
                default: throw .notLiteral
                }
            }
            return value
        }

        /// After `(`: the empty tuple, an expression in parentheses, or a tuple.
        private mutating func parenthesized() throws(Failure) -> Node {
            if take(")") { return .tuple([]) }
            let first = try expression()
            if take(")") { return first }
            try expect(",")
            return .tuple(try items(closedBy: ")", after: [first]))
        }

        /// After `[`: a list display.
        private mutating func list() throws(Failure) -> Node {
            .list(try items(closedBy: "]"))
        }

        /// Expressions separated by commas (a trailing one allowed) up to `close`, which is taken.
        private mutating func items(closedBy close: Character, after first: [Node] = []) throws(Failure) -> [Node] {
            var elements = first
            while !take(close) {
                elements.append(try expression())
                if !take(",") {
                    try expect(close)
                    break
                }
            }
            return elements
        }

        /// After `{`: a dict display (`{}` too), or a set display when the first item has no `:`.
        private mutating func braces() throws(Failure) -> Node {
            if take("}") { return .dict([]) }
            let first = try expression()
            if take(":") {
                var pairs = [(first, try expression())]
                while take(",") {
                    if next == .punctuation("}") { break }
                    let key = try expression()
                    try expect(":")
                    pairs.append((key, try expression()))
                }
                try expect("}")
                return .dict(pairs)
            }
            var elements = [first]
            while take(",") {
                if next == .punctuation("}") { break }
                elements.append(try expression())
            }
            try expect("}")
            return .set(elements)
        }
    }
}
