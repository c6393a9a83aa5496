import Yams

extension SourceText {
    /// The text as ``composeYAML()`` composes it, for the inventory and its variables files,
    /// whose nodes are read through `Node.Scalar.tagName(in:)`.
    ///
    /// A text without tags (``isTagFree``) is composed without Yams' regular expressions
    /// (its `basic` resolver): its plain scalars are resolved by hand when read. Yams' check
    /// for a key given twice then compares plain keys as strings, which finds every
    /// duplicate the full resolver finds and maybe more (`1` and `'1'`): on any error the
    /// text is composed again with the full resolver, for the error it really has.
    func composeAnsibleYAML() throws(SourceError) -> Node? {
        if isTagFree, let root = try? composeYAML(resolver: .basic) { return root }
        return try composeYAML(resolver: .ansible)
    }

    /// JSON text composed as YAML whose numbers are JSON's (``Resolver/json``), every
    /// scalar's tag resolved now: `Node.Scalar.tagName(in:)` resolves a scalar left
    /// unresolved as YAML, not as JSON, would (`1e3` is a number in JSON, a string in YAML).
    func composeJSON() throws(SourceError) -> Node? {
        let root = try composeYAML(resolver: .json)
        var pending = root.map { [$0] } ?? []
        while let node = pending.popLast() {
            switch node {
            case .scalar: _ = node.tag
            case let .mapping(mapping): for (key, value) in mapping { pending += [key, value] }
            case let .sequence(sequence): pending += sequence
            case .alias: break
            }
        }
        return root
    }
}
