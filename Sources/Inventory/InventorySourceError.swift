/// An inventory source that gave no inventory, where there is no line to point at: a script
/// that failed or printed something else than an inventory, a host list with a bad entry,
/// a directory entry that is not a file.
///
///     inventory/cmdb.py: error: the inventory script exited with status 2 (inventory/cmdb.py --list); its standard error:
///       cmdb: connection refused
public struct InventorySourceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The source as the user gave it (or as found inside a directory).
    public let source: String
    /// What is wrong, as one sentence without a trailing period.
    public let message: String
    /// More lines (a script's standard error), printed indented under the message.
    public let detail: [String]

    public init(source: String, message: String, detail: [String] = []) {
        self.source = source
        self.message = message
        self.detail = detail
    }

    /// `SOURCE: error: MESSAGE`, then the detail lines indented by two spaces.
    public var description: String {
        (["\(source): error: \(message)"] + detail.map { "  " + $0 }).joined(separator: "\n")
    }
}
