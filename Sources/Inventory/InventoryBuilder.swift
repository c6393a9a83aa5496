/// A mistake in what an inventory says (a cycle, a bad port), found while building it.
/// The loader of each format knows where it is in the file and reports it as a `SourceError`.
struct InventoryProblem: Error, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Builds an inventory from what a file says, in any format: the YAML and INI loaders call it,
/// then `VariableFiles` adds what `group_vars/` and `host_vars/` say; it enforces Ansible's
/// rules and then works out membership and variables as Ansible does.
struct InventoryBuilder {
    private struct GroupEntry {
        /// Set in the inventory file.
        var vars: [String: Value] = [:]
        /// From `group_vars/`, which win over the inventory file's; by inventory source, in order.
        var fileVars: [Int: [String: Value]] = [:]
        var hosts: [String] = []
        var children: [String] = []
        var parents: [String] = []
        var priority = 1
    }

    private struct HostEntry {
        /// Set in the inventory file.
        var vars: [String: Value] = [:]
        /// From `host_vars/`, which win over the inventory file's; by inventory source, in order.
        var fileVars: [Int: [String: Value]] = [:]
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
    /// How many inventory sources gave `group_vars/` and `host_vars/` files (see ``addFileVariables``).
    private var fileSources = 1
    /// `-e`: over every other variable of every host.
    var extraVariables: [String: Value] = [:]

    init() {}

    /// Every group so far, `all` and `ungrouped` first, then in order of first appearance.
    var groupNames: [String] { groupOrder }

    /// Every host so far, in order of first appearance.
    var hostNames: [String] { hostOrder }

    func hasGroup(_ name: String) -> Bool {
        groups[name] != nil
    }

    func hasHost(_ name: String) -> Bool {
        hosts[name] != nil
    }

    /// The groups listed under `group` so far.
    func children(of group: String) -> [String] {
        groups[group]?.children ?? []
    }

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
    ///
    /// - Parameter port: From `host:port`. As in Ansible, it sets `ansible_port` only where
    ///   the host first appears; a port written with a later mention is ignored.
    /// - Throws: past ``maximumHosts`` hosts.
    mutating func addHost(_ name: String, to group: String, port: Int? = nil) throws(InventoryProblem) {
        addGroup(group)
        // One look-up of the name for a host seen before, two for a new one: a range can
        // add a million.
        if let index = hosts.index(forKey: name) {
            guard !hosts.values[index].groups.contains(group) else { return }
            hosts.values[index].groups.append(group)
        } else {
            guard hostOrder.count < Self.maximumHosts else {
                throw InventoryProblem(
                    "this takes the inventory past \(Self.maximumHosts) hosts, ten times the largest fleet postfleet is built for: host ranges on a few lines can ask for billions")
            }
            var entry = HostEntry()
            if let port { entry.vars["ansible_port"] = .int(port) }
            entry.groups = [group]
            hosts[name] = entry
            hostOrder.append(name)
        }
        groups[group]!.hosts.append(name)
    }

    /// Sets a group's variable; a later value replaces an earlier one. As in Ansible,
    /// `ansible_group_priority` is not a variable: it sets the group's priority.
    mutating func setVariable(_ name: String, _ value: Value, ofGroup group: String) throws(InventoryProblem) {
        try ConnectionVariables.check(name, value)
        addGroup(group)
        if name == Self.priorityVariable {
            groups[group]!.priority = try Self.priority(value)
        } else {
            groups[group]!.vars[name] = value
        }
    }

    /// Sets a host's own variable (the host must have been added); a later value replaces an earlier one.
    ///
    /// As in Ansible (whose InventoryData.set_variable looks for a group of that name
    /// first), the variable of a host named like an existing group goes to the group, and so
    /// to every host of it: `[mailhub]` / `mailhub ansible_host=...` works the same either way.
    mutating func setVariable(_ name: String, _ value: Value, ofHost host: String) throws(InventoryProblem) {
        precondition(hosts[host] != nil, "variable of unknown host \(host)")
        if groups[host] != nil { return try setVariable(name, value, ofGroup: host) }
        try ConnectionVariables.check(name, value)
        hosts[host]!.vars[name] = value
    }

    /// Adds the variables of one `group_vars/` file of the inventory source numbered `source`
    /// (from 0, in command line order); they win over the inventory file's and earlier files'.
    /// `ansible_group_priority` here is an ordinary variable, as in Ansible.
    mutating func addFileVariables(_ vars: [String: Value], ofGroup group: String, source: Int = 0) {
        fileSources = max(fileSources, source + 1)
        groups[group]?.fileVars[source, default: [:]].merge(vars) { _, later in later }
    }

