/// What `ansible-inventory` prints for an inventory, so that `postfleet inventory` output
/// can be diffed against it byte for byte.
extension Inventory {
    /// `ansible-inventory --list` as a value:
    ///
    ///     {"_meta": {"hostvars": {HOST: {VAR: VALUE}}, "profile": "inventory_legacy"},
    ///      "all": {"children": ["ungrouped", ...]},
    ///      GROUP: {"hosts": [...], "children": [...]}}
    ///
    /// As Ansible writes it: `all` lists no hosts; a group's empty `hosts` or `children` is
    /// left out, and so is a group left with neither (though its parent still names it); a
    /// host without variables has no `hostvars` entry; Ansible's internal names
    /// (`inventory_hostname`, `groups`, ...) are never shown as variables.
    ///
    /// - Parameter hostNames: Only these hosts (as `ansible-inventory --limit` does); every host when nil.
    public func ansibleList(limitedTo hostNames: Set<String>? = nil) -> Value {
        let available = hostNames ?? Set(hosts.map(\.name))
        var results: [String: Value] = [:]
        // Every group under `all`, each once, without recursion (groups may nest thousands deep).
        var seen: Set<String> = [Group.all]
        var pending = group(named: Group.all).map { [$0] } ?? []
        while let group = pending.popLast() {
            var entry: [String: Value] = [:]
            if group.name != Group.all {
                let members = group.hosts.filter { available.contains($0) }
                if !members.isEmpty { entry["hosts"] = .list(members.map(Value.string)) }
            }
            if !group.children.isEmpty { entry["children"] = .list(group.children.map(Value.string)) }
            for child in group.children where seen.insert(child).inserted {
                if let childGroup = self.group(named: child) { pending.append(childGroup) }
            }
            if !entry.isEmpty { results[group.name] = .map(entry) }
        }

        var hostvars: [String: Value] = [:]
        for host in hosts where available.contains(host.name) {
            let vars = Self.shownVariables(host.vars)
            if !vars.isEmpty { hostvars[host.name] = .map(vars) }
        }
        results["_meta"] = .map(["hostvars": .map(hostvars), "profile": .string(Self.jsonProfile)])
        return .map(results)
    }

    /// `ansible-inventory --list` as it prints it (without the final line break).
    public func ansibleListJSON(limitedTo hostNames: Set<String>? = nil) -> String {
        PythonJSON.dumps(ansibleList(limitedTo: hostNames))
    }

    /// `ansible-inventory --host HOST` as a value: the host's merged variables.
    public func ansibleHostVariables(_ host: Host) -> Value {
        .map(Self.shownVariables(host.vars))
    }

    /// `ansible-inventory --host HOST` as it prints it (without the final line break).
    public func ansibleHostJSON(_ host: Host) -> String {
        PythonJSON.dumps(ansibleHostVariables(host))
    }

    /// `ansible-inventory --graph GROUP`: the group, its child groups (each under every
    /// parent), then its hosts, as a tree:
    ///
    ///     @all:
    ///       |--@ungrouped:
    ///       |  |--mailhub
    ///       |--@border:
    ///       |  |--mta1
    ///
    /// - Returns: nil for a group the inventory does not have.
    public func ansibleGraph(group name: String = Group.all) -> String? {
        guard let top = group(named: name) else { return nil }
        var lines: [String] = []
        // Depth first without recursion: a group, its child groups, then its hosts.
        enum Item {
            case group(Group)
            case host(String)
        }
        var pending: [(item: Item, depth: Int)] = [(.group(top), 0)]
        while let (item, depth) = pending.popLast() {
            let text: String
            switch item {
            case let .host(host):
                text = host
            case let .group(group):
                text = "@\(group.name):"
                if group.name != Group.all {
                    pending += group.hosts.reversed().map { (.host($0), depth + 1) }
                }
                pending += group.children.reversed().compactMap { self.group(named: $0) }.map { (.group($0), depth + 1) }
            }
            lines.append(depth == 0 ? text : String(repeating: "  |", count: depth) + "--" + text)
        }
        return lines.joined(separator: "\n")
    }

    /// The most lines `postfleet inventory --graph` draws: a tree of 100,000 hosts in a few
    /// groups each is well under a million; ten million lines is hundreds of megabytes.
    public static let maximumGraphLines = 10_000_000

    /// How many lines ``ansibleGraph(group:)`` would print (at most `Int.max / 2`), counted
    /// without drawing: a group is drawn under each of its parents, so a few groups that
    /// share children level after level draw a tree that doubles with each level.
    public func ansibleGraphLineCount(group name: String = Group.all) -> Int {
        guard group(named: name) != nil else { return 0 }
        let cap = Int.max / 2
        var counts: [String: Int] = [:]
        var stack: [(group: Group, child: Int)] = [(group(named: name)!, 0)]
        var open: Set<String> = [name]  // a cycle (only an inventory made in code can have one) draws nothing more
        while let (current, next) = stack.last {
            if next < current.children.count {
                stack[stack.count - 1].child += 1
                let child = current.children[next]
                if counts[child] == nil, !open.contains(child), let childGroup = group(named: child) {
                    stack.append((childGroup, 0))
                    open.insert(child)
                }
                continue
            }
            var count = 1 + (current.name == Group.all ? 0 : current.hosts.count)
            for child in current.children { count = min(cap, count + (counts[child] ?? 0)) }
            counts[current.name] = count
            open.remove(current.name)
            stack.removeLast()
        }
        return counts[name]!
    }

    /// The host name closest to a mistyped one, for "did you mean".
    public func nearestHostName(to name: String) -> String? {
        Suggestion.nearest(to: name, among: hosts.map(\.name))
    }

    /// The group name closest to a mistyped one, for "did you mean".
    public func nearestGroupName(to name: String) -> String? {
        Suggestion.nearest(to: name, among: groupNames)
    }

    /// `_meta.profile` in ansible-core 2.19's output: how its JSON encodes values.
    public static let jsonProfile = "inventory_legacy"

    /// Names Ansible sets itself (`C.INTERNAL_STATIC_VARS`): ansible-inventory never shows
    /// them as a host's variables, even when an inventory sets them.
    public static let internalVariables: Set<String> = [
        "ansible_async_path", "ansible_collection_name", "ansible_config_file", "ansible_dependent_role_names",
        "ansible_diff_mode", "ansible_facts", "ansible_forks", "ansible_inventory_sources", "ansible_limit",
        "ansible_play_batch", "ansible_play_hosts", "ansible_play_hosts_all", "ansible_play_role_names",
        "ansible_playbook_python", "ansible_role_name", "ansible_role_names", "ansible_run_tags",
        "ansible_skip_tags", "ansible_verbosity", "ansible_version", "inventory_dir", "inventory_file",
        "inventory_hostname", "inventory_hostname_short", "groups", "group_names", "hostvars", "playbook_dir",
        "play_hosts", "role_name", "role_names", "role_path", "role_uuid",
    ]

    private static func shownVariables(_ vars: [String: Value]) -> [String: Value] {
        vars.filter { !internalVariables.contains($0.key) }
    }
}
