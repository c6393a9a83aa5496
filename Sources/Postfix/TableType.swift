import ShellQuoting
/// The type of a lookup table source file (postmap(1), DATABASE_README).
public enum TableType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case cdb, hash, lmdb, btree
    case texthash, regexp, pcre, cidr

    /// Indexed tables are compiled by postmap(1) into a database file next to the source.
    public var isIndexed: Bool {
        switch self {
        case .cdb, .hash, .lmdb, .btree: true
        case .texthash, .regexp, .pcre, .cidr: false
        }
    }

    /// A changed source file takes effect only after `postmap TYPE:PATH`. Postfix daemons
    /// notice a rebuilt database on their own.
    public var needsPostmap: Bool { isIndexed }

    /// A changed source file takes effect only after `postfix reload`: these tables are
    /// read into memory when a daemon starts.
    public var needsReload: Bool { !isIndexed }

    /// `cdb:/etc/postfix/generic`, as main.cf and postmap name the table.
    public func reference(path: String) -> String { "\(rawValue):\(path)" }

    /// The postmap command that compiles the table (nil when there is nothing to compile).
    public func postmapCommand(path: String) -> String? {
        needsPostmap ? Shell.join(["postmap", reference(path: path)]) : nil
    }

    /// What postmap adds to the source file's name for the file it builds (nil when it builds none).
    public var indexedFileSuffix: String? {
        switch self {
        case .cdb: ".cdb"
        case .hash, .btree: ".db"
        case .lmdb: ".lmdb"
        case .texthash, .regexp, .pcre, .cidr: nil
        }
    }

    public var description: String { rawValue }
}
