/// A mistake at one place in a source file (an inventory, a playbook, a template).
///
/// Its description reads like a compiler's, so editors and terminals can jump to it:
///
///     inventory.yml:4:7: error: unknown key 'childen' in group 'border'; did you mean 'children'?
///           childen:
///           ^
///
/// `line` and `column` start at 1; `column` counts Unicode scalars, as libyaml's marks do.
public struct SourceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The path of the file, as the user gave it.
    public let file: String
    /// The line of the mistake, from 1.
    public let line: Int
    /// The column of the mistake, from 1, in Unicode scalars.
    public let column: Int
    /// What is wrong, as one sentence without a trailing period.
    public let message: String
    /// The text of `line`, without its line break, secret values masked.
    public let sourceLine: String

    /// Where the caret goes in the quoted line, once secrets are masked (see ``init``).
    let caretColumn: Int

    /// The value of a secret-looking variable in `sourceLine` is masked, there and wherever
    /// `message` quotes it (``SecretText``): an error never prints a password.
    public init(file: String, line: Int, column: Int, message: String, sourceLine: String) {
        let (masked, spans) = SecretText.masking(sourceLine)
        self.file = file
        self.line = line
        self.column = column
        self.message = SecretText.masking(message: message, spans: spans)
        self.sourceLine = masked
        caretColumn = SecretText.caretColumn(column, spans: spans)
    }

    /// `base` with another message (already free of secrets), its caret where it was.
    init(_ base: SourceError, message: String) {
        file = base.file
        line = base.line
        column = base.column
        self.message = message
        sourceLine = base.sourceLine
        caretColumn = base.caretColumn
    }

    /// `FILE:LINE:COL`.
    public var location: String { "\(file):\(line):\(column)" }

    /// `FILE:LINE:COL: error: MESSAGE`, the source line, and a caret under the column.
    public var description: String {
        let (line, caret) = shown
        return "\(location): error: \(message)\n\(line)\n\(Self.caretLine(under: line, at: caret))"
    }

    /// The most of a line an error quotes: a longer one (100,000 brackets, say) is cut to
    /// this many characters around the caret, each cut end marked `...`.
    static let quotedWidth = 160

    /// The quoted line, cut around the caret when it is long, and the caret's column in it.
    var shown: (line: String, caret: Int) {
        let scalars = Array(sourceLine.unicodeScalars)
        guard scalars.count > Self.quotedWidth else { return (sourceLine, caretColumn) }
        let start = min(max(0, caretColumn - 1 - Self.quotedWidth / 2), scalars.count - Self.quotedWidth)
        let end = start + Self.quotedWidth
        var line = String(String.UnicodeScalarView(scalars[start..<end]))
        var caret = caretColumn - start
        if start > 0 {
            line = "..." + line
            caret += 3
        }
        if end < scalars.count { line += "..." }
        return (line, caret)
    }

    /// Spaces up to the column, then `^`. Tabs in the source line are kept so the caret
    /// lands under the same character whatever the terminal's tab width.
    var caretLine: String { Self.caretLine(under: shown.line, at: shown.caret) }

    private static func caretLine(under line: String, at column: Int) -> String {
        var prefix = ""
        var scalars = line.unicodeScalars.makeIterator()
        for _ in 1..<max(column, 1) {
            prefix.unicodeScalars.append(scalars.next() == "\t" ? "\t" : " ")
        }
        return prefix + "^"
    }
}
