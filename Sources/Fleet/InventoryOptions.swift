import AnsibleConfig
import Foundation
import Inventory
import Vault

/// Where the hosts come from, as the command line says it: each `-i` in order (merged as
/// Ansible merges them), each `-e`, and ansible.cfg with its `ANSIBLE_*` variables for
/// what the command line leaves out.
public struct InventoryOptions: Sendable {
    /// `-i`, in order; empty: ansible.cfg's `inventory`, else `/etc/ansible/hosts` (Ansible's default).
    public var sources: [String]
    /// `-e`, in order, as typed.
    public var extraVariables: [String]
    public var config: AnsibleConfig
    /// The vault passwords, for `!vault` values and encrypted files (and the playbook's vars).
    public var vault: VaultKeyring = .empty

    public init(sources: [String], extraVariables: [String] = [], config: AnsibleConfig = AnsibleConfig()) {
        self.sources = sources
        self.extraVariables = extraVariables
        self.config = config
    }

    /// Ansible's default inventory, read when neither `-i` nor the configuration names one.
    public static let defaultInventory = "/etc/ansible/hosts"

    /// The sources to read: `-i`, else the configuration's, else Ansible's default if it exists.
    /// - Throws: ``InputError`` when there is none.
    public func resolvedSources() throws(InputError) -> [String] {
        if !sources.isEmpty { return sources }
        if let configured = config.inventory, !configured.isEmpty { return configured }
        if FileManager.default.fileExists(atPath: Self.defaultInventory) { return [Self.defaultInventory] }
        throw InputError("no inventory: give -i INVENTORY (a file, a directory, a script or host1,host2,), or set inventory in ansible.cfg ([defaults]) or ANSIBLE_INVENTORY")
    }

    /// The sources, for messages: `hosts.ini`, `hosts.ini, extra.yml`.
    public var shown: String {
        ((try? resolvedSources()) ?? sources).joined(separator: ", ")
    }

    /// Reads every source, merged, with `-e` over every variable.
    /// - Throws: the loaders' `FILE:LINE:COL: error: ...` (`-e` text is the file `-e`),
    ///   `FileError`, and ``InputError`` for a script, host list or `-e` file that gave nothing usable.
    public func load() throws -> Inventory {
        let sources = try resolvedSources()
        var options = Inventory.LoadOptions()
        options.ignore = config.inventoryIgnore
        options.vault = vault
        do {
            options.extraVariables = try ExtraVariables.parse(extraVariables)
            return try Inventory.load(sources: sources, options: options)
        } catch let error as InventorySourceError {
            throw InputError("\(error)")
        }
    }
}
