import Playbook
import Postfix

extension InstanceDrift {
    /// Compares a host's facts with what the playbook wants there: per instance, what
    /// differs (only instances with a difference, the default one and then the play's
    /// order, which is the start order; instances the play marks absent last). Empty: the
    /// host is in sync, and `postfleet run` would change nothing on it (its `tasks:` aside).
    ///
    /// A pure function over ``HostPlan/make(desired:files:facts:oldTables:)``: drift is
    /// exactly a non-empty plan. `oldTables`: the host's text of the tables whose source
    /// differs (``HostPlan/changedTables(_:facts:)``), for per-key differences.
    /// Instances the playbook does not mention are not compared (run leaves them alone).
    public static func compare(desired: [InstanceSpec], files: [RenderedFile], facts: HostFacts,
                               oldTables: [String: String] = [:]) -> [InstanceDrift] {
        let plan = HostPlan.make(desired: desired, files: files, facts: facts, oldTables: oldTables)
        var drift = Collected()
        // Present instances first, in the plan's order, so the report follows start order.
        for i in plan.instances { drift.add(i.instance.name) { _ in } }
        drift.lifecycle(plan.lifecycle, desired: desired, facts: facts)
        for i in plan.instances {
            // A missing instance is all new: its creation says it; its files are the playbook's.
            guard i.before != nil else { continue }
            drift.add(i.instance.name) { $0.note(i, facts: facts, oldTables: oldTables) }
        }
        return drift.order.compactMap { drift.byName[$0] }.filter { !$0.isEmpty }
    }

    /// The host's secondary instances that the playbook does not list, in start order. They
    /// are not drift (run leaves them alone), but someone checking a host wants to know.
    public static func unlisted(desired: [InstanceSpec], facts: HostFacts) -> [String] {
        let listed = Set(desired.map(\.instance.configDirectory))
        return facts.instances.compactMap { i in
            guard let name = i.name, !listed.contains(i.configDirectory) else { return nil }
            return name
        }
    }

    /// The instances' drift as it is found, in the order they are first named.
    private struct Collected {
        var order: [String] = []
        var byName: [String: InstanceDrift] = [:]

        mutating func add(_ name: String, _ change: (inout InstanceDrift) -> Void) {
            if byName[name] == nil {
                order.append(name)
                byName[name] = InstanceDrift(instance: name)
            }
            change(&byName[name]!)
        }

        /// What the plan's postmulti operations say about the instances as they are.
        mutating func lifecycle(_ commands: [PostmultiCommand], desired: [InstanceSpec], facts: HostFacts) {
            let spec = Dictionary(desired.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            func live(_ name: String) -> InstanceFacts? {
                spec[name].flatMap { facts.instance(configDirectory: $0.instance.configDirectory) }
            }
            var created: Set<String> = []
            for command in commands {
                guard case let .action(action) = command.operation else { continue }
                if action == .`init` {
                    add(PostfixInstance.defaultName) { $0.state.append(.notInitialized) }
                    continue
                }
                guard let name = command.instanceName else { continue }
                switch action {
                case .create:
                    created.insert(name)
                    let enabled = spec[name]?.instance.enabled ?? true
                    add(name) { $0.state.append(.missing(group: command.newGroup, enabled: enabled)) }
                case .assign:
                    let group = command.newGroup == "-" ? nil : command.newGroup
                    add(name) { $0.state.append(.group(live: live(name)?.group, playbook: group)) }
                case .enable where !created.contains(name):
                    add(name) { $0.state.append(.disabled) }
                case .disable:
                    add(name) { $0.state.append(.enabled) }
                case .destroy:
                    let blockers = live(name).map { LifecyclePlan.destroyBlockers($0, queuedMessages: $0.queuedMessages) } ?? []
                    add(name) { $0.state.append(.present(blockers: blockers)) }
                default:
                    continue
                }
            }
        }
    }

    /// What an existing instance's plan says differs: not running, entries, and files that
    /// differ with nothing to show per parameter, service or key.
    private mutating func note(_ i: InstancePlan, facts: HostFacts, oldTables: [String: String]) {
        if i.start { state.append(.stopped) }
        if i.adopt, let unit = i.before?.unit { state.append(.outsideUnit(unit: unit)) }
        entries += i.diff.filter { $0.key != "(new table)" && $0.key != "(contents)" && $0.key != "(new file)" }
        for file in i.writes {
            let base = file.fileName
            switch file.kind {
            case .mainCF:
                if !Self.parametersDiffer(file, before: i.before) { files.append(.textOnly(file: base)) }
            case .masterCF:
                if !Self.servicesDiffer(file, before: i.before) { files.append(.textOnly(file: base)) }
            case let .table(table, _):
                if facts.checksums[file.path] == nil {
                    files.append(.missing(file: base))
                } else if facts.checksums[file.path] == SHA256.hex(file.contents) {
                    break  // written again for its mode only: its "(mode)" entry says so
                } else if let old = oldTables[file.path] {
                    if DiffEntry.table(table, old: old, new: file.text).isEmpty { files.append(.textOnly(file: base)) }
                } else {
                    files.append(.differs(file: base))
                }
            case .file:
                if facts.checksums[file.path] == nil {
                    files.append(.missing(file: base))
                } else if facts.checksums[file.path] != SHA256.hex(file.contents) {
                    files.append(.differs(file: base))
                }
            case .mainCFEdits, .masterCFEdits:
                break
            }
        }
        for table in i.postmaps where !i.writes.contains(table) {
            guard case let .table(name, type) = table.kind, let suffix = type.indexedFileSuffix else { continue }
            files.append(.indexMissing(table: name, file: table.fileName + suffix))
        }
    }

    /// Whether a whole main.cf sets any parameter otherwise than the host's.
    private static func parametersDiffer(_ file: RenderedFile, before: InstanceFacts?) -> Bool {
        let old = (before?.parameters ?? [:]).filter { $0.key != "config_directory" }
        let new = MainCF(file.text).parameters
        return !DiffEntry.parameters(old: old, new: Dictionary(new, uniquingKeysWith: { $1 }), order: new.map(\.name)).isEmpty
    }

    /// Whether a whole master.cf defines any service otherwise than the host's.
    private static func servicesDiffer(_ file: RenderedFile, before: InstanceFacts?) -> Bool {
        var new: [MasterServiceKey: [String]] = [:]
        for service in MasterCF(file.text).services { new[service.key] = service.fields }
        return ServiceLine.index(before?.services ?? []) != new
    }
}
