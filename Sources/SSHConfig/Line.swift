/// A word of a line: its value with quotes and escapes removed, and where it is.
struct ConfigWord {
    var value: String
    /// 1-based column of the word's first character.
    var column: Int
    /// The word as written, to point inside it when it has no quotes or escapes.
    var raw: String

    /// The column of the `offset`th character of `value` (the word's column when quotes moved it).
    func column(at offset: Int) -> Int {
        raw == value ? column + offset : column
    }
}

/// The line being read: where it is, its keyword and its words.
struct LineContext {
    let path: String
    let line: Int
    /// The line as read, without its `\n`, for the words and for errors to quote.
    let text: [Unicode.Scalar]
    let keyword: ConfigWord
    /// The keyword's canonical spelling.
    let name: String
    var words: [ConfigWord] = []

    init(path: String, line: Int, text: [Unicode.Scalar], keyword: ConfigWord, name: String) {
        self.path = path
        self.line = line
        self.text = text
        self.keyword = keyword
        self.name = name
    }

    func error(_ word: ConfigWord, _ message: String) -> ClientConfigError {
        error(column: word.column, message)
    }

    func error(column: Int, _ message: String) -> ClientConfigError {
        ClientConfigError(path: path, line: line, column: column, message: message, sourceLine: sourceLine)
    }

    /// The line as written, without a CR of a CR LF line break.
    private var sourceLine: String {
        String(String.UnicodeScalarView(text.last == "\r" ? text.dropLast() : text[...]))
    }

    /// Exactly one non-empty argument.
    func single() throws(ClientConfigError) -> ConfigWord {
        let words = try atLeastOne()
        if words.count > 1 {
            throw error(words[1], "unexpected argument '\(words[1].value)' after \(name) \(words[0].value)")
        }
        return words[0]
    }

    /// One or more non-empty arguments.
    func atLeastOne() throws(ClientConfigError) -> [ConfigWord] {
        guard !words.isEmpty else { throw error(keyword, "missing argument for \(name)") }
        if let empty = words.first(where: { $0.value.isEmpty }) {
            throw error(empty, "empty argument for \(name)")
        }
        return words
    }

    /// The arguments as OpenSSH's argv_split() cuts them: separated by spaces and tabs, `"` and
    /// `'` quote, `\` escapes a quote, a backslash or (outside quotes) a space, a word starting
    /// with `#` ends the line.
    func split(from start: Int, to end: Int) throws(ClientConfigError) -> [ConfigWord] {
        let s = text
        var words: [ConfigWord] = []
        var i = start
        while i < end {
            let c = s[i]
            if c == " " || c == "\t" { i += 1; continue }
            if c == "#" { break }
            let wordStart = i
            var value = String.UnicodeScalarView()
            var quote: Unicode.Scalar? = nil
            while i < end {
                let c = s[i]
                if c == "\\", i + 1 < end, s[i + 1] == "'" || s[i + 1] == "\"" || s[i + 1] == "\\"
                    || (quote == nil && s[i + 1] == " ") {
                    i += 1
                    value.append(s[i])
                } else if quote == nil && (c == " " || c == "\t") {
                    break
                } else if quote == nil && (c == "\"" || c == "'") {
                    quote = c
                } else if let q = quote, c == q {
                    quote = nil
                } else {
                    value.append(c)
                }
                i += 1
            }
            if quote != nil { throw error(column: wordStart + 1, "unterminated quote") }
            words.append(ConfigWord(value: String(value), column: wordStart + 1,
                                    raw: String(String.UnicodeScalarView(s[wordStart..<i]))))
        }
        return words
    }

    /// Checks the `%` tokens of `w`: `allowed` ones and `%%` pass, `unsupported` ones are returned
    /// (with their columns), others are an error.
    @discardableResult
    func checkTokens(_ w: ConfigWord, allowed: String, unsupported: String,
                     unknown: (Character) -> String) throws(ClientConfigError) -> [(Character, Int)] {
        var found: [(Character, Int)] = []
        let chars = Array(w.value.unicodeScalars)
        var k = 0
        while k < chars.count {
            defer { k += 1 }
            guard chars[k] == "%" else { continue }
            guard k + 1 < chars.count else {
                throw error(column: w.column(at: k), "'%' at the end of \(name) (write %% for a '%')")
            }
            k += 1
            let token = Character(chars[k])
            if token == "%" || allowed.contains(token) { continue }
            if unsupported.contains(token) {
                found.append((token, w.column(at: k - 1)))
                continue
            }
            throw error(column: w.column(at: k - 1), unknown(token))
        }
        return found
    }
}
