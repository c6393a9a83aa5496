/// The hosts and groups of an Ansible inventory.
public struct Inventory: Sendable {
    /// The file it was loaded from, as given.
    public let path: String
    /// Every host, in order of first appearance in the file.
    public let hosts: [Host]
    /// Every group: `all`, `ungrouped`, then in order of first appearance in the file.
    public let groups: [Group]

    private let hostIndex: [String: Int]
    private let groupIndex: [String: Int]

    /// An inventory made in code. `groups` may leave out groups that only hosts name;
    /// `all` and `ungrouped` are always there.
    public init(path: String = "", hosts: [Host], groups: [Group] = []) {
        self.path = path
        self.hosts = hosts
        var groups = groups
        for name in [Group.ungrouped, Group.all] where !groups.contains(where: { $0.name == name }) {
            groups.insert(Group(name: name, depth: name == Group.all ? 0 : 1), at: 0)
        }
        for name in hosts.flatMap(\.groups) where !groups.contains(where: { $0.name == name }) {
            groups.append(Group(name: name, depth: 1))
        }
        self.groups = groups
        hostIndex = Dictionary(hosts.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        groupIndex = Dictionary(groups.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Loads an inventory file. Only Ansible's YAML format for now.
    ///
    /// - Throws: `FileError` when the file cannot be read, `SourceError` (file, line,
    ///   column, message) for any mistake in it.
    public static func load(path: String) throws -> Inventory {
        try load(SourceText.read(path: path))
    }

    /// Reads an inventory from text; `path` names it in errors.
    public static func parse(yaml: String, path: String = "inventory.yml") throws(SourceError) -> Inventory {
        try load(SourceText(path: path, text: yaml))
    }

    static func load(_ source: SourceText, home: String? = nil) throws(SourceError) -> Inventory {
        // The INI format will be told apart here, by its first meaningful line.
        try YAMLInventoryLoader.load(source, home: home)
    }

    /// The host named `name`, if any.
    public func host(named name: String) -> Host? {
        hostIndex[name].map { hosts[$0] }
    }

    /// The group named `name`, if any.
    public func group(named name: String) -> Group? {
        groupIndex[name].map { groups[$0] }
    }

    /// Every group's name: `all`, `ungrouped`, then in order of first appearance.
    public var groupNames: [String] {
        groups.map(\.name)
    }

    /// The hosts in `group` or any group under it, in inventory order; none for an unknown group.
    public func hosts(inGroup group: String) -> [Host] {
        hosts.filter { $0.isMember(of: group) }
    }
}
