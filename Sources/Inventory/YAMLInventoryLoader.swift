import Yams

/// Ansible's YAML inventory format:
///
///     all:
///       vars: { ansible_user: deploy }
///       hosts:
///         mailhub:
///       children:
///         border:
///           hosts:
///             mta[1:8]:
///           vars: { relay: mailhub }
///
/// Top-level keys are groups (usually just `all`). A group's body is a mapping with
/// `hosts`, `children` and `vars`, each a mapping (a single name may stand alone). A host's
/// body is nothing or a mapping of its variables; a host key may end in `:PORT`.
/// Everything Ansible would only warn about and skip is an error here, placed at its line.
struct YAMLInventoryLoader {
    private let source: SourceText
    private var builder = InventoryBuilder()

    private init(source: SourceText) {
        self.source = source
    }

    static func load(_ source: SourceText, home: String? = nil) throws(SourceError) -> Inventory {
        try builder(source).build(path: source.path, home: home)
    }

    /// What the file says, not yet built into an inventory.
    static func builder(_ source: SourceText) throws(SourceError) -> InventoryBuilder {
        var builder = InventoryBuilder()
        try read(source, root: nil, into: &builder)
        return builder
    }

    /// Adds what the file says to `builder`, which may hold earlier sources; `root` is its
    /// YAML already composed, or nil to compose it here.
    static func read(_ source: SourceText, root: Node?, into builder: inout InventoryBuilder) throws(SourceError) {
        var root = root
        if root == nil { root = try source.composeInventoryYAML() }
        guard let root, !root.isNull(in: source) else {
            throw source.error("the inventory is empty; it should start with 'all:'", line: 1, column: 1)
        }
        var loader = YAMLInventoryLoader(source: source)
        swap(&loader.builder, &builder)
        defer { swap(&loader.builder, &builder) }
        try loader.readRoot(root)
    }

    static let sections = ["hosts", "children", "vars"]

    private mutating func readRoot(_ root: Node) throws(SourceError) {
        guard case .mapping = root else {
            throw source.error(
                "an inventory must be a mapping of groups starting with 'all:', not \(root.kindDescription(in: source))", at: root)
        }
        for (key, body) in try root.mergedPairs(in: source) {
            let group = try name(key, what: "group name")
            if group == "plugin" {
                throw source.error(
                    "'plugin:' configures an Ansible inventory plugin, which postfleet does not run; list the hosts under 'all:'",
                    at: key)
            }
            builder.addGroup(group)
            try readGroup(group, body: body)
        }
    }

    private mutating func readGroup(_ group: String, body: Node) throws(SourceError) {
        if body.isNull(in: source) { return }
        guard case .mapping = body else {
            throw source.error(
                "group '\(group)' must be a mapping with 'hosts', 'children' or 'vars', not \(body.kindDescription(in: source))",
                at: body)
        }
        for (key, value) in try body.mergedPairs(in: source) {
            switch try name(key, what: "key") {
            case "hosts": try readHosts(value, of: group)
            case "children": try readChildren(value, of: group)
            case "vars": try readVars(value, of: group)
            case let unknown:
                var message = "unknown key '\(unknown)' in group '\(group)'"
                if let suggestion = Suggestion.nearest(to: unknown, among: Self.sections) {
                    message += "; did you mean '\(suggestion)'?"
                } else if unknown.hasPrefix("ansible_") {
                    message += "; a group's variables go under 'vars:'"
                } else {
                    message += "; a group has only 'hosts', 'children' and 'vars'"
                }
                throw source.error(message, at: key)
            }
        }
    }

