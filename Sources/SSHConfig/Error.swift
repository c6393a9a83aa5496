/// A configuration `ssh` would refuse, with where.
public struct ClientConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file the error is in (an included file for an error in it).
    public var path: String
    /// 1-based line and column of the offending word; nil for an error about the whole file.
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(path: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    /// `PATH:LINE:COL: error: MESSAGE`, or `PATH: error: MESSAGE` when the whole file is at fault.
    public var description: String {
        if let line {
            return "\(path):\(line):\(column ?? 1): error: \(message)"
        }
        return "\(path): error: \(message)"
    }
}
