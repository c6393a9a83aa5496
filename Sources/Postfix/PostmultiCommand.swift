import ShellQuoting
/// A postmulti(1) operation, as a playbook task asks for it.
public struct PostmultiCommand: Sendable, Hashable, CustomStringConvertible {
    /// What postmulti does.
    public enum Action: String, Sendable, Hashable, CaseIterable {
        // Wrapper mode (-p): run a postfix(1) command for the selected instances.
        case start, stop, reload, flush, status
        // postfix(1)'s commands for a package upgrade, through -p as well: `check` looks,
        // `set-permissions` and `upgrade-configuration` fix ownership and add what a new
        // version's main.cf and master.cf need.
        case check
        case setPermissions = "set-permissions"
        case upgradeConfiguration = "upgrade-configuration"
        // Life-cycle mode (-e).
        case `init`, create, `import`, deport, assign, enable, disable, destroy

        /// `-p` actions run postfix(1) commands; the others are `-e` life-cycle actions.
        public var isWrapper: Bool {
            switch self {
            case .start, .stop, .reload, .flush, .status, .check, .setPermissions, .upgradeConfiguration: true
            default: false
            }
        }

        /// The `-p` actions, as a person reads them: "start, stop, ..., upgrade-configuration".
        public static var wrapperNames: String { allCases.filter(\.isWrapper).map(\.rawValue).joined(separator: ", ") }

        /// Whether it only looks (`status`, `check`): a task that runs it changes nothing.
        public var onlyLooks: Bool { self == .status || self == .check }

        /// Whether a host it ran on is gated on its health afterwards: the actions that
        /// start or reload mail service (start, reload, flush). stop, the looks and the
        /// upgrade steps (which run while Postfix may be stopped) are not.
        public var isGated: Bool { self == .start || self == .reload || self == .flush }
    }

    /// Which instances.
    public enum Target: Sendable, Hashable, CustomStringConvertible {
        /// `-i NAME` (`-i -` for the default instance).
        case instance(String)
        /// `-g GROUP`.
        case group(String)
        /// `-a`.
        case all

        /// postmulti's words for it: `-i NAME` (`-i -` for the default), `-g GROUP`, `-a`.
        public var arguments: [String] {
            switch self {
            case let .instance(name): ["-i", name == PostfixInstance.defaultName ? "-" : name]
            case let .group(group): ["-g", group]
            case .all: ["-a"]
            }
        }

        public var description: String {
            switch self {
            case let .instance(name): "instance \(name)"
            case let .group(group): "group \(group)"
            case .all: "all instances"
            }
        }
    }

    public enum Operation: Sendable, Hashable {
        case action(Action)
        /// `-x COMMAND`: a shell command run once per selected instance, with MAIL_CONFIG set.
        case exec(String)
    }

    public let operation: Operation
    /// Nil for `init`. For `create` and `import`, the instance to make (`-I`).
    public let target: Target?
    /// `-G GROUP` for `create`, `import` and `assign`.
    public let newGroup: String?
    /// `-I NAME` for `assign`.
    public let newName: String?
    /// `config_directory=PATH` for `import`.
    public let configDirectory: String?

    public init(
        _ operation: Operation, target: Target?, newGroup: String? = nil, newName: String? = nil,
        configDirectory: String? = nil
    ) {
        self.operation = operation
        self.target = target
        self.newGroup = newGroup
        self.newName = newName
        self.configDirectory = configDirectory
    }

    /// The arguments after `postmulti`; for `exec`, the command is the last one (it is run by a shell).
    public var arguments: [String] {
        var words: [String] = []
        func select(_ target: Target?) { words += target?.arguments ?? [] }
        switch operation {
        case let .exec(command):
            select(target)
            words += ["-x", command]
        case let .action(action) where action.isWrapper:
            select(target)
            words += ["-p", action.rawValue]
        case let .action(action):
            switch action {
            case .create, .import:
                if case let .instance(name) = target { words += ["-I", name] }
                if let newGroup { words += ["-G", newGroup] }
                words += ["-e", action.rawValue]
                if let configDirectory { words += ["config_directory=\(configDirectory)"] }
            case .assign:
                select(target)
                if let newName { words += ["-I", newName] }
                if let newGroup { words += ["-G", newGroup] }
                words += ["-e", action.rawValue]
            default:
                select(target)
                words += ["-e", action.rawValue]
            }
        }
        return words
    }

    /// The command line for a POSIX shell: `postmulti -g mta -p stop`,
    /// `postmulti -i postfix-in -x postqueue -f` (an exec command is passed as written).
    public var commandLine: String {
        if case let .exec(command) = operation {
            return Shell.join(["postmulti"] + arguments.dropLast()) + " " + command
        }
        return Shell.join(["postmulti"] + arguments)
    }

    public var description: String { commandLine }
}

extension PostmultiCommand {
    /// The playbook name of the one instance the command selects with `-i` (`default` for
    /// `-i -`), or nil when it selects a group, every instance, or none.
    public var instanceName: String? {
        if case let .instance(name) = target { return name == "-" ? PostfixInstance.defaultName : name }
        return nil
    }
}
