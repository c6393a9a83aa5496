/// A configuration `ssh` would refuse, with where.
///
/// Its description reads like a compiler's, as the inventory's and the playbook's errors do:
///
///     /home/ops/.ssh/config:7:10: error: bad port '70000' (expected a number from 1 to 65535)
///         Port 70000
///              ^
///
/// `line` and `column` start at 1; `column` counts Unicode scalars.
public struct ClientConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file the error is in (an included file for an error in it).
    public var path: String
    /// 1-based line and column of the offending word; nil for an error about the whole file.
    public var line: Int?
    public var column: Int?
    public var message: String
    /// The text of `line`, without its line break; nil when the error has no line.
    public var sourceLine: String?

    public init(path: String, line: Int? = nil, column: Int? = nil, message: String, sourceLine: String? = nil) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        self.sourceLine = sourceLine
    }

    /// `PATH:LINE:COL`, or `PATH` when the whole file is at fault.
    public var location: String {
        guard let line else { return path }
        return "\(path):\(line):\(column ?? 1)"
    }

    /// `PATH:LINE:COL: error: MESSAGE`, the source line and a caret under the column; or
    /// `PATH: error: MESSAGE` alone when the whole file is at fault.
    public var description: String {
        let first = "\(location): error: \(message)"
        guard line != nil, let sourceLine else { return first }
        return "\(first)\n\(sourceLine)\n\(caretLine(under: sourceLine))"
    }

    /// Spaces up to the column, then `^`. Tabs in the source line are kept so the caret
    /// lands under the same character whatever the terminal's tab width.
    private func caretLine(under sourceLine: String) -> String {
        var prefix = ""
        var scalars = sourceLine.unicodeScalars.makeIterator()
        for _ in 1..<max(column ?? 1, 1) {
            prefix.unicodeScalars.append(scalars.next() == "\t" ? "\t" : " ")
        }
        return prefix + "^"
    }
}
