/// Python's `ast.literal_eval`, which Ansible's INI format applies to every variable value
/// (inline on a host line and in `[group:vars]` alike), with the conversions Ansible makes
/// afterwards: tuples and sets become lists, bytes become text, `...` and complex numbers
/// become their text.
///
/// Whatever is not a Python literal stays the text as written: `yes`, `true`, `010`,
/// `mailhub # relay` and `{a:1}` are strings; `True`, `8080`, `1e3`, `'010'`, `[1, 2]` and
/// `8080 # comment` are not (a comment after a literal is Python's, and goes).
enum PythonLiteral {
    enum Outcome: Equatable {
        /// A literal, as Ansible keeps it.
        case value(Value)
        /// Not a Python literal (or not Python at all): Ansible keeps the text.
        case text
        /// A literal postfleet cannot hold (an integer past 64 bits, a `\N{...}` escape).
        case unsupported(String)
    }

    /// What Ansible makes of `text` as an INI value.
    static func evaluate(_ text: String) -> Outcome {
        var scalars = Array(text.unicodeScalars)
        // literal_eval strips leading spaces and tabs; the tokenizer then refuses NUL.
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        if scalars.contains("\0") { return .text }
        do throws(Failure) {
            var lexer = Lexer(scalars)
            var parser = Parser(tokens: try lexer.tokens())
            let node = try parser.parseTop()
            return .value(try node.literal().ansibleValue())
        } catch {
            switch error {
            case .notLiteral: return .text
            case let .unsupported(message): return .unsupported(message)
            }
        }
    }

    /// Brackets open at once: CPython's tokenizer (MAXLEVEL) refuses the 201st, so Ansible
    /// keeps such a value as text, and so does postfleet.
    static let maximumNesting = 200

    enum Failure: Error, Equatable {
        case notLiteral
        case unsupported(String)
    }
}
