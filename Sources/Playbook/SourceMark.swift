import Inventory
import Yams

/// Where something was written in a playbook, kept on the loaded model so that a mistake
/// found later (a host pattern that matches nothing, an undefined variable for one host)
/// is reported at that place, as `FILE:LINE:COL: error: ...` with the line quoted.
public struct SourceMark: Sendable, Hashable {
    public let file: String
    /// From 1.
    public let line: Int
    /// From 1, in Unicode scalars.
    public let column: Int
    /// The text of `line`.
    public let sourceLine: String

    public init(file: String, line: Int, column: Int, sourceLine: String) {
        self.file = file
        self.line = line
        self.column = column
        self.sourceLine = sourceLine
    }

    /// The start of `node` in `source`.
    init(_ node: Node, in source: SourceText) {
        let error = source.error("", at: node)
        self.init(file: error.file, line: error.line, column: error.column, sourceLine: error.sourceLine)
    }

    /// An error at this place.
    public func error(_ message: String) -> SourceError {
        SourceError(file: file, line: line, column: column, message: message, sourceLine: sourceLine)
    }

    /// The same line, `count` columns to the right.
    func shifted(by count: Int) -> SourceMark {
        SourceMark(file: file, line: line, column: column + count, sourceLine: sourceLine)
    }
}
