import Foundation
import Playbook
import Postfix

/// What a run must do to one host, computed from what the playbook wants and what the
/// host has (its ``HostFacts``), without contacting it. A pure function: the same
/// rendered files and facts always give the same plan, and a converged host gives an
/// empty one.
public struct HostPlan: Sendable {
    /// postmulti life-cycle operations, in the order they run (before any file is staged).
    public var lifecycle: [PostmultiCommand]
    /// Per instance the play lists as present, in start order (the default instance first,
    /// then the play's order, which is postmulti's start order).
    public var instances: [InstancePlan]
    /// Why the host cannot be converged at all (a destroy postmulti would refuse); when not
    /// empty, nothing is done on the host.
    public var refusals: [String]

    /// Nothing to do.
    public var isEmpty: Bool {
        lifecycle.isEmpty && refusals.isEmpty && instances.allSatisfy(\.isEmpty)
    }

    /// Every path whose checksum the plan compares; ``gatherFacts(_:files:timeout:)`` reads them.
    public static func watchedPaths(_ files: [RenderedFile]) -> [String] {
        var paths: [String] = []
        for file in files {
            switch file.kind {
            case .mainCF, .masterCF:
                paths.append(file.path)
            case let .table(_, type):
                paths.append(file.path)
                if let suffix = type.indexedFileSuffix { paths.append(file.path + suffix) }
            case .mainCFEdits, .masterCFEdits:
                break
            }
        }
        return paths
    }

    /// The instances whose queues the facts must count: those the plan may destroy, which
    /// it does only when their queue is empty.
    public static func queuesToCount(_ desired: [InstanceSpec]) -> [String] {
        desired.filter { $0.state == .absent && !$0.instance.isDefault }.map(\.instance.configDirectory)
    }

    /// The secret tables and their indexes: the plan checks that only their owner can read them.
    public static func secretPaths(_ files: [RenderedFile]) -> [String] {
        files.filter(\.secret).flatMap { file -> [String] in
            guard case let .table(_, type) = file.kind else { return [file.path] }
            return [file.path] + (type.indexedFileSuffix.map { [file.path + $0] } ?? [])
        }
    }

    /// The permission bits of a secret `file` (or its index) on the host when others than its
    /// owner can read it; nil when they cannot, or the file is no secret.
    static func readableByOthers(_ file: RenderedFile, facts: HostFacts) -> Int? {
        guard file.secret else { return nil }
        return secretPaths([file]).lazy.compactMap { facts.modes[$0] }.first { $0 & 0o077 != 0 }
    }

    /// The tables whose source on the host differs from the rendered one (new tables not
    /// included): those whose old text `--diff` reads to show per-key changes.
    public static func changedTables(_ files: [RenderedFile], facts: HostFacts) -> [String] {
        files.filter {
            guard case .table = $0.kind, let old = facts.checksums[$0.path] else { return false }
            return old != SHA256.hex($0.contents)
        }.map(\.path)
    }

    /// The plan for one host.
    ///
    /// - Parameters:
    ///   - desired: the instances the plays that target the host list (present or absent).
    ///   - files: the host's rendered files (``Playbook/Playbook/render(for:inventory:)``).
    ///   - facts: the host as it is.
    ///   - oldTables: the current text of tables whose source changed, by path, when the
    ///     caller wants per-key diffs (`--diff`); without it, table diffs say only "changed".
    public static func make(desired: [InstanceSpec], files: [RenderedFile], facts: HostFacts,
                            oldTables: [String: String] = [:]) -> HostPlan {
        let files = keepingUnlisted(files, desired: desired, facts: facts)
        let lifecycleDesired = desired.map { LifecyclePlan.Desired($0.instance, present: $0.state == .present) }
        var refusals: [String] = []
        for spec in desired where spec.state == .absent && !spec.instance.isDefault {
            guard let have = facts.instance(configDirectory: spec.instance.configDirectory) else { continue }
            let reasons = LifecyclePlan.destroyBlockers(have, queuedMessages: have.queuedMessages)
            if !reasons.isEmpty {
                refusals.append("cannot destroy instance \(spec.name): " + reasons.joined(separator: ", "))
            }
        }
        let lifecycle = LifecyclePlan.steps(for: lifecycleDesired, facts: facts)

        var instances: [InstancePlan] = []
        for spec in desired where spec.state == .present {
            let mine = files.filter { $0.instance.configDirectory == spec.instance.configDirectory }
            instances.append(InstancePlan.make(spec.instance, files: mine, facts: facts, oldTables: oldTables))
        }
        return HostPlan(lifecycle: lifecycle, instances: instances, refusals: refusals)
    }
}

