import Foundation
import Inventory
import Playbook
import Postfix

extension DiffEntry {
    /// `diff` with every secret shown as ``secret``: the keys of a secret table (not its
    /// `(mode)` entry), main.cf parameters that give credentials inline or feed a password
    /// map that does, the `-o` values of master.cf services that do, and vault values
    /// wherever they are (``hidingVaultValues(_:)``). What is secret is
    /// judged on both sides: the instance as it is (`before`) and as the files make it.
    static func hidingSecrets(_ diff: [DiffEntry], instance: PostfixInstance, files: [RenderedFile],
                              before: InstanceFacts?) -> [DiffEntry] {
        // An instance in sync has nothing to hide: no second reckoning of what the files make it.
        guard !diff.isEmpty else { return diff }
        let secretTables = Set(files.filter(\.secret).compactMap { file -> String? in
            switch file.kind {
            case let .table(name, _), let .file(name): name
            default: nil
            }
        })
        let old = (parameters: before?.parameters ?? [:], services: (before?.services ?? []).map(MasterCF.fields))
        let new = desired(old, files: files)
        let secrets = [InstanceSecrets(instance: instance, parameters: old.parameters, services: old.services),
                       InstanceSecrets(instance: instance, parameters: new.parameters, services: new.services)]
        let parameters = secrets[0].parameters.union(secrets[1].parameters)
        let vault = Set(files.flatMap(\.vaultValues)).sorted { $0.count > $1.count }
        return diff.map { entry in entry.hidingVaultValues(vault) }.map { entry in
            switch entry.section {
            case let .table(name) where secretTables.contains(name) && entry.key != modeKey,
                 let .file(name) where secretTables.contains(name) && entry.key != modeKey:
                return entry.redacted
            case .mainCF where parameters.contains(entry.key) || entry.holdsInlineSecret:
                return entry.redacted
            case .masterCF:
                func masked(_ line: String?) -> String? {
                    line.map { line in
                        let fields = MasterCF.fields(line)
                        return secrets.reduce(fields) { $1.masking(service: $0, as: secret) }.joined(separator: " ")
                    }
                }
                return DiffEntry(section: entry.section, key: entry.key, old: masked(entry.old), new: masked(entry.new))
            default:
                return entry
            }
        }
    }

    /// The instance's parameters and services once `files` are in place: a whole file
    /// replaces the host's, postconf edits change it.
    static func desired(_ old: (parameters: [String: String], services: [[String]]), files: [RenderedFile])
        -> (parameters: [String: String], services: [[String]]) {
        var parameters = old.parameters
        var services = ServiceLine.index(fields: old.services)
        for file in files {
            switch file.kind {
            case .mainCF:
                parameters = Dictionary(MainCF(file.text).parameters, uniquingKeysWith: { $1 })
            case .masterCF:
                services = [:]
                for service in MasterCF(file.text).services { services[service.key] = service.fields }
            case .mainCFEdits, .masterCFEdits:
                for edit in file.edits {
                    switch edit {
                    case let .set(name, value): parameters[name] = value
                    case let .remove(name): parameters[name] = nil
                    case let .setService(key, line): services[key] = MasterCF.fields(line)
                    case let .removeService(key): services[key] = nil
                    }
                }
            case .table, .file:
                break
            }
        }
        return (parameters, Array(services.values))
    }
}

extension DiffEntry {
    /// This entry with the vault plaintexts among `values` (longest first) shown as
    /// ``secret``: in its key, and in its values. When the new value holds one, the old value
    /// is hidden whole too: it likely held the secret the vault now replaces.
    func hidingVaultValues(_ values: [String]) -> DiffEntry {
        guard !values.isEmpty else { return self }
        func hiding(_ text: String) -> String {
            values.reduce(text) { $0.replacingAll($1, with: Self.secret) }
        }
        let newHidden = new.map(hiding)
        let replaced = newHidden != new
        return DiffEntry(section: section, key: hiding(key), old: old.map { replaced ? Self.secret : hiding($0) }, new: newHidden)
    }
}