    private mutating func readHosts(_ node: Node, of group: String) throws(SourceError) {
        for (key, body) in try entries(node, section: "hosts", of: group, each: "host") {
            let text = try name(key, what: "host name")
            let (pattern, port) = try splitPort(text, at: key)
            let names: [String]
            do throws(HostRange.Problem) {
                names = try HostKey.expand(pattern)
            } catch {
                // Point at the bracket when the key is written plainly, so columns match the text.
                let shift = key.scalar?.style == .plain ? error.offset : 0
                throw source.error(error.message, line: key.mark?.line ?? 1, column: (key.mark?.column ?? 1) + shift)
            }

            if let problem = HostName.problem(pattern, expandingTo: names) { throw source.error(problem, at: key) }
            var vars: [(name: String, value: Value, node: Node)] = []
            if let body, !body.isNull(in: source) {
                guard case .mapping = body else {
                    throw source.error(
                        "host '\(text)' must be followed by a mapping of its variables, or nothing; not \(body.kindDescription(in: source))",
                        at: body)
                }
                for (nameNode, valueNode) in try body.mergedPairs(in: source) {
                    vars.append((try name(nameNode, what: "variable name"), try Value(yaml: valueNode, in: source), valueNode))
                }
            }
            for host in names {
                do throws(InventoryProblem) {
                    try builder.addHost(host, to: group, port: port)
                } catch {
                    throw source.error(error.message, at: key)
                }
                for (name, value, node) in vars { try set(name, value, ofHost: host, at: node) }
            }
        }
    }

    private mutating func readChildren(_ node: Node, of group: String) throws(SourceError) {
        for (key, body) in try entries(node, section: "children", of: group, each: "child group") {
            let child = try name(key, what: "group name")
            do throws(InventoryProblem) {
                try builder.addChild(child, to: group)
            } catch {
                throw source.error(error.message, at: key)
            }
            if let body { try readGroup(child, body: body) }
        }
    }

    private mutating func readVars(_ node: Node, of group: String) throws(SourceError) {
        if node.isNull(in: source) { return }
        guard case .mapping = node else {
            throw source.error(
                "'vars' of group '\(group)' must be a mapping of names to values, not \(node.kindDescription(in: source))", at: node)
        }
        for (key, valueNode) in try node.mergedPairs(in: source) {
            let variable = try name(key, what: "variable name")
            let value = try Value(yaml: valueNode, in: source)
            do throws(InventoryProblem) {
                try builder.setVariable(variable, value, ofGroup: group)
            } catch {
                throw source.error(error.message, at: valueNode)
            }
        }
    }

    private mutating func set(_ name: String, _ value: Value, ofHost host: String, at node: Node) throws(SourceError) {
        do throws(InventoryProblem) {
            try builder.setVariable(name, value, ofHost: host)
        } catch {
            throw source.error(error.message, at: node)
        }
    }

    /// The keys of a `hosts:` or `children:` mapping with their bodies; as in Ansible, a
    /// single name may stand alone (`hosts: mta1`).
    private func entries(
        _ node: Node, section: String, of group: String, each: String
    ) throws(SourceError) -> [(key: Node, body: Node?)] {
        switch node {
        case _ where node.isNull(in: source):
            return []
        case .mapping:
            return try node.mergedPairs(in: source).map { ($0.key, $0.value) }
        case .scalar:
            return [(node, nil)]
        default:
            throw source.error(
                "'\(section)' of group '\(group)' must be a mapping, not \(node.kindDescription(in: source)); write each \(each) as a key ending in ':'",
                at: node)
        }
    }

    /// The text of a key that names something.
    private func name(_ node: Node, what: String) throws(SourceError) -> String {
        guard case let .scalar(scalar) = node else {
            throw source.error("a \(what) must be a plain value, not \(node.kindDescription(in: source))", at: node)
        }
        guard !node.isNull(in: source), !scalar.string.isEmpty else {
            throw source.error("a \(what) cannot be empty", at: node)
        }
        return scalar.string
    }

    /// The host and port of a key such as `mta1:2222`.
    private func splitPort(_ text: String, at key: Node) throws(SourceError) -> (host: String, port: Int?) {
        do throws(InventoryProblem) {
            return try HostKey.splitPort(text)
        } catch {
            throw source.error(error.message, at: key)
        }
    }
}
