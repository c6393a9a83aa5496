/// A password (Ansible's `ansible_password`, `ansible_become_password`): sent to the
/// server or to sudo, never shown. Printing, interpolating or dumping one shows `(secret)`.
public struct Password: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The password itself: only for the call that sends it.
    public let revealed: String

    public init(_ text: String) {
        revealed = text
    }

    public var description: String { "(secret)" }
    public var debugDescription: String { "(secret)" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
