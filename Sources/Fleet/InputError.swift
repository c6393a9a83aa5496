/// Input the user can fix (a pattern that matches nothing, an option out of range, a play
/// that targets no host): said in one sentence, before any host is contacted. The command
/// line prints it as `postfleet: MESSAGE` and exits 1. Mistakes inside a file are thrown as
/// the loaders' own errors instead (`FILE:LINE:COL: error: ...`, with the line and a caret).
public struct InputError: Error, CustomStringConvertible, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
