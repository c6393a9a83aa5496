import Playbook
import Postfix
import SSH

/// How one instance of a host differs from what the playbook wants: what `postfleet run`
/// would change there, said as what is different rather than as what would be done.
public struct InstanceDrift: Sendable, Equatable {
    /// An instance-level difference: the instance is missing, in another group, disabled,
    /// not running, there when the playbook says absent...
    public enum State: Sendable, Equatable {
        /// The default instance is not set up for secondary instances (`postmulti -e init`).
        case notInitialized
        /// The instance does not exist; run would create it (in `group`; enabled or not).
        case missing(group: String?, enabled: Bool)
        /// It is in another instance group (nil: none).
        case group(live: String?, playbook: String?)
        /// It is disabled; the playbook says enabled.
        case disabled
        /// It is enabled; the playbook says disabled.
        case enabled
        /// It exists; the playbook says absent. `blockers`: why run could not destroy it yet.
        case present(blockers: [String])
        /// It is enabled and its master is not running.
        case stopped

        /// A short name for JSON: `missing`, `group`, `disabled`, ...
        public var kind: String {
            switch self {
            case .notInitialized: "not_initialized"
            case .missing: "missing"
            case .group: "group"
            case .disabled: "disabled"
            case .enabled: "enabled"
            case .present: "present"
            case .stopped: "stopped"
            }
        }

        /// The host's side, and the playbook's.
        public var live: String? {
            switch self {
            case .notInitialized: "multi_instance_enable is not yes or there is no multi_instance_wrapper"
            case .missing: "absent"
            case let .group(live, _): live
            case .disabled: "disabled"
            case .enabled: "enabled"
            case .present: "present"
            case .stopped: "stopped"
            }
        }

        public var playbook: String? {
            switch self {
            case .notInitialized: "multi-instance (postmulti -e init)"
            case .missing: "present"
            case let .group(_, playbook): playbook
            case .disabled: "enabled"
            case .enabled: "disabled"
            case .present: "absent"
            case .stopped: "running"
            }
        }

        /// A sentence for the report: what differs and what `run` would do about it.
        public var message: String {
            switch self {
            case .notInitialized:
                return "not set up for multiple instances (run would run postmulti -e init)"
            case let .missing(group, enabled):
                var would = "create it" + (group.map { " in group \($0)" } ?? "")
                if enabled { would += ", enable it and start it" }
                return "missing (run would \(would))"
            case let .group(live, playbook):
                let from = live.map { "in group \($0)" } ?? "in no group"
                let to = playbook.map { "group \($0)" } ?? "no group"
                return "\(from), the playbook says \(to) (run would assign it)"
            case .disabled:
                return "disabled (run would enable it)"
            case .enabled:
                return "enabled, the playbook says disabled (run would disable it)"
            case let .present(blockers):
                let base = "present, the playbook says absent (run would destroy it"
                return blockers.isEmpty ? base + ")" : base + " once it can: " + blockers.joined(separator: ", ") + ")"
            case .stopped:
                return "not running (run would start it)"
            }
        }

        /// A word or two for summaries.
        public var short: String {
            switch self {
            case .notInitialized: "not initialized"
            case .missing: "missing"
            case .group: "other group"
            case .disabled: "disabled"
            case .enabled: "enabled"
            case .present: "should be absent"
            case .stopped: "not running"
            }
        }
    }

    /// A file that differs with no parameter, service or key to show for it.
    public enum FileNote: Sendable, Equatable {
        /// The file differs, but not in what Postfix reads from it (comments, order,
        /// white space, a setting repeated).
        case textOnly(file: String)
        /// A table source the playbook has is not on the host.
        case missing(file: String)
        /// An indexed table's built file (`generic.cdb`) is missing; its source matches.
        case indexMissing(table: String, file: String)
        /// The file differs and its old text could not be compared key by key.
        case differs(file: String)

        public var file: String {
            switch self {
            case let .textOnly(file), let .missing(file), let .differs(file): file
            case let .indexMissing(_, file): file
            }
        }

        public var kind: String {
            switch self {
            case .textOnly: "text_only"
            case .missing: "missing"
            case .indexMissing: "index_missing"
            case .differs: "differs"
            }
        }

        public var message: String {
            switch self {
            case let .textOnly(file): "\(file) differs in text only (comments or order)"
            case let .missing(file): "\(file) is missing (run would write it)"
            case let .indexMissing(table, file): "\(file) is missing (run would postmap \(table))"
            case let .differs(file): "\(file) differs"
            }
        }
    }

    /// `default`, `postfix-out`, ...
    public var instance: String
    public var state: [State]
    /// Per main.cf parameter, master.cf service and table key: `old` is the host's value
    /// (nil: only in the playbook), `new` the playbook's (nil: only on the host).
    public var entries: [DiffEntry]
    public var files: [FileNote]

    public init(instance: String, state: [State] = [], entries: [DiffEntry] = [], files: [FileNote] = []) {
        self.instance = instance
        self.state = state
        self.entries = entries
        self.files = files
    }

    public var isEmpty: Bool { state.isEmpty && entries.isEmpty && files.isEmpty }

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
        var order: [String] = []
        var byName: [String: InstanceDrift] = [:]
        func add(_ name: String, _ change: (inout InstanceDrift) -> Void) {
            if byName[name] == nil {
                order.append(name)
                byName[name] = InstanceDrift(instance: name)
            }
            change(&byName[name]!)
        }
        // Present instances first, in the plan's order, so the report follows start order.
        for i in plan.instances { add(i.instance.name) { _ in } }

