extension SecretText {
    /// Finds, in one line, the values of secret-looking keys: `key: value` (YAML, JSON,
    /// Python), `key=value` and `key = value` (INI, master.cf `-o`), keys quoted or not.
    struct SecretKeys {
        let s: [Unicode.Scalar]

        init(_ s: [Unicode.Scalar]) {
            self.s = s
        }

        static func isKeyScalar(_ c: Unicode.Scalar) -> Bool {
            switch c {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "-", ".": true
            default: false
            }
        }

        static func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" }

        func spans() -> [Span] {
            var spans: [Span] = []
            var i = 0
            var flowDepth = 0
            while i < s.count {
                let c = s[i]
                if c == "{" || c == "[" { flowDepth += 1 } else if c == "}" || c == "]" { flowDepth = max(flowDepth - 1, 0) }
                guard let (key, afterKey) = key(at: i) else { i += 1; continue }
                if let span = value(after: afterKey, key: key, inFlow: flowDepth > 0) {
                    spans.append(span)
                    i = max(span.end, afterKey)
                } else {
                    i = afterKey
                }
            }
            return spans
        }

        /// A key starting at `i` (quoted, or at a word's start): its name and where it ends.
        func key(at i: Int) -> (String, Int)? {
            if s[i] == "\"" || s[i] == "'" {
                var j = i + 1
                while j < s.count, Self.isKeyScalar(s[j]) { j += 1 }
                guard j < s.count, s[j] == s[i], j > i + 1 else { return nil }
                return (String(String.UnicodeScalarView(s[(i + 1)..<j])), j + 1)
            }
            guard Self.isKeyScalar(s[i]), i == 0 || !Self.isKeyScalar(s[i - 1]) else { return nil }
            var j = i
            while j < s.count, Self.isKeyScalar(s[j]) { j += 1 }
            return (String(String.UnicodeScalarView(s[i..<j])), j)
        }

        /// The value after `key` ending at `afterKey`, when the key is secret-looking and a
        /// `:` or `=` follows it.
        func value(after afterKey: Int, key: String, inFlow: Bool) -> Span? {
            var j = afterKey
            while j < s.count, Self.isSpace(s[j]) { j += 1 }
            guard j < s.count, s[j] == ":" || s[j] == "=" else { return nil }
            let separator = s[j], spaced = j > afterKey
            j += 1
            // `key:value` with no space is no YAML key (`hash:/etc/...`), unless the key was quoted.
            if separator == ":", j < s.count, !Self.isSpace(s[j]), s[afterKey - 1] != "\"", s[afterKey - 1] != "'" { return nil }
            guard SecretText.isSecretName(key) else { return nil }
            let afterSeparator = j
            while j < s.count, Self.isSpace(s[j]) { j += 1 }
            guard j < s.count else { return nil }
            let start = j
            let end: Int
            if s[j] == "\"" || s[j] == "'" {
                end = closingQuote(from: j) ?? s.count
            } else if separator == "=", !spaced, j == afterSeparator {
                end = s[j...].firstIndex(where: Self.isSpace) ?? s.count
            } else if inFlow {
                end = s[j...].firstIndex { $0 == "," || $0 == "}" || $0 == "]" } ?? s.count
            } else {
                end = s.count
            }
            let text = String(String.UnicodeScalarView(s[start..<end]))
            // A `_key` naming a file is no secret.
            if key.lowercased().hasSuffix("key"), text.hasPrefix("/") || text.hasPrefix("~") || text.hasPrefix("./") { return nil }
            return end > start ? Span(start: start, end: end, text: text) : nil
        }

        /// The index after the quote that closes the one at `open` (`\"` and `''` escape it).
        func closingQuote(from open: Int) -> Int? {
            let quote = s[open]
            var j = open + 1
            while j < s.count {
                if quote == "\"", s[j] == "\\" { j += 2; continue }
                if s[j] == quote {
                    if quote == "'", j + 1 < s.count, s[j + 1] == "'" { j += 2; continue }
                    return j + 1
                }
                j += 1
            }
            return nil
        }
    }
}