    /// Adds the variables of one `host_vars/` file of source `source`; they win over the
    /// inventory file's and earlier files'.
    mutating func addFileVariables(_ vars: [String: Value], ofHost host: String, source: Int = 0) {
        fileSources = max(fileSources, source + 1)
        hosts[host]?.fileVars[source, default: [:]].merge(vars) { _, later in later }
    }

    /// The `group_vars/` or `host_vars/` variables of one group or host, every source's in order.
    private func merged(_ fileVars: [Int: [String: Value]]) -> [String: Value] {
        var vars: [String: Value] = [:]
        for source in 0..<fileSources { vars.merge(fileVars[source] ?? [:]) { _, later in later } }
        return vars
    }

    /// Makes every string of every variable so far a vault string: those of an inventory
    /// file that was encrypted whole.
    mutating func makeVariablesVaulted() {
        for name in groupOrder { groups[name]!.vars = groups[name]!.vars.mapValues { $0.vaulted() } }
        for name in hostOrder { hosts[name]!.vars = hosts[name]!.vars.mapValues { $0.vaulted() } }
    }

    static let priorityVariable = "ansible_group_priority"

    /// The most hosts one inventory holds. A range stops at 100,000 hosts (`HostRange.limit`),
    /// but a few lines of ranges, each under that, could ask for billions.
    static let maximumHosts = 1_000_000

    /// Python's `int(value)`, as Ansible applies it to `ansible_group_priority`.
    private static func priority(_ value: Value) throws(InventoryProblem) -> Int {
        switch value.plain {
        case let .int(int): return int
        case let .bool(bool): return bool ? 1 : 0
        case let .double(double) where double.isFinite && abs(double) < 9e18: return Int(double)
        case let .string(string):
            let digits = string.trimmingPythonSpace().replacingUnderscoresBetweenDigits()
            if let int = Int(digits) { return int }
        default: break
        }
        let shown = value.stringValue.map { "'\($0)'" } ?? value.kindDescription
        throw InventoryProblem("\(priorityVariable) must be an integer, not \(shown)")
    }

    /// The chain of groups from `start` down to `end` through children, if there is one.
    private func path(from start: String, to end: String) -> [String]? {
        GroupPath.find(from: start, to: end, children: { groups[$0]?.children ?? [] }, parents: { groups[$0]?.parents ?? [] })
    }

    /// The inventory, with Ansible's rules applied: every group is under `all`; a host in no
    /// group but `all` is in `ungrouped`, and no other host is; each host's variables are
    /// merged as Ansible's VariableManager merges them (DEFAULT_HASH_BEHAVIOUR=replace):
    ///
    /// 1. `all`'s variables from the inventory file, then every other group's of the host,
    ///    sorted by depth, priority and name, the later winning;
    /// 2. `group_vars/all`, then the other groups' `group_vars/` files in the same order, so
    ///    that any `group_vars/` file wins over any group variable of the inventory file
    ///    (with several sources: `all`'s of each source, then each source's others in turn);
    /// 3. the host's own variables from the inventory file, then its `host_vars/` files;
    /// 4. `-e` (``extraVariables``).
    ///
    /// - Parameter home: The home directory for key file paths starting with `~`; `$HOME` when nil.
    func build(path: String, home: String? = nil) -> Inventory {
        let (groups, hosts) = reconciled()
        let allGroups = finalGroups(groups)
        let groupsByName = Dictionary(uniqueKeysWithValues: allGroups.map { ($0.name, $0) })
        // Hosts listed in the same groups inherit the same: worked out once for each such list.
        var inheritances: [[String]: Inheritance] = [:]
        let allHosts = hostOrder.map { name in
            let entry = hosts[name]!
            let inherited = inheritances[entry.groups] ?? {
                let made = self.inheritance(entry.groups, groups: groups, groupsByName: groupsByName)
                inheritances[entry.groups] = made
                return made
            }()
            let own = entry.vars.merging(merged(entry.fileVars)) { _, file in file }
            let vars = inherited.vars.merging(own) { _, own in own }.merging(extraVariables) { _, extra in extra }
            return Host(name: name, vars: vars, ownVars: own, groups: inherited.groups, home: home)
        }
        var inventory = Inventory(path: path, hosts: allHosts, groups: allGroups)
        inventory.extraVariables = extraVariables
        return inventory
    }

