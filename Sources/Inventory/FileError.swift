/// A file that could not be read at all: there is no line to point at.
public struct FileError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        case notFound
        case isDirectory
        case notReadable
        case notUTF8
    }

    /// The path as the user gave it.
    public let path: String
    public let reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    /// `PATH: error: no such file`, and so on.
    public var description: String {
        "\(path): error: \(problem)"
    }

    /// What is wrong, without the path: `no such file`, ...
    public var problem: String {
        switch reason {
        case .notFound: "no such file"
        case .isDirectory: "is a directory, not a file"
        case .notReadable: "permission denied"
        case .notUTF8: "is not UTF-8 text"
        }
    }
}
