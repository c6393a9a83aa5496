/// What it takes to make a change to an instance live, least disruptive first.
public enum LiveAction: Int, Sendable, Comparable, CustomStringConvertible {
    /// Nothing: the change is live as written (or the instance is not running).
    case none
    /// Rebuild indexed tables; running daemons see the new file on their next lookup.
    case postmap
    /// `postfix reload`: daemons finish what they do and restart with the new main.cf.
    case reload
    /// `postfix stop` then `postfix start`: the master process itself must re-read it.
    case restart

    public static func < (a: LiveAction, b: LiveAction) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .none: "nothing"
        case .postmap: "postmap"
        case .reload: "reload"
        case .restart: "restart"
        }
    }
}

/// The changes the plan found for one instance.
public struct InstanceChange: Sendable, Equatable {
    /// main.cf parameters added, removed or given another value.
    public var parameters: Set<String>
    /// master.cf services of type inet added, removed or changed (listeners).
    public var listenersChanged: Bool
    /// Other master.cf services added, removed or changed.
    public var servicesChanged: Bool
    /// Lookup tables whose source changed, with whether their type is indexed
    /// (cdb, hash, lmdb, btree: need postmap) or read whole at start (texthash, regexp,
    /// pcre, cidr: need a reload).
    public var tables: [(name: String, indexed: Bool)]
    /// Other files of its directory that changed (`files:`: certificates, keys): the daemons
    /// that use them read them when they start, so a reload makes them live.
    public var files: [String]

    public init(parameters: Set<String> = [], listenersChanged: Bool = false, servicesChanged: Bool = false,
                tables: [(name: String, indexed: Bool)] = [], files: [String] = []) {
        self.parameters = parameters
        self.listenersChanged = listenersChanged
        self.servicesChanged = servicesChanged
        self.tables = tables
        self.files = files
    }

    public var isEmpty: Bool { parameters.isEmpty && !listenersChanged && !servicesChanged && tables.isEmpty && files.isEmpty }

    public static func == (a: InstanceChange, b: InstanceChange) -> Bool {
        a.parameters == b.parameters && a.listenersChanged == b.listenersChanged && a.servicesChanged == b.servicesChanged
            && a.tables.map(\.name) == b.tables.map(\.name) && a.tables.map(\.indexed) == b.tables.map(\.indexed)
            && a.files == b.files
    }
}

public enum ChangeImpact {
    /// Parameters the master process reads only when it starts: which listeners it
    /// opens and where its queue and pid files are. Postfix's documentation asks for
    /// "stop and start" after changing inet_interfaces or inet_protocols.
    public static let restartParameters: Set<String> = [
        "inet_interfaces", "inet_protocols", "master_service_disable",
        "queue_directory", "data_directory", "process_id_directory", "daemon_directory",
        "mail_owner", "setgid_group", "default_process_limit",
    ]

    /// The least disruptive action that makes `change` live on an instance.
    /// An instance that is not running needs no action: its next start reads everything
    /// (indexed tables still need postmap, since postmap is what builds them).
    public static func action(for change: InstanceChange, running: Bool) -> LiveAction {
        var action = LiveAction.none
        if change.tables.contains(where: \.indexed) { action = .postmap }
        guard running else { return action }
        if change.tables.contains(where: { !$0.indexed }) || change.servicesChanged || !change.parameters.isEmpty || !change.files.isEmpty {
            action = max(action, .reload)
        }
        if change.listenersChanged || !change.parameters.isDisjoint(with: restartParameters) {
            action = .restart
        }
        return action
    }
}
