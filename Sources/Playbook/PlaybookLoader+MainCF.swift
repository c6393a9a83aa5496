import Inventory
import Postfix
import Yams

/// `main_cf:`: a template, a file, or parameters set and removed one by one; never what postmulti owns.
extension PlaybookLoader {
    static let mainCFKeys = ["template", "file", "parameters", "remove"]

    func mainCF(_ node: Node, of instance: PostfixInstance) throws(SourceError) -> MainCFSpec? {
        let here = "main_cf of instance '\(instance.name)'"
        if reader.isNull(node) { return nil }
        // Short form: `main_cf: templates/main.cf` is a template.
        if case .scalar = node {
            let template = try templateFile(node, what: "'main_cf' of instance '\(instance.name)'")
            try rejectOwnedLines(in: template.source, of: instance)
            return .template(template.template, mark: reader.mark(node))
        }
        guard case .mapping = node else {
            throw reader.error(
                "\(here) must be a mapping with 'template:', 'file:' or 'parameters:', or a template path; not \(reader.kind(node))", at: node)
        }
        let fields = try reader.fields(node, known: Self.mainCFKeys, context: here)
        try oneForm(fields, forms: [["template"], ["file"], ["parameters", "remove"]], context: here, at: node)
        var parameters: [ParameterSetting] = []
        var removals: [ParameterRemoval] = []
        for (key, _, value) in fields {
            switch key {
            case "template":
                let template = try templateFile(value, what: "'template' of \(here)")
                try rejectOwnedLines(in: template.source, of: instance)
                return .template(template.template, mark: reader.mark(value))
            case "file":
                let file = try fileSource(value, what: "'file' of \(here)")
                try rejectOwnedLines(in: SourceText(path: file.resolvedPath, text: String(decoding: file.contents, as: UTF8.self)), of: instance)
                return .file(file)
            case "parameters":
                parameters = try self.parameters(value, of: instance, context: here)
            case "remove":
                removals = try self.removals(value, of: instance, context: here)
            default: break
            }
        }
        for removal in removals {
            if let setting = parameters.first(where: { $0.name == removal.name }) {
                throw removal.mark.error("'\(removal.name)' is both set (line \(setting.mark.line)) and removed; keep one")
            }
        }
        return .edits(parameters: parameters, remove: removals)
    }

    private func parameters(_ node: Node, of instance: PostfixInstance, context: String) throws(SourceError) -> [ParameterSetting] {
        if reader.isNull(node) { return [] }
        _ = try reader.mapping(node, what: "'parameters' of \(context)")
        var settings: [ParameterSetting] = []
        for (key, value) in try reader.pairs(node) {
            let name = try parameterName(key, of: instance)
            let parts: [Template]
            switch value {
            case let .sequence(items):
                var list: [Template] = []
                for item in items { list.append(try parameterPart(item, name: name)) }
                parts = list
            default:
                parts = [try parameterPart(value, name: name)]
            }
            settings.append(ParameterSetting(name: name, parts: parts, mark: reader.mark(key)))
        }
        return settings
    }

    /// One value (or list item) of a parameter: a template; numbers as written, booleans as yes/no, null as empty.
    private func parameterPart(_ node: Node, name: String) throws(SourceError) -> Template {
        guard case let .scalar(scalar) = node else {
            throw reader.error("the value of '\(name)' must be text, a number, yes/no, or a list of them; not \(reader.kind(node))", at: node)
        }
        let text: String
        switch reader.tagName(node) {
        case .null: text = ""
        case .bool: text = TemplateValues.text(for: try reader.value(node))
        default: text = scalar.string
        }
        return try Template(inline: text, at: reader.mark(node), column: reader.tagName(node) == .str || reader.tagName(node) == .nonSpecific ? reader.textColumn(of: node) : nil)
    }

    private func removals(_ node: Node, of instance: PostfixInstance, context: String) throws(SourceError) -> [ParameterRemoval] {
        if reader.isNull(node) { return [] }
        let items: [Node]
        if case .scalar = node { items = [node] } else { items = try reader.list(node, what: "'remove' of \(context)") }
        var removals: [ParameterRemoval] = []
        for item in items {
            removals.append(ParameterRemoval(name: try parameterName(item, of: instance), mark: reader.mark(item)))
        }
        return removals
    }

    /// A parameter name that postmulti does not own.
    private func parameterName(_ node: Node, of instance: PostfixInstance) throws(SourceError) -> String {
        let name = try reader.string(node, what: "a parameter name")
        guard MainCF.isParameterName(name) else {
            throw reader.error("'\(name)' is not a main.cf parameter name (letters, digits and '_')", at: node)
        }
        if let message = OwnedParameterMessage.message(for: name, in: instance) {
            throw reader.error(message, at: node)
        }
        return name
    }

    /// A whole main.cf (template or file) must not set what postmulti owns.
    private func rejectOwnedLines(in text: SourceText, of instance: PostfixInstance) throws(SourceError) {
        for definition in MainCF(text.text).definitions {
            if let message = OwnedParameterMessage.message(for: definition.name, in: instance) {
                throw text.error(message, line: definition.line, column: 1)
            }
        }
    }
}