extension HostPlan {
    /// `files` with the default instance's `multi_instance_directories` keeping the host's
    /// secondary instances that `desired` does not list (after the listed ones, in their
    /// order). postfleet leaves such an instance alone; dropping it from that list would
    /// make postmulti lose track of it, its files and queue left behind and unlisted.
    static func keepingUnlisted(_ files: [RenderedFile], desired: [InstanceSpec], facts: HostFacts) -> [RenderedFile] {
        let listed = Set(desired.map(\.instance.configDirectory))
        let unlisted = facts.instances.filter { $0.name != nil && !listed.contains($0.configDirectory) }.map(\.configDirectory)
        guard !unlisted.isEmpty else { return files }
        // Where the playbook has no secondary instance, the default main.cf has none of
        // postmulti's parameters: the host stays a multi-instance host.
        let multiInstance: [PostconfEdit] = [.set(parameter: "multi_instance_wrapper", value: PostmultiOwnership.wrapper),
                                             .set(parameter: "multi_instance_enable", value: "yes")]
        func keeping(_ value: String?) -> String {
            ((value?.split(separator: " ").map(String.init) ?? []) + unlisted).joined(separator: " ")
        }
        return files.map { file in
            guard file.instance.isDefault else { return file }
            switch file.kind {
            case .mainCF:
                var main = MainCF(file.text)
                let current = main.value(of: "multi_instance_directories")
                if current == nil { for edit in multiInstance { main.apply(edit) } }
                main.set("multi_instance_directories", to: keeping(current))
                return RenderedFile(path: file.path, contents: Array(main.text.utf8), secret: file.secret, instance: file.instance, kind: .mainCF)
            case .mainCFEdits:
                var edits = file.edits
                if let i = edits.firstIndex(where: { if case .set("multi_instance_directories", _) = $0 { true } else { false } }),
                   case let .set(_, value) = edits[i] {
                    edits[i] = .set(parameter: "multi_instance_directories", value: keeping(value))
                } else {
                    edits += multiInstance + [.set(parameter: "multi_instance_directories", value: keeping(nil))]
                }
                let text = file.text + "# and the instances on this host that the playbook does not list\n"
                return RenderedFile(path: file.path, contents: Array(text.utf8), secret: file.secret, instance: file.instance,
                                    kind: .mainCFEdits, edits: edits)
            default:
                return file
            }
        }
    }
}

/// What the run does to one instance.
public struct InstancePlan: Sendable {
    public var instance: PostfixInstance
    /// The instance as it was before the run; nil when the run creates it.
    public var before: InstanceFacts?
    /// Whole files to write (main.cf, master.cf, table sources), each because its checksum differs.
    public var writes: [RenderedFile]
    /// postconf edits to apply to the staged main.cf / master.cf: only those that change something.
    public var edits: [PostconfEdit]
    /// Indexed tables to build with postmap (source changed, or the indexed file is missing).
    public var postmaps: [RenderedFile]
    /// What changed, as ``ChangeImpact`` judges it.
    public var change: InstanceChange
    /// The least disruptive way to make it live.
    public var action: LiveAction
    /// The instance should run (it is enabled) and does not: start it after the change.
    public var start: Bool
    /// Per parameter, service and table key: what changes.
    public var diff: [DiffEntry]

    /// No file to touch and nothing to start.
    public var isEmpty: Bool { writes.isEmpty && edits.isEmpty && postmaps.isEmpty && !start && action == .none }

    /// Whether a configuration directory must be staged and checked.
    public var touchesFiles: Bool { !writes.isEmpty || !edits.isEmpty || !postmaps.isEmpty }

    /// Whether the staged main.cf or master.cf changes (edits apply to them).
    public var editsMainCF: Bool { edits.contains(where: \.isMainCF) }
    public var editsMasterCF: Bool { edits.contains { !$0.isMainCF } }

