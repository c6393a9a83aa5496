/// The bounds every YAML file postfleet reads (inventory, `group_vars/`, `host_vars/`,
/// playbook) must stay within, checked before Yams composes the file.
///
/// YAML can say a lot in a few bytes: an alias (`*name`) stands for the whole node its
/// anchor (`&name`) marks, so a few hundred bytes of anchors that alias one another
/// ("billion laughs") stand for billions of values. Ansible keeps aliases shared; postfleet
/// copies each one where it is used (a variable's value is a tree), and so bounds what the
/// copies add up to. Deep nesting is bounded too, because reading, merging, printing and
/// rendering a value each take a step of the stack per level.
public enum YAMLLimits {
    /// Lists and mappings inside one another, aliases expanded. Real inventories and
    /// playbooks nest a handful of levels; a debug build overflows its stack past about
    /// 2,700 levels of one value (each level is a frame in every recursive walk of it),
    /// so 512 leaves room for the walks that run inside one another.
    public static let maximumDepth = 512

    /// A document may always stand for this many nodes (scalars, lists and mappings, each
    /// alias counted as the nodes it stands for) once its aliases are expanded.
    public static let minimumExpandedNodes = 1_000_000

    /// ... or for this many times the nodes written in it, when that is more: a 100,000-host
    /// inventory where each host merges `<<: *defaults` of a dozen variables stays well under.
    public static let expansionFactor = 20

    /// How many nodes a document of `written` nodes may stand for once aliases are expanded.
    public static func maximumExpandedNodes(written: Int) -> Int {
        max(minimumExpandedNodes, written.multipliedReportingOverflow(by: expansionFactor).partialValue)
    }
}

extension SourceText {
    /// Refuses, at the place it happens, YAML that nests deeper than
    /// ``YAMLLimits/maximumDepth`` or whose aliases stand for more nodes than
    /// ``YAMLLimits/maximumExpandedNodes(written:)``.
    ///
    /// Two linear passes, neither building nodes: one over the bytes, for a single line
    /// that opens more collections than the limit (libyaml's scanner reads ahead along such
    /// a line and stops at its own limit of 1,000 far from where the nesting is), then one
    /// over libyaml's events, counting what each anchor stands for. A syntax error is left
    /// to Yams to report, once what came before it has been checked.
    func checkYAMLLimits() throws(SourceError) {
        try checkNestingPerLine()
        var counting = YAMLEventScan(source: self, expansionLimit: nil)
        let (expanded, written) = try counting.run()
        let limit = YAMLLimits.maximumExpandedNodes(written: written)
        guard expanded > limit else { return }
        // Known only once the whole document is counted: count again to find the alias
        // that takes it past the limit.
        var placing = YAMLEventScan(source: self, expansionLimit: limit)
        _ = try placing.run()
    }
}
