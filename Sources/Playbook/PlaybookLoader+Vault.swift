import Inventory
import Vault
import Yams

/// Where a playbook may hold ansible-vault text: as the value of a variable in a play's
/// `vars:` (decrypted at load, see ``Inventory/VaultedString``); nowhere else, where the
/// envelope would be taken for the value itself.
extension PlaybookLoader {
    /// - Throws: at a `!vault` tag found anywhere under `node`.
    func refuseVault(in node: Node) throws(SourceError) {
        switch node {
        case .scalar:
            if reader.tagName(node).rawValue == "!vault" {
                throw reader.error(
                    "a vault-encrypted value can only be a variable's value (in 'vars:', the inventory, group_vars/ or host_vars/); set a variable to it and write {{ name }} here",
                    at: node)
            }
        case let .sequence(sequence):
            for item in sequence { try refuseVault(in: item) }
        case let .mapping(mapping):
            for (key, value) in mapping {
                try refuseVault(in: key)
                try refuseVault(in: value)
            }
        case .alias:
            break
        }
    }

    /// A playbook encrypted whole is not read: its plays would hold no vault strings to hide.
    func refuseEncryptedWhole() throws(SourceError) {
        guard VaultEnvelope.isEncrypted(source.text) else { return }
        throw source.error(
            "the playbook is vault-encrypted whole; postfleet decrypts !vault values in its 'vars:' (and in the inventory), not a whole playbook",
            line: 1, column: 1)
    }
}
