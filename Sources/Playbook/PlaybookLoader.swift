import Inventory
import Yams

/// Turns a playbook's YAML into the model, checking every key, type and name on the way.
struct PlaybookLoader {
    let source: SourceText
    let reader: YAMLReader
    /// Where template and file paths start: the playbook's directory.
    let baseDirectory: String

    init(source: SourceText) {
        self.source = source
        reader = YAMLReader(source: source)
        if let slash = source.path.lastIndex(of: "/") {
            let directory = String(source.path[..<slash])
            baseDirectory = directory.isEmpty ? "/" : directory
        } else {
            baseDirectory = "."
        }
    }

    static let playKeys = ["name", "hosts", "become", "become_user", "vars", "policy", "instances", "tasks"]

    /// Variables postfleet sets for every template; a play may not set them.
    static let reservedVariables = [
        "inventory_hostname", "inventory_hostname_short", "ansible_host", "group_names", "groups", "instance",
    ]

    func load() throws(SourceError) -> Playbook {
        try refuseEncryptedWhole()
        guard let root = try source.composeYAML(), !reader.isNull(root) else {
            throw source.error("the playbook is empty: it is a list of plays, each starting with '- hosts: PATTERN'", line: 1, column: 1)
        }
        guard case let .sequence(sequence) = root else {
            throw reader.error(
                "a playbook is a list of plays (each starting with '- hosts: PATTERN'), not \(reader.kind(root))", at: root)
        }
        var plays: [Play] = []
        for (index, node) in sequence.enumerated() {
            plays.append(try play(node, number: index + 1))
        }
        guard !plays.isEmpty else {
            throw reader.error("the playbook has no play: it is a list of plays, each starting with '- hosts: PATTERN'", at: root)
        }
        return Playbook(path: source.path, plays: plays)
    }

    // MARK: - Plays

    private func play(_ node: Node, number: Int) throws(SourceError) -> Play {
        guard case .mapping = node else {
            throw reader.error("play \(number) must be a mapping with 'hosts:' and 'instances:' or 'tasks:', not \(reader.kind(node))", at: node)
        }
        let all = try reader.pairs(node)
        var name: String?
        if let nameNode = all.first(where: { $0.key.scalar?.string == "name" })?.value, !reader.isNull(nameNode) {
            name = try reader.string(nameNode, what: "the name of play \(number)")
        }
        let context = name.map { "play '\($0)'" } ?? "play \(number)"

        var hosts: (pattern: String, mark: SourceMark)?
        var vars: [String: Value] = [:]
        var varTemplates: [String: Template] = [:]
        var policy: Policy?
        var become: Bool?
        var becomeUser: String?
        var instances: [InstanceSpec] = []
        var tasks: [PlayTask] = []
        for (key, keyNode, value) in try reader.fields(node, known: Self.playKeys, context: context) {
            if key != "vars" { try refuseVault(in: value) }
            switch key {
            case "name": break
            case "hosts": hosts = (try hostPattern(value, context: context), reader.mark(value))
            case "become": become = reader.isNull(value) ? nil : try reader.bool(value, what: "'become' of \(context)")
            case "become_user": becomeUser = reader.isNull(value) ? nil : try reader.string(value, what: "'become_user' of \(context)")
            case "vars": (vars, varTemplates) = try variables(value, context: context)
            case "policy": policy = reader.isNull(value) ? nil : try PolicyReader(reader: reader).policy(value, context: context)
            case "instances": instances = try self.instances(value, context: context)
            case "tasks": tasks = try self.tasks(value, context: context)
            default: throw reader.error("unknown key '\(key)' in \(context)", at: keyNode)
            }
        }
        guard let hosts else {
            throw reader.error("\(context) has no 'hosts:'; say which hosts it is for, as in 'hosts: border'", at: node)
        }
        return Play(name: name, hosts: hosts.pattern, hostsMark: hosts.mark, become: become, becomeUser: becomeUser, vars: vars,
                    varTemplates: varTemplates, policy: policy, instances: instances, tasks: tasks, mark: reader.mark(node), number: number)
    }

    /// A pattern, or a list of them (joined with `,`, as Ansible does). Its syntax is
    /// checked here; whether it matches hosts, when an inventory is there.
    private func hostPattern(_ node: Node, context: String) throws(SourceError) -> String {
        let pattern: String
        if case let .sequence(sequence) = node {
            var parts: [String] = []
            for item in sequence { parts.append(try reader.string(item, what: "each host pattern of 'hosts'")) }
            guard !parts.isEmpty else { throw reader.error("'hosts' of \(context) is an empty list", at: node) }
            pattern = parts.joined(separator: ",")
        } else {
            pattern = try reader.string(node, what: "'hosts' of \(context)")
        }
        do {
            _ = try HostPattern(pattern)
        } catch {
            throw reader.error("\(error)", at: node)
        }
        return pattern
    }

    /// The play's variables, and the templates among them: a top-level string value that
    /// holds a tag is rendered per host. A tag deeper in a list or mapping is refused rather
    /// than left unrendered.
    private func variables(_ node: Node, context: String) throws(SourceError) -> ([String: Value], [String: Template]) {
        if reader.isNull(node) { return ([:], [:]) }
        _ = try reader.mapping(node, what: "'vars' of \(context)")
        var vars: [String: Value] = [:]
        var templates: [String: Template] = [:]
        for (key, value) in try reader.pairs(node) {
            let name = try reader.string(key, what: "a variable name")
            if Self.reservedVariables.contains(name) {
                throw reader.error("'\(name)' is set by postfleet for every host; give the variable another name", at: key)
            }
            vars[name] = try reader.value(value)
            if case let .scalar(scalar) = value, reader.tagName(value) == .str || reader.tagName(value) == .nonSpecific {
                let template = try Template(inline: scalar.string, at: reader.mark(value), column: reader.textColumn(of: value))
                if template.hasTagNodes { templates[name] = template }
            } else if let nested = firstTag(in: value) {
                throw reader.error(
                    "only a variable's whole string value can be a template, not a string inside a list or mapping; make '\(name)' a string, or give the item its own variable",
                    at: nested)
            }
        }
        return (vars, templates)
    }

    /// The first string inside a list or mapping that holds a tag.
    private func firstTag(in node: Node) -> Node? {
        switch node {
        case let .scalar(scalar): return scalar.string.contains("{{") ? node : nil
        case let .sequence(sequence): return sequence.lazy.compactMap(firstTag(in:)).first
        case let .mapping(mapping): return mapping.lazy.compactMap { firstTag(in: $0.value) }.first
        case .alias: return nil
        }
    }

    // MARK: - Shared checks

    /// At most one of the alternative forms (`template`, `file`, `parameters`+`remove`), and one is needed.
    func oneForm(
        _ fields: [(name: String, key: Node, value: Node)], forms: [[String]], context: String, at node: Node
    ) throws(SourceError) {
        var chosen: (form: Int, key: String)?
        for (name, keyNode, _) in fields {
            guard let form = forms.firstIndex(where: { $0.contains(name) }) else { continue }
            if let chosen, chosen.form != form {
                throw reader.error(
                    "\(context) takes one form: \(forms.map { $0.joined(separator: "/") }.map { "'\($0)'" }.joined(separator: ", or ")); this one gives both '\(chosen.key)' and '\(name)'",
                    at: keyNode)
            }
            chosen = chosen ?? (form, name)
        }
        if chosen == nil {
            throw reader.error(
                "\(context) needs one of \(forms.map { $0[0] }.map { "'\($0):'" }.joined(separator: ", "))", at: node)
        }
    }
}
