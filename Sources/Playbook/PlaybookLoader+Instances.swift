import Inventory
import Postfix
import Yams

/// `instances:`: the Postfix instances a play manages, in start order.
extension PlaybookLoader {
    static let instanceKeys = ["name", "group", "enabled", "state", "main_cf", "master_cf", "tables", "files", "tls", "reload"]

    func instances(_ node: Node, context: String) throws(SourceError) -> [InstanceSpec] {
        if reader.isNull(node) { return [] }
        guard case let .sequence(sequence) = node else {
            throw reader.error(
                "'instances' of \(context) must be a list (each item starting with '- name: ...'), not \(reader.kind(node)); its order is the start order",
                at: node)
        }
        var specs: [InstanceSpec] = []
        var seen: [String: SourceMark] = [:]
        for (index, item) in sequence.enumerated() {
            let spec = try instance(item, number: index + 1, context: context)
            if let first = seen[spec.name] {
                throw spec.mark.error("instance '\(spec.name)' is listed twice in \(context) (first at line \(first.line))")
            }
            if spec.instance.isDefault, index > 0 {
                throw spec.mark.error("list the default instance first: postmulti always starts it before the others")
            }
            seen[spec.name] = spec.mark
            specs.append(spec)
        }
        return specs
    }

    private func instance(_ node: Node, number: Int, context: String) throws(SourceError) -> InstanceSpec {
        guard case .mapping = node else {
            throw reader.error("instance \(number) of \(context) must be a mapping starting with 'name:', not \(reader.kind(node))", at: node)
        }
        let all = try reader.pairs(node)
        guard let nameNode = all.first(where: { $0.key.scalar?.string == "name" })?.value else {
            throw reader.error("instance \(number) of \(context) has no 'name:' ('default', or 'postfix-...')", at: node)
        }
        let name = try reader.string(nameNode, what: "an instance name")
        if let problem = PostfixInstance.nameProblem(name) {
            throw reader.error("bad instance name '\(name)': \(problem)", at: nameNode)
        }
        let isDefault = name == PostfixInstance.defaultName
        let here = "instance '\(name)'"

        var group: String?
        var enabled = true
        var state = InstanceSpec.State.present
        var mainCFNode: Node?
        var masterCFNode: Node?
        var tablesNode: Node?
        var filesNode: Node?
        var tlsCheck = TLSCheckSpec()
        var reload = true
        for (key, keyNode, value) in try reader.fields(node, known: Self.instanceKeys, context: here) {
            switch key {
            case "group":
                if isDefault { throw reader.error("the default instance belongs to no group; 'group' is for secondary instances", at: keyNode) }
                group = try instanceGroup(value, of: here)
            case "enabled":
                enabled = try reader.bool(value, what: "'enabled' of \(here)")
                if isDefault, !enabled {
                    throw reader.error("the default instance cannot be disabled: it is the one that starts the others", at: value)
                }
            case "state":
                state = try instanceState(value, of: here, isDefault: isDefault)
            case "main_cf": mainCFNode = value
            case "master_cf": masterCFNode = value
            case "tables": tablesNode = value
            case "files": filesNode = value
            case "tls": tlsCheck = try self.tlsCheck(value, of: here)
            case "reload": reload = try reader.bool(value, what: "'reload' of \(here)")
            default: break
            }
        }
        let instance = PostfixInstance(name: name, group: group, enabled: enabled)
        let mainCF = try mainCFNode.flatMap { (node) throws(SourceError) in try self.mainCF(node, of: instance) }
        let masterCF = try masterCFNode.flatMap { (node) throws(SourceError) in try self.masterCF(node, of: instance) }
        let tables = try tablesNode.map { (node) throws(SourceError) in try self.tables(node, of: instance) } ?? []
        let files = try filesNode.map { (node) throws(SourceError) in try self.managedFiles(node, of: instance, tables: tables) } ?? []
        var spec = InstanceSpec(instance: instance, state: state, mainCF: mainCF, masterCF: masterCF, tables: tables,
                                mark: reader.mark(nameNode))
        spec.files = files
        spec.tlsCheck = tlsCheck
        spec.reload = reload
        return spec
    }

    /// `group:` of a secondary instance; null leaves it without one.
    private func instanceGroup(_ value: Node, of here: String) throws(SourceError) -> String? {
        if reader.isNull(value) { return nil }
        let text = try reader.string(value, what: "'group' of \(here)")
        guard text != "-", text.unicodeScalars.allSatisfy(PostfixInstance.isNameCharacter) else {
            throw reader.error("a group name may only hold letters, digits, '.', '_' and '-'", at: value)
        }
        return text
    }

    /// `state:` present or absent; the default instance is always present.
    private func instanceState(_ value: Node, of here: String, isDefault: Bool) throws(SourceError) -> InstanceSpec.State {
        let text = try reader.string(value, what: "'state' of \(here)")
        guard let state = InstanceSpec.State(rawValue: text) else {
            var message = "'state' of \(here) must be 'present' or 'absent', not '\(text)'"
            if let suggestion = Suggestion.nearest(to: text, among: ["present", "absent"]) {
                message += "; did you mean '\(suggestion)'?"
            }
            throw reader.error(message, at: value)
        }
        if isDefault, state == .absent {
            throw reader.error("the default instance cannot be absent: postmulti never destroys it", at: value)
        }
        return state
    }
}
