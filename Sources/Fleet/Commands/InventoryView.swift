import Inventory
import Vault

/// What `postfleet inventory` shows, as `ansible-inventory` shows it.
public enum InventoryView: Sendable {
    /// `--list`, limited to the hosts a pattern selects (nil: every host).
    case list(limit: String?)
    /// `--host HOST`.
    case host(String)
    /// `--graph [GROUP]`.
    case graph(group: String?)

    /// The text for the inventory `source` reads, byte for byte as ansible-inventory prints it.
    /// - Throws: the loader's `FILE:LINE:COL: error: ...`; ``InputError`` for a host, group or
    ///   pattern the inventory does not have.
    /// Vault values show as ansible-inventory shows them: an inline `!vault` value as
    /// `{"__ansible_vault": ENVELOPE}`, the values of an encrypted file decrypted.
    public func text(of source: InventoryOptions) throws -> String {
        let loaded = try source.load()
        let path = source.shown
        switch self {
        case let .list(limit):
            var selected: Set<String>?
            if let limit {
                do {
                    selected = Set(try loaded.select(limit).map(\.name))
                } catch {
                    throw InputError("\(error)")
                }
            }
            return loaded.ansibleListJSON(limitedTo: selected)
        case let .host(host):
            guard let found = loaded.host(named: host) else {
                let hint = loaded.nearestHostName(to: host).map { "; did you mean '\($0)'?" } ?? ""
                throw InputError("no host '\(host)' in \(path)\(hint)")
            }
            return loaded.ansibleHostJSON(found)
        case let .graph(group):
            let start = group ?? "all"
            let lines = loaded.ansibleGraphLineCount(group: start)
            guard lines <= Inventory.maximumGraphLines else {
                throw InputError(
                    "--graph \(start) would draw \(lines >= Int.max / 2 ? "billions of" : "\(lines)") lines, more than the \(Inventory.maximumGraphLines) postfleet draws: a group is drawn again under each of its parents, and this inventory's groups share their children level after level; use --list")
            }
            guard let tree = loaded.ansibleGraph(group: start) else {
                let hint = loaded.nearestGroupName(to: start).map { "; did you mean '\($0)'?" } ?? ""
                throw InputError("no group '\(start)' in \(path)\(hint)")
            }
            return tree
        }
    }
}
