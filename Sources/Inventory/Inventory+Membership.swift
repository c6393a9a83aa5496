import Synchronization

/// Who is in which group, and which hosts a pattern selects, worked out once per inventory
/// and shared by every copy of it: rendering asks for each host's `groups` and whether each
/// play targets it, and answering from scratch each time costs the whole inventory per host.
final class Membership: Sendable {
    private struct State {
        /// Each group's hosts (as positions in `Inventory.hosts`), in inventory order.
        var members: [String: [Int]]?
        /// The `groups` template variable.
        var groupsValue: Value?
        /// The names each host pattern selects, or why it selects none.
        var selections: [String: Result<Set<String>, HostPatternError>] = [:]
    }

    private let state = Mutex(State())

    /// Each group's hosts, made on first use.
    func members(of inventory: Inventory) -> [String: [Int]] {
        state.withLock { state in
            if let members = state.members { return members }
            var members: [String: [Int]] = [:]
            for (position, host) in inventory.hosts.enumerated() {
                for group in host.groups where group != Group.all { members[group, default: []].append(position) }
            }
            state.members = members
            return members
        }
    }

    func groupsValue(_ make: () -> Value) -> Value {
        if let known = state.withLock({ $0.groupsValue }) { return known }
        let value = make()
        return state.withLock { state in
            if let known = state.groupsValue { return known }
            state.groupsValue = value
            return value
        }
    }

    func selection(_ pattern: String, _ make: () -> Result<Set<String>, HostPatternError>)
        -> Result<Set<String>, HostPatternError> {
        if let known = state.withLock({ $0.selections[pattern] }) { return known }
        let result = make()
        state.withLock { $0.selections[pattern] = result }
        return result
    }
}

extension Inventory {
    /// The hosts in `group` or any group under it, in inventory order; none for an unknown group.
    public func hosts(inGroup group: String) -> [Host] {
        if group == Group.all { return hosts }
        return membership.members(of: self)[group, default: []].map { hosts[$0] }
    }

    /// Ansible's `groups` variable: every group's name (`all` and `ungrouped` included) to
    /// the names of its hosts, in inventory order. Made once per inventory and shared by
    /// every host's template variables.
    public var groupsVariable: Value {
        membership.groupsValue {
            let members = membership.members(of: self)
            var groups: [String: Value] = [:]
            for group in self.groups {
                let positions = group.name == Group.all ? Array(hosts.indices) : members[group.name, default: []]
                groups[group.name] = .list(positions.map { .string(hosts[$0].name) })
            }
            return .map(groups)
        }
    }

    /// Whether `pattern` (as ``select(_:)`` reads it) selects `host`. The selection is made
    /// once per pattern and inventory.
    ///
    /// - Throws: what ``select(_:)`` throws for the pattern.
    public func selects(_ host: Host, pattern: String) throws(HostPatternError) -> Bool {
        let selection = membership.selection(pattern) {
            do throws(HostPatternError) {
                return .success(Set(try select(pattern).map(\.name)))
            } catch {
                return .failure(error)
            }
        }
        return try selection.get().contains(host.name)
    }
}
