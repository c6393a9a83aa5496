import Postfix

/// A file a playbook puts on a host, rendered for that host.
public struct RenderedFile: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A whole main.cf (with postmulti's parameters at the end).
        case mainCF
        /// A whole master.cf.
        case masterCF
        /// `main.cf.postconf`: the postconf edits `edits` lists, for a main.cf given as parameters.
        case mainCFEdits
        /// `master.cf.postconf`: the postconf edits `edits` lists, for master.cf services.
        case masterCFEdits
        /// A lookup table's source file.
        case table(name: String, type: TableType)
        /// Another file of the instance's directory (`files:`): a certificate, a key.
        case file(name: String)
    }

    /// The absolute path on the host: `/etc/postfix-out/main.cf`.
    public let path: String
    public let contents: [UInt8]
    /// Holds secrets (a SASL password table): written 0600 (its postmap index too, as
    /// postmap keeps the source's mode), and its values never shown in a diff or drift.
    public let secret: Bool
    /// Permission bits: 0o644, 0o600 for a secret.
    public var mode: Int { secret ? 0o600 : 0o644 }
    /// The instance it belongs to.
    public let instance: PostfixInstance
    public let kind: Kind
    /// For `mainCFEdits` and `masterCFEdits`: the edits, in the order they apply
    /// (postmulti's parameters last). Empty for the other kinds.
    public let edits: [PostconfEdit]
    /// The vault plaintexts its text holds (see ``Inventory/VaultedString``): a table that holds
    /// one is secret, and no diff, drift, report or error shows them.
    public let vaultValues: [String]

    public init(path: String, contents: [UInt8], secret: Bool = false, instance: PostfixInstance, kind: Kind,
                edits: [PostconfEdit] = [], vaultValues: [String] = []) {
        self.path = path
        self.contents = contents
        self.secret = secret
        self.instance = instance
        self.kind = kind
        self.edits = edits
        self.vaultValues = vaultValues
    }

    /// The contents as text.
    public var text: String { String(decoding: contents, as: UTF8.self) }
}