    static func make(_ instance: PostfixInstance, files: [RenderedFile], facts: HostFacts,
                     oldTables: [String: String]) -> InstancePlan {
        let before = facts.instance(configDirectory: instance.configDirectory)
        // `postconf -c DIR -n` always lists config_directory, which no main.cf sets.
        let oldParameters = (before?.parameters ?? [:]).filter { $0.key != "config_directory" }
        let oldServices = ServiceLine.index(before?.services ?? [])
        var writes: [RenderedFile] = [], edits: [PostconfEdit] = [], postmaps: [RenderedFile] = []
        var change = InstanceChange()
        var diff: [DiffEntry] = []

        func changed(_ file: RenderedFile) -> Bool { facts.checksums[file.path] != SHA256.hex(file.contents) }

        for file in files {
            switch file.kind {
            case .mainCF:
                guard changed(file) else { continue }
                writes.append(file)
                let new = MainCF(file.text).parameters
                let entries = DiffEntry.parameters(old: oldParameters, new: Dictionary(new, uniquingKeysWith: { $1 }),
                                                   order: new.map(\.name))
                diff += entries
                change.parameters.formUnion(entries.map(\.key))
            case .masterCF:
                guard changed(file) else { continue }
                writes.append(file)
                var new: [MasterServiceKey: [String]] = [:]
                var order: [MasterServiceKey] = []
                for service in MasterCF(file.text).services {
                    if new[service.key] == nil { order.append(service.key) }
                    new[service.key] = service.fields
                }
                let entries = DiffEntry.services(old: oldServices, new: new, order: order)
                diff += entries
                for entry in entries { note(service: entry, in: &change) }
            case .mainCFEdits:
                for edit in file.edits {
                    switch edit {
                    case let .set(name, value):
                        let old = oldParameters[name]
                        if before != nil, let old, normalized(old) == normalized(value) { continue }
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
            case .masterCFEdits:
                for edit in file.edits {
                    switch edit {
                    case let .setService(key, line):
                        let fields = MasterCF.fields(line)
                        let old = oldServices[key]
                        if before != nil, old == fields { continue }
                        edits.append(edit)
                        let entry = DiffEntry(section: .masterCF, key: key.description,
                                              old: old?.joined(separator: " "), new: fields.joined(separator: " "))
                        diff.append(entry)
                        note(service: entry, in: &change)
                    case let .removeService(key):
                        let old = oldServices[key]
                        guard old != nil || before == nil else { continue }
                        edits.append(edit)
                        let entry = DiffEntry(section: .masterCF, key: key.description, old: old?.joined(separator: " ") ?? "(postmulti's copy)", new: nil)
                        diff.append(entry)
                        note(service: entry, in: &change)
                    case .set, .remove:
                        continue
                    }
                }
            case let .table(name, type):
                let sourceChanged = changed(file)
                let indexMissing = type.indexedFileSuffix.map { facts.checksums[file.path + $0] == nil } ?? false
                // A secret others can read is written again, and its index built again, 0600.
                let looseMode = HostPlan.readableByOthers(file, facts: facts)
                if sourceChanged {
                    writes.append(file)
                    change.tables.append((name, type.isIndexed))
                    let old = oldTables[file.path]
                    let entries = old.map { DiffEntry.table(name, old: $0, new: file.text) }
                        ?? [DiffEntry(section: .table(name), key: facts.checksums[file.path] == nil ? "(new table)" : "(contents)",
                                      old: nil, new: nil)]
                    diff += entries
                } else if let looseMode {
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
        // Secrets are said to have changed, never shown.
        let secretTables = Set(files.filter(\.secret).compactMap { file -> String? in
            if case let .table(name, _) = file.kind { name } else { nil }
        })
        diff = diff.map { entry in
            switch entry.section {
            case let .table(name) where secretTables.contains(name) && entry.key != DiffEntry.modeKey: entry.redacted
            case .mainCF where entry.holdsInlineSecret: entry.redacted
            default: entry
            }
        }
        let running = before?.running ?? false
        let action = ChangeImpact.action(for: change, running: running)
        let start = instance.enabled && !running
        return InstancePlan(instance: instance, before: before, writes: writes, edits: edits, postmaps: postmaps,
                            change: change, action: start ? .none : action, start: start, diff: diff)
    }

    private static func note(service entry: DiffEntry, in change: inout InstanceChange) {
        if entry.key.hasSuffix("/inet") { change.listenersChanged = true } else { change.servicesChanged = true }
    }

    /// Postfix joins continuation lines and ignores runs of white space in a value.
    static func normalized(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).joined(separator: " ")
    }
}

/// `postconf -M` lines by service key, as whitespace-split fields.
enum ServiceLine {
    static func index(_ lines: [String]) -> [MasterServiceKey: [String]] {
        var out: [MasterServiceKey: [String]] = [:]
        for line in lines {
            let fields = MasterCF.fields(line)
            guard fields.count >= 2 else { continue }
            out[MasterServiceKey(name: fields[0], type: fields[1])] = fields
        }
        return out
    }
}

/// One difference `--diff` shows: a main.cf parameter, a master.cf service, or a table key.
public struct DiffEntry: Sendable, Equatable {
    public enum Section: Sendable, Equatable, CustomStringConvertible {
        case mainCF
        case masterCF
        case table(String)

        public var description: String {
            switch self {
            case .mainCF: "main.cf"
            case .masterCF: "master.cf"
            case let .table(name): name
            }
        }
    }

    public var section: Section
    public var key: String
    /// nil: added.
    public var old: String?
    /// nil: removed.
    public var new: String?

    public init(section: Section, key: String, old: String?, new: String?) {
        self.section = section
        self.key = key
        self.old = old
        self.new = new
    }

    /// What a secret value shows as.
    public static let secret = "(secret)"
    /// The key of a table entry that says its file (or index) has the wrong permission bits.
    public static let modeKey = "(mode)"

    /// This entry with its values hidden: it says that a secret was added, removed or changed.
    var redacted: DiffEntry {
        DiffEntry(section: section, key: key, old: old.map { _ in Self.secret }, new: new.map { _ in Self.secret })
    }

    /// A password map given in main.cf itself (`smtp_sasl_password_maps = static:user:pass`,
    /// `inline:{...}`): its value is the secret.
    var holdsInlineSecret: Bool {
        key.hasSuffix("_password_maps") && [old, new].contains { value in
            value.map { $0.contains("static:") || $0.contains("inline:") } ?? false
        }
    }

    /// `+ name = value`, `- name = value`, `~ name = old -> new`.
    public var line: String {
        switch (old, new) {
        case let (nil, new?): "+ \(key) = \(new)"
        case let (old?, nil): "- \(key) = \(old)"
        case let (old?, new?): "~ \(key) = \(old) -> \(new)"
        case (nil, nil): "~ \(key)"
        }
    }

    static func parameters(old: [String: String], new: [String: String], order: [String]) -> [DiffEntry] {
        var out: [DiffEntry] = []
        for name in order {
            let value = new[name]!
            if let was = old[name], InstancePlan.normalized(was) == InstancePlan.normalized(value) { continue }
            out.append(DiffEntry(section: .mainCF, key: name, old: old[name], new: value))
        }
        for name in old.keys.sorted() where new[name] == nil {
            out.append(DiffEntry(section: .mainCF, key: name, old: old[name], new: nil))
        }
        return out
    }

    static func services(old: [MasterServiceKey: [String]], new: [MasterServiceKey: [String]], order: [MasterServiceKey]) -> [DiffEntry] {
        var out: [DiffEntry] = []
        for key in order where old[key] != new[key] {
            out.append(DiffEntry(section: .masterCF, key: key.description,
                                 old: old[key]?.joined(separator: " "), new: new[key]!.joined(separator: " ")))
        }
        for key in old.keys.sorted() where new[key] == nil {
            out.append(DiffEntry(section: .masterCF, key: key.description, old: old[key]!.joined(separator: " "), new: nil))
        }
        return out
    }

    /// Per key of a table source (`key value` lines; comments and blank lines ignored; a
    /// key's first line counts, as postmap(1) keeps the first and warns about the others).
    static func table(_ name: String, old: String, new: String) -> [DiffEntry] {
        func entries(_ text: String) -> (order: [String], values: [String: String]) {
            var order: [String] = [], values: [String: String] = [:]
            for raw in text.split(separator: "\n") {
                let line = raw.trimmingCharacters(in: .whitespaces)
                guard !line.isEmpty, !line.hasPrefix("#") else { continue }
                let key = String(line.prefix { $0 != " " && $0 != "\t" })
                let value = line.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
                if values[key] == nil { order.append(key); values[key] = value }
            }
            return (order, values)
        }
        let (oldOrder, oldValues) = entries(old)
        let (newOrder, newValues) = entries(new)
        var out: [DiffEntry] = []
        for key in newOrder where oldValues[key] != newValues[key] {
            out.append(DiffEntry(section: .table(name), key: key, old: oldValues[key], new: newValues[key]))
        }
        for key in oldOrder where newValues[key] == nil {
            out.append(DiffEntry(section: .table(name), key: key, old: oldValues[key], new: nil))
        }
        return out
    }
}
