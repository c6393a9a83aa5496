import Engine
import Inventory
import SSH
import Vault

/// The hosts a command acts on: the inventory, the hosts `--limit` selects, and where and
/// as whom to reach each one. Loaded whole before any host is contacted.
public struct Targets: Sendable {
    public var inventory: Inventory
    public var hosts: [InventoryHost]
    public var defaults: ConnectionDefaults
    /// What ssh_config and the host key policy warn about, for stderr.
    public var warnings: [String]

    /// Every selected host's endpoint.
    public var endpoints: [Endpoint] { hosts.map { Endpoint($0, defaults: defaults) } }

    /// Reads the inventory (every source, with its group_vars/ and host_vars/, and `-e`) and
    /// selects the hosts `limit` matches (every host without one).
    /// - Throws: ``InputError`` for an unreadable inventory, a pattern that selects nothing,
    ///   a mistake in ssh_config or a ProxyCommand.
    public static func load(inventory source: InventoryOptions, limit: String?, connection: ConnectionSettings) throws(InputError) -> Targets {
        let inventory: Inventory
        let hosts: [InventoryHost]
        do {
            inventory = try source.load()
            hosts = try limit.map { try inventory.select($0) } ?? inventory.hosts
        } catch {
            throw InputError("\(error)")
        }
        try checkConnections(of: hosts)
        let (defaults, warnings) = try connection.defaults(for: hosts)
        return Targets(inventory: inventory, hosts: hosts, defaults: defaults,
                       warnings: warnings + [unusedConnectionVariablesWarning(hosts)].compactMap { $0 })
    }

    /// The inventory's vault plaintexts: output shows them as `(secret)` (``SecretText/hiding(_:in:)``).
    public var vaultPlaintexts: [String] { inventory.vaultPlaintexts }

    /// `warnings`, and the host key warning for `endpoints`, as `postfleet: ...` lines.
    public func warnings(for endpoints: [Endpoint], connection: ConnectionSettings) -> [String] {
        (warnings + [connection.uncheckedHostKeys(endpoints)].compactMap { $0 }).map { "postfleet: \($0)" }
    }
}
