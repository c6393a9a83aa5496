import Playbook
import Postfix

extension InstancePlan {
    /// Gathers one instance's writes, edits, postmaps, change and diff, file by file: each
    /// kind of rendered file compared with the instance as the facts show it.
    struct Builder {
        let facts: HostFacts
        /// The instance as it was; nil when the run creates it.
        let before: InstanceFacts?
        let oldTables: [String: String]
        /// `postconf -n` without config_directory, which it always lists and no main.cf sets.
        let oldParameters: [String: String]
        let oldServices: [MasterServiceKey: [String]]
        var writes: [RenderedFile] = []
        var edits: [PostconfEdit] = []
        var postmaps: [RenderedFile] = []
        var change = InstanceChange()
        var diff: [DiffEntry] = []

        init(facts: HostFacts, before: InstanceFacts?, oldTables: [String: String]) {
            self.facts = facts
            self.before = before
            self.oldTables = oldTables
            oldParameters = (before?.parameters ?? [:]).filter { $0.key != "config_directory" }
            oldServices = ServiceLine.index(before?.services ?? [])
        }

        func changed(_ file: RenderedFile) -> Bool { facts.checksums[file.path] != SHA256.hex(file.contents) }

        /// A whole main.cf: written when its checksum differs; its diff per parameter.
        mutating func mainCF(_ file: RenderedFile) {
            guard changed(file) else { return }
            writes.append(file)
            let new = MainCF(file.text).parameters
            let entries = DiffEntry.parameters(old: oldParameters, new: Dictionary(new, uniquingKeysWith: { $1 }),
                                               order: new.map(\.name))
            diff += entries
            change.parameters.formUnion(entries.map(\.key))
        }

        /// A whole master.cf: written when its checksum differs; its diff per service.
        mutating func masterCF(_ file: RenderedFile) {
            guard changed(file) else { return }
            writes.append(file)
            var new: [MasterServiceKey: [String]] = [:]
            var order: [MasterServiceKey] = []
            for service in MasterCF(file.text).services {
                if new[service.key] == nil { order.append(service.key) }
                new[service.key] = service.fields
            }
            let entries = DiffEntry.services(old: oldServices, new: new, order: order)
            diff += entries
            for entry in entries { InstancePlan.note(service: entry, in: &change) }
        }

        /// main.cf parameters to set or remove: only those that change something.
        mutating func mainCFEdits(_ file: RenderedFile) {
            for edit in file.edits {
                switch edit {
                case let .set(name, value):
                    let old = oldParameters[name]
                    if before != nil, let old, InstancePlan.normalized(old) == InstancePlan.normalized(value) { continue }
                    edits.append(edit)
                    diff.append(DiffEntry(section: .mainCF, key: name, old: old, new: value))
                    change.parameters.insert(name)
                case let .remove(name):
                    let old = oldParameters[name]
                    // A new instance's main.cf is postmulti's copy: remove without knowing.
                    guard old != nil || before == nil else { continue }
                    edits.append(edit)
                    diff.append(DiffEntry(section: .mainCF, key: name, old: old ?? "(postmulti's copy)", new: nil))
                    change.parameters.insert(name)
                case .setService, .removeService:
                    continue
                }
            }
        }

        /// master.cf services to set or remove: only those that change something.
        mutating func masterCFEdits(_ file: RenderedFile) {
            for edit in file.edits {
                let entry: DiffEntry
                switch edit {
                case let .setService(key, line):
                    let fields = MasterCF.fields(line)
                    let old = oldServices[key]
                    if before != nil, old == fields { continue }
                    entry = DiffEntry(section: .masterCF, key: key.description,
                                      old: old?.joined(separator: " "), new: fields.joined(separator: " "))
                case let .removeService(key):
                    let old = oldServices[key]
                    guard old != nil || before == nil else { continue }
                    entry = DiffEntry(section: .masterCF, key: key.description,
                                      old: old?.joined(separator: " ") ?? "(postmulti's copy)", new: nil)
                case .set, .remove:
                    continue
                }
                edits.append(edit)
                diff.append(entry)
                InstancePlan.note(service: entry, in: &change)
            }
        }

        /// A file of `files:`: written when its text differs (or a secret one is readable by
        /// others); the diff says it changed, with the first 16 hex digits of its SHA-256 when
        /// it is no secret (a key never shows anything).
        mutating func file(_ file: RenderedFile, name: String) {
            let old = facts.checksums[file.path]
            let looseMode = HostPlan.readableByOthers(file, facts: facts)
            if changed(file) {
                writes.append(file)
                change.files.append(name)
                let short = { (hex: String) in "sha256:" + hex.prefix(16) }
                diff.append(DiffEntry(section: .file(name), key: old == nil ? "(new file)" : "(contents)",
                                      old: old.map(short), new: short(SHA256.hex(file.contents))))
            } else if looseMode != nil {
                writes.append(file)
                change.files.append(name)
            }
            if let looseMode, old != nil {
                diff.append(DiffEntry(section: .file(name), key: DiffEntry.modeKey,
                                      old: String(looseMode, radix: 8), new: String(file.mode, radix: 8)))
            }
        }

        /// A lookup table: written when its source differs (or a secret one is readable by
        /// others), built with postmap when indexed and its source or index changed.
        mutating func table(_ file: RenderedFile, name: String, type: TableType) {
            let sourceChanged = changed(file)
            let indexMissing = type.indexedFileSuffix.map { facts.checksums[file.path + $0] == nil } ?? false
            // A secret others can read is written again, and its index built again, 0600.
            let looseMode = HostPlan.readableByOthers(file, facts: facts)
            if sourceChanged {
                writes.append(file)
                change.tables.append((name, type.isIndexed))
                let old = oldTables[file.path]
                diff += old.map { DiffEntry.table(name, old: $0, new: file.text) }
                    ?? [DiffEntry(section: .table(name), key: facts.checksums[file.path] == nil ? "(new table)" : "(contents)",
                                  old: nil, new: nil)]
            } else if looseMode != nil {
                writes.append(file)
                change.tables.append((name, type.isIndexed))
            }
            if let looseMode, facts.checksums[file.path] != nil {
                diff.append(DiffEntry(section: .table(name), key: DiffEntry.modeKey,
                                      old: String(looseMode, radix: 8), new: String(file.mode, radix: 8)))
            }
            if type.isIndexed && (sourceChanged || indexMissing || looseMode != nil) {
                postmaps.append(file)
                if !sourceChanged { change.tables.append((name, true)) }
            }
        }
    }
}
