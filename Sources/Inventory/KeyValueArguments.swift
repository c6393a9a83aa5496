/// Ansible's `parse_kv`, as `-e key=value` reads its argument: the text is split into
/// words as Ansible's `split_args` splits it (on spaces and line breaks, but not inside
/// quotes or Jinja2 `{{ }}`, `{% %}`, `{# #}` blocks), Python escapes (`\n`, `\"`, `\u00e9`)
/// are decoded, each word is cut at its first `=` not after a backslash, and a value in
/// matching quotes loses them. Every value is a string.
enum KeyValueArguments {
    struct Problem: Error, Equatable {
        let message: String
        /// The word at fault, when there is one.
        let word: String?
    }

    /// The `key=value` pairs in order (a later one with the same key wins); a word without
    /// `=` (which Ansible would keep as `_raw_params`) is a problem.
    static func parse(_ text: String) throws(Problem) -> [(key: String, value: String)] {
        var pairs: [(key: String, value: String)] = []
        for original in try split(text) {
            let word = Array(decodingEscapes(original).unicodeScalars)
            // Ansible looks for the '=' from the second character on.
            guard let equals = word.indices.dropFirst().first(where: { word[$0] == "=" && word[$0 - 1] != "\\" }) else {
                throw Problem(message: "expected NAME=VALUE, found '\(original)'", word: original)
            }
            let key = String(String.UnicodeScalarView(word[..<equals])).trimmingPythonSpace()
            let value = String(String.UnicodeScalarView(word[(equals + 1)...])).trimmingPythonSpace()
            pairs.append((key, value.ansibleUnquoted))
        }
        return pairs
    }

    /// Ansible's `split_args`.
    static func split(_ text: String) throws(Problem) -> [String] {
        var params: [String] = []
        var quote: Unicode.Scalar?
        var depths = [0, 0, 0]  // {{ }}, {% %}, {# #}
        let items = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        func appendToLast(_ text: String) {
            if params.isEmpty { params.append("") }
            params[params.count - 1] += text
        }
        for (itemIndex, item) in items.enumerated() {
            var continuation = false
            for (index, scalars) in item.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
                let token = String(String.UnicodeScalarView(scalars))
                if token.isEmpty && index != 0 {
                    appendToLast(" ")
                    continue
                }
                let insideBefore = quote != nil
                if token == "\\" && !insideBefore {
                    continuation = true
                    continue
                }
                quote = quoteState(token, quote)
                let inside = quote != nil
                let inBlock = depths.contains { $0 > 0 }
                var appended = false
                if inside && !insideBefore && !inBlock {
                    params.append(token)
                    appended = true
                } else if inBlock || inside || insideBefore {
                    appendToLast(index == 0 && insideBefore ? token : (index > 0 ? " " : "") + token)
                    appended = true
                }
                for (slot, (open, close)) in [("{{", "}}"), ("{%", "%}"), ("{#", "#}")].enumerated() {
                    let before = depths[slot]
                    let change = occurrences(of: open, in: token) - occurrences(of: close, in: token)
                    if change != 0 { depths[slot] = max(0, depths[slot] + change) }
                    if depths[slot] != before && !appended {
                        params.append(token)
                        appended = true
                    }
                }
                if !depths.contains(where: { $0 > 0 }) && quote == nil && !appended && !token.isEmpty {
                    params.append(token)
                }
            }
            if items.count > 1 && itemIndex != items.count - 1 && !continuation { appendToLast("\n") }
        }
        if depths.contains(where: { $0 > 0 }) || quote != nil {
            throw Problem(message: "unbalanced quotes or {{ }} block", word: nil)
        }
        return params
    }

    /// Ansible's `_get_quote_state`: the quote still open after `token`, if any.
    private static func quoteState(_ token: String, _ open: Unicode.Scalar?) -> Unicode.Scalar? {
        var open = open
        var previous: Unicode.Scalar?
        for scalar in token.unicodeScalars {
            if (scalar == "\"" || scalar == "'") && previous != "\\" {
                if let current = open {
                    if scalar == current { open = nil }
                } else {
                    open = scalar
                }
            }
            previous = scalar
        }
        return open
    }

    /// Python's `str.count`: non-overlapping occurrences.
    private static func occurrences(of needle: String, in text: String) -> Int {
        let pattern = Array(needle.unicodeScalars)
        let scalars = Array(text.unicodeScalars)
        var count = 0
        var index = 0
        while index + pattern.count <= scalars.count {
            if Array(scalars[index..<index + pattern.count]) == pattern {
                count += 1
                index += pattern.count
            } else {
                index += 1
            }
        }
        return count
    }


    /// Ansible's `_decode_escapes`: `\\`, `\'`, `\"`, `\a`, `\b`, `\f`, `\n`, `\r`, `\t`,
    /// `\v`, `\xHH`, `\uHHHH` and `\UHHHHHHHH` decoded; any other backslash kept.
    static func decodingEscapes(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        let single: [Unicode.Scalar: Unicode.Scalar] = [
            "\\": "\\", "'": "'", "\"": "\"", "a": "\u{07}", "b": "\u{08}", "f": "\u{0C}", "n": "\n", "r": "\r",
            "t": "\t", "v": "\u{0B}",
        ]
        while index < scalars.count {
            guard scalars[index] == "\\", index + 1 < scalars.count else {
                out.append(scalars[index])
                index += 1
                continue
            }
            let next = scalars[index + 1]
            if let decoded = single[next] {
                out.append(decoded)
                index += 2
                continue
            }
            let width = next == "x" ? 2 : next == "u" ? 4 : next == "U" ? 8 : 0
            let digits = scalars.dropFirst(index + 2).prefix(width)
            if width > 0, digits.count == width, digits.allSatisfy({ $0.properties.isASCIIHexDigit }),
               let value = UInt32(String(String.UnicodeScalarView(digits)), radix: 16)
            {
                out.append(Unicode.Scalar(value) ?? "\u{FFFD}")
                index += 2 + width
                continue
            }
            out.append(scalars[index])
            index += 1
        }
        return String(out)
    }
}

extension String {
    /// Ansible's `unquote`: `"a b"` and `'a b'` without their quotes (not `"a\"`).
    package var ansibleUnquoted: String {
        let scalars = Array(unicodeScalars)
        guard scalars.count > 1, let first = scalars.first, first == scalars.last, first == "\"" || first == "'",
              scalars[scalars.count - 2] != "\\" else { return self }
        return String(String.UnicodeScalarView(scalars[1..<scalars.count - 1]))
    }
}