        let spec = Dictionary(desired.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var created: Set<String> = []
        for command in plan.lifecycle {
            guard case let .action(action) = command.operation else { continue }
            if action == .`init` {
                add(PostfixInstance.defaultName) { $0.state.append(.notInitialized) }
                continue
            }
            guard let name = ApplyScript.instanceName(command) else { continue }
            switch action {
            case .create:
                created.insert(name)
                let enabled = spec[name]?.instance.enabled ?? true
                add(name) { $0.state.append(.missing(group: command.newGroup, enabled: enabled)) }
            case .assign:
                let live = spec[name].flatMap { facts.instance(configDirectory: $0.instance.configDirectory) }?.group
                add(name) { $0.state.append(.group(live: live, playbook: command.newGroup == "-" ? nil : command.newGroup)) }
            case .enable where !created.contains(name):
                add(name) { $0.state.append(.disabled) }
            case .disable:
                add(name) { $0.state.append(.enabled) }
            case .destroy:
                let have = spec[name].flatMap { facts.instance(configDirectory: $0.instance.configDirectory) }
                let blockers = have.map { LifecyclePlan.destroyBlockers($0, queuedMessages: $0.queuedMessages) } ?? []
                add(name) { $0.state.append(.present(blockers: blockers)) }
            default:
                continue
            }
        }

        for i in plan.instances {
            // A missing instance is all new: its creation says it; its files are the playbook's.
            guard i.before != nil else { continue }
            let name = i.instance.name
            add(name) { drift in
                if i.start { drift.state.append(.stopped) }
                drift.entries += i.diff.filter { $0.key != "(new table)" && $0.key != "(contents)" }
                for file in i.writes {
                    let base = ApplyScript.name(of: file.path)
                    switch file.kind {
                    case .mainCF:
                        if !parametersDiffer(file, before: i.before) { drift.files.append(.textOnly(file: base)) }
                    case .masterCF:
                        if !servicesDiffer(file, before: i.before) { drift.files.append(.textOnly(file: base)) }
                    case let .table(table, _):
                        if facts.checksums[file.path] == nil {
                            drift.files.append(.missing(file: base))
                        } else if facts.checksums[file.path] == SHA256.hex(file.contents) {
                            break  // written again for its mode only: its "(mode)" entry says so
                        } else if let old = oldTables[file.path] {
                            if DiffEntry.table(table, old: old, new: file.text).isEmpty { drift.files.append(.textOnly(file: base)) }
                        } else {
                            drift.files.append(.differs(file: base))
                        }
                    case .mainCFEdits, .masterCFEdits:
                        break
                    }
                }
                for table in i.postmaps where !i.writes.contains(table) {
                    guard case let .table(name, type) = table.kind, let suffix = type.indexedFileSuffix else { continue }
                    drift.files.append(.indexMissing(table: name, file: ApplyScript.name(of: table.path) + suffix))
                }
            }
        }
        return order.compactMap { byName[$0] }.filter { !$0.isEmpty }
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

/// One host compared with the playbook.
public struct HostDrift: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// Read, and nothing differs.
        case inSync = "in_sync"
        case drifted
        /// Reached, but its facts could not be read.
        case failed
        case unreachable
    }

    public var host: String
    /// The instances that differ; empty when in sync or not checked.
    public var instances: [InstanceDrift]
    /// Secondary instances on the host that the playbook does not list: not drift (run
    /// leaves them alone), listed for the reader.
    public var unlisted: [String]
    /// Why it could not be checked.
    public var error: SSHError?
    public var connectAttempts: Int
    public var seconds: Double

    public init(host: String, instances: [InstanceDrift] = [], unlisted: [String] = [], error: SSHError? = nil,
                connectAttempts: Int = 1, seconds: Double = 0) {
        self.host = host
        self.instances = instances
        self.unlisted = unlisted
        self.error = error
        self.connectAttempts = connectAttempts
        self.seconds = seconds
    }

    public var status: Status {
        if let error { return error.isUnreachable ? .unreachable : .failed }
        return instances.isEmpty ? .inSync : .drifted
    }
}

/// Compares every host of `work` with its playbook, at most `forks` at once, changing
/// nothing: per host one round trip for the facts (the same as `run`'s), and one more to
/// read the tables whose source differs, for per-key differences.
public func checkDrift(_ work: [HostWork], options: ConnectionOptions, forks: Int,
                       connectRetry: Backoff = Backoff()) async -> [HostDrift] {
    await fanOut(work, limit: forks) { item in
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = await withSession(item.endpoint, options: options, backoff: connectRetry) { session, _ in
            let facts = try await gatherFacts(session, files: HostPlan.watchedPaths(item.files), modes: HostPlan.secretPaths(item.files),
                                              queues: .only(HostPlan.queuesToCount(item.desired)))
            let changed = HostPlan.changedTables(item.files, facts: facts)
            let oldTables = changed.isEmpty ? [:] : try await readFiles(changed, on: session)
            return (InstanceDrift.compare(desired: item.desired, files: item.files, facts: facts, oldTables: oldTables),
                    InstanceDrift.unlisted(desired: item.desired, facts: facts))
        }
        return HostDrift(host: item.endpoint.name, instances: outcome.value?.0 ?? [], unlisted: outcome.value?.1 ?? [], error: outcome.error,
                         connectAttempts: outcome.attempts, seconds: (clock.now - start).seconds)
    }
}
