/// A group of an inventory, as its file defines it.
public struct Group: Sendable, Hashable {
    /// `all`, `ungrouped`, or a name from the inventory.
    public let name: String
    /// The group's own variables (not its parents'): the inventory file's, and over them
    /// its `group_vars/` files' (what `ansible-inventory --export` shows as its `vars`).
    public let vars: [String: Value]
    /// The hosts listed directly in the group, in order of first appearance.
    public let hosts: [String]
    /// The groups listed directly under `children:`, in order of first appearance.
    public let children: [String]
    /// The groups this one is a child of; `all` for a top-level group, none for `all`.
    public let parents: [String]
    /// The length of the longest chain of parents up to `all` (`all` is 0, its children 1).
    /// Deeper groups' variables win over shallower ones'.
    public let depth: Int
    /// Among groups of the same depth, a higher priority wins; then the later name
    /// alphabetically. 1 unless the inventory file sets `ansible_group_priority`.
    public let priority: Int

    public init(
        name: String, vars: [String: Value] = [:], hosts: [String] = [], children: [String] = [],
        parents: [String] = [], depth: Int = 0, priority: Int = 1
    ) {
        self.name = name
        self.vars = vars
        self.hosts = hosts
        self.children = children
        self.parents = parents
        self.depth = depth
        self.priority = priority
    }

    /// The group every host and group is in.
    public static let all = "all"
    /// The group of hosts that are in no group but `all`.
    public static let ungrouped = "ungrouped"
}
