import Postfix

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
        /// Its master runs outside its systemd unit (started by hand, or by `postfix start`).
        case outsideUnit(unit: String)

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
            case .outsideUnit: "outside_unit"
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
            case let .outsideUnit(unit): "running outside its unit \(unit)"
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
            case let .outsideUnit(unit): "running under \(unit)"
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
            case let .outsideUnit(unit):
                return "running outside its unit \(unit) (run would stop that master and start the unit)"
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
            case .outsideUnit: "outside its unit"
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
}
