/// A mistake in what an inventory says (a cycle, a bad port), found while building it.
/// The loader of each format knows where it is in the file and reports it as a `SourceError`.
struct InventoryProblem: Error, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Builds an inventory from what a file says, in any format: the YAML loader (and later the
/// INI loader, `host_vars/` and `group_vars/`) call it; it enforces Ansible's rules and then
/// works out membership and variables as Ansible does.
struct InventoryBuilder {
    private struct GroupEntry {
        var vars: [String: Value] = [:]
        var hosts: [String] = []
        var children: [String] = []
        var parents: [String] = []
        var priority = 1
    }

    private struct HostEntry {
        var vars: [String: Value] = [:]
        /// Groups the host is listed in directly.
        var groups: [String] = []
    }

    private var groupOrder: [String] = [Group.all, Group.ungrouped]
    // As in Ansible, `ungrouped` is the first child of `all`.
    private var groups: [String: GroupEntry] = [
        Group.all: .init(children: [Group.ungrouped]), Group.ungrouped: .init(parents: [Group.all]),
    ]
    private var hostOrder: [String] = []
    private var hosts: [String: HostEntry] = [:]

    init() {}

    /// Adds a group if it is new; a group named again is the same group.
    mutating func addGroup(_ name: String) {
        guard groups[name] == nil else { return }
        groups[name] = GroupEntry()
        groupOrder.append(name)
    }

    /// Makes `child` a child of `parent`, adding either if new.
    ///
    /// - Throws: if that would make a group its own ancestor.
    mutating func addChild(_ child: String, to parent: String) throws(InventoryProblem) {
        addGroup(parent)
        addGroup(child)
        if child == Group.all {
            throw InventoryProblem("group 'all' holds every group, so it cannot be a child of '\(parent)'")
        }
        if let path = self.path(from: child, to: parent) {
            let cycle = (path + [child]).joined(separator: " > ")
            throw InventoryProblem("group '\(child)' would be its own ancestor: \(cycle)")
        }
        guard !groups[parent]!.children.contains(child) else { return }
        groups[parent]!.children.append(child)
        groups[child]!.parents.append(parent)
    }

    /// Adds a host if it is new and puts it in `group` (adding the group if new).
    mutating func addHost(_ name: String, to group: String) {
        addGroup(group)
        if hosts[name] == nil {
            hosts[name] = HostEntry()
            hostOrder.append(name)
        }
        guard !hosts[name]!.groups.contains(group) else { return }
        hosts[name]!.groups.append(group)
        groups[group]!.hosts.append(name)
    }

    /// Sets a group's variable; a later value replaces an earlier one.
    mutating func setVariable(_ name: String, _ value: Value, ofGroup group: String) throws(InventoryProblem) {
        try ConnectionVariables.check(name, value)
        addGroup(group)
        groups[group]!.vars[name] = value
    }

    /// Sets a host's own variable (the host must have been added); a later value replaces an earlier one.
    mutating func setVariable(_ name: String, _ value: Value, ofHost host: String) throws(InventoryProblem) {
        try ConnectionVariables.check(name, value)
        precondition(hosts[host] != nil, "variable of unknown host \(host)")
        hosts[host]!.vars[name] = value
    }

    /// The chain of groups from `start` down to `end` through children, if there is one.
    private func path(from start: String, to end: String) -> [String]? {
        if start == end { return [start] }
        var visited: Set<String> = [start]
        var stack: [[String]] = [[start]]
        while let path = stack.popLast() {
            for child in groups[path.last!]?.children.reversed() ?? [] where !visited.contains(child) {
                if child == end { return path + [child] }
                visited.insert(child)
                stack.append(path + [child])
            }
        }
        return nil
    }

    /// The inventory, with Ansible's rules applied: every group is under `all`; a host in no
    /// group but `all` is in `ungrouped`, and no other host is; each host's variables are
    /// merged from its groups by depth, priority and name, then its own.
    ///
    /// - Parameter home: The home directory for key file paths starting with `~`; `$HOME` when nil.
    func build(path: String, home: String? = nil) -> Inventory {
        var groups = self.groups
        var hosts = self.hosts

        for name in groupOrder where name != Group.all && groups[name]!.parents.isEmpty {
            groups[name]!.parents.append(Group.all)
            groups[Group.all]!.children.append(name)
        }

        for name in hostOrder {
            let isGrouped = hosts[name]!.groups.contains { $0 != Group.all && $0 != Group.ungrouped }
            let inUngrouped = hosts[name]!.groups.contains(Group.ungrouped)
            if !isGrouped && !inUngrouped {
                hosts[name]!.groups.append(Group.ungrouped)
            } else if isGrouped && inUngrouped {
                hosts[name]!.groups.removeAll { $0 == Group.ungrouped }
            }
        }
        // Rebuilt from the hosts so it keeps inventory order.
        groups[Group.ungrouped]!.hosts = hostOrder.filter { hosts[$0]!.groups.contains(Group.ungrouped) }

        var depths: [String: Int] = [Group.all: 0]
        func depth(_ name: String) -> Int {
            if let known = depths[name] { return known }
            let value = (groups[name]!.parents.map(depth).max() ?? 0) + 1
            depths[name] = value
            return value
        }

        let allGroups = groupOrder.map { name in
            let entry = groups[name]!
            return Group(
                name: name, vars: entry.vars, hosts: entry.hosts, children: entry.children,
                parents: entry.parents, depth: depth(name), priority: entry.priority
            )
        }
        let groupsByName = Dictionary(uniqueKeysWithValues: allGroups.map { ($0.name, $0) })

        let allHosts = hostOrder.map { name in
            let entry = hosts[name]!
            var memberOf: Set<String> = []
            var pending = entry.groups + [Group.all]
            while let group = pending.popLast() {
                if memberOf.insert(group).inserted { pending += groupsByName[group]!.parents }
            }
            let ordered = memberOf.map { groupsByName[$0]! }.sorted {
                ($0.depth, $0.priority, $0.name) < ($1.depth, $1.priority, $1.name)
            }
            var vars: [String: Value] = [:]
            for group in ordered { vars.merge(group.vars) { _, later in later } }
            vars.merge(entry.vars) { _, own in own }
            return Host(
                name: name, vars: vars, ownVars: entry.vars,
                groups: memberOf.subtracting([Group.all]).sorted(), home: home
            )
        }
        return Inventory(path: path, hosts: allHosts, groups: allGroups)
    }
}
