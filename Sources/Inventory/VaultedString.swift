/// A string that came out of ansible-vault: an inline `!vault` value (whose envelope
/// `ansible-inventory --list` shows as `{"__ansible_vault": ENVELOPE}`), or a string of a
/// vars file encrypted whole (which it shows decrypted).
///
/// Templates and connection settings read its plaintext; everything postfleet prints
/// about a run (diffs, reports, JSON, JUnit, errors) shows `(secret)` in its place.
public struct VaultedString: Sendable, Hashable {
    public let plaintext: String
    /// The envelope of an inline `!vault` value, as written (the YAML scalar's text); nil
    /// for a string of an encrypted file.
    public let envelope: String?

    public init(plaintext: String, envelope: String?) {
        self.plaintext = plaintext
        self.envelope = envelope
    }

    /// What `ansible-inventory --list` prints for it.
    public var ansibleValue: Value {
        envelope.map { .map(["__ansible_vault": .string($0)]) } ?? .string(plaintext)
    }
}

extension Value {
    /// Every vault plaintext in this value, at any depth.
    public var vaultPlaintexts: [String] {
        switch self {
        case let .vault(vaulted): [vaulted.plaintext]
        case let .list(list): list.flatMap(\.vaultPlaintexts)
        case let .map(map): map.values.flatMap(\.vaultPlaintexts)
        default: []
        }
    }

    /// A vault string as the plain string it holds; any other value as it is. For reading a
    /// value's text (a port, a user name) whether it was encrypted or not.
    public var plain: Value {
        if case let .vault(vaulted) = self { return .string(vaulted.plaintext) }
        return self
    }

    /// This value with every string made a ``VaultedString`` without envelope: the values
    /// of a vars file that was encrypted whole.
    func vaulted() -> Value {
        switch self {
        case let .string(string): .vault(VaultedString(plaintext: string, envelope: nil))
        case let .list(list): .list(list.map { $0.vaulted() })
        case let .map(map): .map(map.mapValues { $0.vaulted() })
        default: self
        }
    }
}

extension Inventory {
    /// Every vault plaintext the inventory holds (inline `!vault` values, and the strings of
    /// encrypted vars files), each once, longest first: what output must show as `(secret)`.
    public var vaultPlaintexts: [String] {
        var all: Set<String> = []
        for group in groups { for value in group.vars.values { all.formUnion(value.vaultPlaintexts) } }
        for host in hosts { for value in host.vars.values { all.formUnion(value.vaultPlaintexts) } }
        return all.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
    }
}
