/// Python's `shlex.split(line, comments=True)`, which Ansible's INI format uses to split a
/// host line into the host and its `key=value` words: POSIX quoting (`'...'` literal,
/// `"..."` with `\"` and `\\`, a backslash outside quotes escapes any character), and `#`
/// starts a comment anywhere a word could continue, even inside one (`a#b` is `a`).
enum Shlex {
    struct Word: Equatable {
        /// The word with its quotes and escapes taken out.
        let text: String
        /// Where it starts in the line, in Unicode scalars from 0.
        let offset: Int
    }

    struct Problem: Error, Equatable {
        let message: String
        /// Where in the line (Unicode scalars from 0) the problem starts.
        let offset: Int
    }

    static func split(_ line: String) throws(Problem) -> [Word] {
        let scalars = Array(line.unicodeScalars)
        var words: [Word] = []
        var token = String.UnicodeScalarView()
        var tokenStart = 0
        var inWord = false  // a word has started, even if it is still empty ("")
        var index = 0

        func finishWord() {
            if inWord { words.append(Word(text: String(token), offset: tokenStart)) }
            token = String.UnicodeScalarView()
            inWord = false
        }

        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case " ", "\t", "\r", "\n":
                finishWord()
                index += 1
            case "#":
                finishWord()
                return words
            case "\\":
                guard index + 1 < scalars.count else {
                    throw Problem(message: "no character after the backslash", offset: index)
                }
                if !inWord { tokenStart = index }
                inWord = true
                token.append(scalars[index + 1])
                index += 2
            case "'", "\"":
                if !inWord { tokenStart = index }
                inWord = true
                index = try quoted(scalars, openedAt: index, into: &token)
            default:
                if !inWord { tokenStart = index }
                inWord = true
                token.append(scalar)
                index += 1
            }
        }
        finishWord()
        return words
    }

    /// The inside of the quotes opened at `open`, appended to `token`; returns where the
    /// line goes on after the closing quote.
    private static func quoted(
        _ scalars: [Unicode.Scalar], openedAt open: Int, into token: inout String.UnicodeScalarView
    ) throws(Problem) -> Int {
        let quote = scalars[open]
        var index = open + 1
        while true {
            guard index < scalars.count else {
                throw Problem(message: "no closing quotation mark for the \(quote) opened here", offset: open)
            }
            let inside = scalars[index]
            if inside == quote { return index + 1 }
            if quote == "\"" && inside == "\\" && index + 1 < scalars.count {
                let escaped = scalars[index + 1]
                // In double quotes a backslash escapes only `"` and itself.
                if escaped != "\"" && escaped != "\\" { token.append("\\") }
                token.append(escaped)
                index += 2
                continue
            }
            if quote == "\"" && inside == "\\" {
                throw Problem(message: "no closing quotation mark for the \(quote) opened here", offset: open)
            }
            token.append(inside)
            index += 1
        }
    }
}
