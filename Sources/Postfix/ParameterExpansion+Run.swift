extension ParameterExpansion {
    /// One expansion: the parameters met so far, expanded once each (a value does not depend
    /// on where it is used, so `a = $b$b`, `b = $c$c`, ... costs one expansion per name).
    struct Run {
        typealias Scalars = [Unicode.Scalar]

        let expansion: ParameterExpansion
        var memo: [String: String] = [:]

        init(expansion: ParameterExpansion) {
            self.expansion = expansion
        }

        static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_": true
            default: false
            }
        }

        /// `value` expanded; `chain`: the parameters whose values are being expanded, outermost first.
        mutating func expand(_ value: String, chain: [String]) throws(Failure) -> String {
            let s = Array(value.unicodeScalars)
            var out = String.UnicodeScalarView()
            var length = 0
            var i = 0
            while i < s.count {
                var piece: String.UnicodeScalarView
                if s[i] != "$" || i + 1 == s.count {
                    piece = .init([s[i]])
                    i += 1
                } else if s[i + 1] == "$" {
                    piece = .init(["$"])
                    i += 2
                } else if s[i + 1] == "{" || s[i + 1] == "(" {
                    let close: Unicode.Scalar = s[i + 1] == "{" ? "}" : ")"
                    guard let end = Self.matching(s, at: i + 1) else {
                        throw .syntax("'$\(s[i + 1])' without its '\(close)' in '\(value)'")
                    }
                    piece = try braced(Array(s[(i + 2)..<end]), chain: chain).unicodeScalars
                    i = end + 1
                } else if Self.isNameScalar(s[i + 1]) {
                    var j = i + 1
                    while j < s.count, Self.isNameScalar(s[j]) { j += 1 }
                    piece = try lookup(String(String.UnicodeScalarView(s[(i + 1)..<j])), chain: chain).unicodeScalars
                    i = j
                } else {
                    piece = .init(["$"])
                    i += 1
                }
                length += piece.count
                guard length <= ParameterExpansion.lengthLimit else { throw .tooLong }
                out.append(contentsOf: piece)
            }
            return String(out)
        }

        /// The expanded value of parameter `name`; "" when it is undefined.
        mutating func lookup(_ name: String, chain: [String]) throws(Failure) -> String {
            if let known = memo[name] { return known }
            if chain.contains(name) { throw .cycle(Array(chain.drop { $0 != name }) + [name]) }
            guard chain.count < ParameterExpansion.depthLimit else { throw .tooDeep }
            guard let raw = expansion.raw(name) else { return "" }
            let value = try expand(raw, chain: chain + [name])
            memo[name] = value
            return value
        }

        /// What is between `${` and `}` (or `$(` and `)`): a name, a name and a conditional,
        /// or a relational expression and its conditional.
        mutating func braced(_ inner: Scalars, chain: [String]) throws(Failure) -> String {
            let text = String(String.UnicodeScalarView(inner))
            let trimmed = Self.trimmedLeading(inner[...])
            let condition: Bool
            let rest: ArraySlice<Unicode.Scalar>
            if trimmed.first == "{" {
                (condition, rest) = try relation(trimmed, chain: chain, text: text)
            } else {
                let end = inner.firstIndex { !Self.isNameScalar($0) } ?? inner.count
                guard end > 0 else { throw .syntax("'${\(text)}' names no parameter") }
                let value = try lookup(String(String.UnicodeScalarView(inner[..<end])), chain: chain)
                if end == inner.count { return value }
                condition = !value.isEmpty
                rest = inner[end...]
            }
            let (ifSet, ifEmpty) = try Self.branches(rest, text: text)
            let chosen = condition ? ifSet : ifEmpty
            return try chosen.map { value throws(Failure) in try expand(value, chain: chain) } ?? ""
        }

        /// `{a} OP {b}` at the start of `text`: whether it holds, and what follows it.
        mutating func relation(_ slice: ArraySlice<Unicode.Scalar>, chain: [String], text: String) throws(Failure)
            -> (Bool, ArraySlice<Unicode.Scalar>) {
            guard let (left, afterLeft) = Self.group(slice) else { throw .syntax("'${\(text)}': '{' without its '}'") }
            var rest = Self.trimmedLeading(afterLeft)
            let operators = ["==", "!=", "<=", ">=", "<", ">"]
            guard let op = operators.first(where: { rest.starts(with: $0.unicodeScalars) }) else {
                throw .syntax("'${\(text)}': a relational operator (==, !=, <, <=, >, >=) must follow '{\(left)}'")
            }
            rest = Self.trimmedLeading(rest.dropFirst(op.unicodeScalars.count))
            guard let (right, afterRight) = Self.group(rest) else { throw .syntax("'${\(text)}': '\(op)' must be followed by '{value}'") }
            let a = try expand(left, chain: chain), b = try expand(right, chain: chain)
            let order: Int
            if let x = Int(a), let y = Int(b), a.allSatisfy(\.isASCII), b.allSatisfy(\.isASCII) {
                order = x < y ? -1 : x > y ? 1 : 0
            } else {
                order = a < b ? -1 : a > b ? 1 : 0
            }
            let holds = switch op {
            case "==": order == 0
            case "!=": order != 0
            case "<": order < 0
            case "<=": order <= 0
            case ">": order > 0
            default: order >= 0
            }
            return (holds, Self.trimmedLeading(afterRight))
        }

        /// `?value`, `?{value}`, `?{value1}:{value2}`, `?{value1}:value2`, `:value`, `:{value}`:
        /// the value when the condition holds, and when it does not.
        static func branches(_ rest: ArraySlice<Unicode.Scalar>, text: String) throws(Failure) -> (String?, String?) {
            guard let op = rest.first, op == "?" || op == ":" else {
                throw .syntax("'${\(text)}': expected '}', '?' or ':' after the parameter name")
            }
            let body = rest.dropFirst()
            func plainOrGroup(_ body: ArraySlice<Unicode.Scalar>) throws(Failure) -> String {
                let trimmed = trimmedLeading(body)
                guard trimmed.first == "{" else { return String(String.UnicodeScalarView(body)) }
                guard let (value, after) = group(trimmed), trimmedLeading(after).isEmpty else {
                    throw .syntax("'${\(text)}': unexpected text after '{value}'")
                }
                return value
            }
            if op == ":" { return (nil, try plainOrGroup(body)) }
            let trimmed = trimmedLeading(body)
            guard trimmed.first == "{", let (ifSet, after) = group(trimmed) else { return (String(String.UnicodeScalarView(body)), nil) }
            let tail = trimmedLeading(after)
            if tail.isEmpty { return (ifSet, nil) }
            guard tail.first == ":" else { throw .syntax("'${\(text)}': expected ':' after '{\(ifSet)}'") }
            return (ifSet, try plainOrGroup(tail.dropFirst()))
        }

        /// `{content}` at the start of `slice` (braces nest): the content and what follows.
        static func group(_ slice: ArraySlice<Unicode.Scalar>) -> (String, ArraySlice<Unicode.Scalar>)? {
            guard slice.first == "{", let end = matching(Array(slice), at: 0) else { return nil }
            let start = slice.startIndex
            let content = slice[(start + 1)..<(start + end)]
            return (trimmedText(content), slice[(start + end + 1)...])
        }

        /// The index of the bracket that closes the one at `open` (`{`/`}` or `(`/`)`, nesting).
        static func matching(_ s: Scalars, at open: Int) -> Int? {
            let opening = s[open], closing: Unicode.Scalar = opening == "(" ? ")" : "}"
            var depth = 0
            for i in open..<s.count {
                if s[i] == opening { depth += 1 } else if s[i] == closing {
                    depth -= 1
                    if depth == 0 { return i }
                }
            }
            return nil
        }

        static func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" }

        static func trimmedLeading(_ slice: ArraySlice<Unicode.Scalar>) -> ArraySlice<Unicode.Scalar> {
            slice.drop(while: isSpace)
        }

        static func trimmedText(_ slice: ArraySlice<Unicode.Scalar>) -> String {
            var slice = trimmedLeading(slice)
            while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
            return String(String.UnicodeScalarView(slice))
        }
    }
}