    /// What a host listed directly in some groups gets from them.
    private struct Inheritance {
        /// Every group it is in, directly or through a child group, sorted, without `all`.
        let groups: [String]
        /// Their variables, merged in Ansible's order.
        let vars: [String: Value]
    }

    /// Groups and hosts as Ansible's reconcile_inventory leaves them: every group under
    /// `all`, and `ungrouped` holding exactly the hosts in no other group.
    private func reconciled() -> (groups: [String: GroupEntry], hosts: [String: HostEntry]) {
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
        // As Ansible's reconcile_inventory leaves it: hosts listed under `ungrouped` in the
        // file (and in no other group), in file order, then the hosts found in no group.
        let listed = groups[Group.ungrouped]!.hosts.filter { hosts[$0]!.groups.contains(Group.ungrouped) }
        let listedNames = Set(listed)
        groups[Group.ungrouped]!.hosts = listed + hostOrder.filter {
            hosts[$0]!.groups.contains(Group.ungrouped) && !listedNames.contains($0)
        }
        return (groups, hosts)
    }

    /// Every group in file order, with its depth below `all` and its variables (the
    /// `group_vars/` files winning over the inventory file).
    private func finalGroups(_ groups: [String: GroupEntry]) -> [Group] {
        var depths: [String: Int] = [Group.all: 0]
        // Without recursion: groups may nest thousands deep.
        func depth(_ name: String) -> Int {
            var stack: [(name: String, parent: Int)] = [(name, 0)]
            while let (current, next) = stack.last {
                let parents = groups[current]!.parents
                if next < parents.count {
                    stack[stack.count - 1].parent += 1
                    if depths[parents[next]] == nil { stack.append((parents[next], 0)) }
                } else {
                    depths[current] = depths[current] ?? (parents.compactMap { depths[$0] }.max() ?? 0) + 1
                    stack.removeLast()
                }
            }
            return depths[name]!
        }
        return groupOrder.map { name in
            let entry = groups[name]!
            return Group(
                name: name, vars: entry.vars.merging(merged(entry.fileVars)) { _, file in file }, hosts: entry.hosts,
                children: entry.children, parents: entry.parents, depth: depth(name), priority: entry.priority
            )
        }
    }

    /// The groups a host listed directly in `direct` is in, directly or through a child
    /// group, and their variables merged in Ansible's order (see ``build(path:home:)``).
    private func inheritance(
        _ direct: [String], groups: [String: GroupEntry], groupsByName: [String: Group]
    ) -> Inheritance {
        var memberOf: Set<String> = []
        var pending = direct + [Group.all]
        while let group = pending.popLast() {
            if memberOf.insert(group).inserted { pending += groupsByName[group]!.parents }
        }
        // Ansible's sort_groups: depth, then priority, then name (`all` is alone at depth 0).
        let ordered = memberOf.map { groupsByName[$0]! }.sorted {
            if $0.depth != $1.depth { return $0.depth < $1.depth }
            if $0.priority != $1.priority { return $0.priority < $1.priority }
            return PythonJSON.codePointOrder($0.name, $1.name)
        }
        var vars: [String: Value] = [:]
        for group in ordered { vars.merge(groups[group.name]!.vars) { _, later in later } }
        // Ansible's all_plugins_inventory, then groups_plugins_inventory: `group_vars/all` of
        // every source, then the other groups' files source by source.
        for source in 0..<fileSources { vars.merge(groups[Group.all]!.fileVars[source] ?? [:]) { _, later in later } }
        for source in 0..<fileSources {
            for group in ordered where group.name != Group.all {
                vars.merge(groups[group.name]!.fileVars[source] ?? [:]) { _, later in later }
            }
        }
        return Inheritance(groups: memberOf.subtracting([Group.all]).sorted(), vars: vars)
    }
}

extension String {
    /// Python's `str.strip()`: Unicode white space and the separators 0x1C to 0x1F.
    func trimmingPythonSpace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isPythonSpace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.isPythonSpace })!
        return String(scalars[first...last])
    }

    /// `1_000` as `1000`, as Python's `int()` reads it; other text unchanged.
    fileprivate func replacingUnderscoresBetweenDigits() -> String {
        let characters = Array(self)
        var out = ""
        for (index, character) in characters.enumerated() {
            if character == "_", index > 0, index + 1 < characters.count,
               characters[index - 1].isASCIIDigit, characters[index + 1].isASCIIDigit
            {
                continue
            }
            out.append(character)
        }
        return out
    }
}

extension Unicode.Scalar {
    /// Python's `str.isspace()`.
    var isPythonSpace: Bool {
        properties.isWhitespace || (0x1C...0x1F).contains(value)
    }
}
