import Foundation
import Inventory
import Vault

extension ComparisonFixture {
    /// The vault fixtures the real ansible-vault made (Tests/VaultTests/Fixtures): `!vault`
    /// values under three labels, in the inventory and in host_vars; group_vars files
    /// encrypted whole beside a clear one.
    static var vaulted: [ComparisonFixture] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("VaultTests/Fixtures").path
        let paths = ["inventory/hosts.yml", "inventory/group_vars/all.yml", "inventory/group_vars/border/main.yml",
                     "inventory/group_vars/border/vault.yml", "inventory/host_vars/mta1.yml",
                     "passwords/default.pass", "passwords/prod.pass", "passwords/staging.pass"]
        var files: [String: String] = [:]
        for path in paths { files[path] = (try? String(contentsOfFile: root + "/" + path, encoding: .utf8)) ?? "" }
        return [ComparisonFixture("vault: !vault values and encrypted group_vars, three vault ids", inventory: "inventory/hosts.yml", files,
                                  vaultIDs: ["default@passwords/default.pass", "prod@passwords/prod.pass", "staging@passwords/staging.pass"])]
    }

    /// The passwords of ``vaultIDs``, files under `directory`.
    func keyring(in directory: String) throws -> VaultKeyring {
        let identities = vaultIDs.map { id in
            let (label, file) = (id.prefix { $0 != "@" }, id.drop { $0 != "@" }.dropFirst())
            return VaultIdentity(parsing: "\(label)@\(directory)/\(file)", origin: "--vault-id \(id)")
        }
        return try VaultIdentity.keyring(identities, settings: VaultSettings())
    }
}
