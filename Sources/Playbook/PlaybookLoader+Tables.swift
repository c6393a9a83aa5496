import Inventory
import Postfix
import Yams

/// `tables:`: the lookup tables of an instance, from a template, a file or entries.
extension PlaybookLoader {
    static let tableKeys = ["name", "type", "template", "file", "entries", "secret"]

    func tables(_ node: Node, of instance: PostfixInstance) throws(SourceError) -> [TableSpec] {
        if reader.isNull(node) { return [] }
        let items = try reader.list(node, what: "'tables' of instance '\(instance.name)'")
        var tables: [TableSpec] = []
        for (index, item) in items.enumerated() {
            let table = try self.table(item, number: index + 1, of: instance)
            if let first = tables.first(where: { $0.name == table.name }) {
                throw table.mark.error("table '\(table.name)' of instance '\(instance.name)' is listed twice (first at line \(first.mark.line))")
            }
            tables.append(table)
        }
        return tables
    }

    private func table(_ node: Node, number: Int, of instance: PostfixInstance) throws(SourceError) -> TableSpec {
        guard case .mapping = node else {
            throw reader.error("table \(number) of instance '\(instance.name)' must be a mapping with 'name:', 'type:' and a source, not \(reader.kind(node))", at: node)
        }
        let all = try reader.pairs(node)
        guard let nameNode = all.first(where: { $0.key.scalar?.string == "name" })?.value else {
            throw reader.error("table \(number) of instance '\(instance.name)' has no 'name:' (its file name, as 'generic')", at: node)
        }
        let name = try reader.string(nameNode, what: "a table name")
        guard !name.contains("/"), name != ".", name != "..", !name.hasPrefix(".") else {
            throw reader.error("a table name is a file name in the instance's directory, without '/' or a leading '.', not '\(name)'", at: nameNode)
        }
        guard !["main.cf", "master.cf", "main.cf.postconf", "master.cf.postconf", "dynamicmaps.cf", "postfix-files"].contains(name) else {
            throw reader.error("'\(name)' is a Postfix configuration file, not a table; use main_cf or master_cf", at: nameNode)
        }
        let here = "table '\(name)' of instance '\(instance.name)'"
        let fields = try reader.fields(node, known: Self.tableKeys, context: here)
        try oneForm(fields, forms: [["template"], ["file"], ["entries"]], context: here, at: node)
        var type: TableType?
        var source: TableSource?
        var secret: Bool?
        for (key, _, value) in fields {
            switch key {
            case "type":
                let text = try reader.string(value, what: "'type' of \(here)")
                guard let parsed = TableType(rawValue: text) else {
                    let all = TableType.allCases.map(\.rawValue)
                    var message = "unknown table type '\(text)'"
                    if let suggestion = Suggestion.nearest(to: text, among: all) { message += "; did you mean '\(suggestion)'?" }
                    message += " (indexed, rebuilt with postmap: cdb, hash, lmdb, btree; read at reload: texthash, regexp, pcre, cidr)"
                    throw reader.error(message, at: value)
                }
                type = parsed
            case "template": source = .template(try templateFile(value, what: "'template' of \(here)").template, mark: reader.mark(value))
            case "file": source = .file(try fileSource(value, what: "'file' of \(here)"))
            case "entries": source = .entries(try entries(value, context: here))
            case "secret": secret = try reader.bool(value, what: "'secret' of \(here)")
            default: break
            }
        }
        guard let type else {
            throw reader.error("\(here) has no 'type:' (cdb, hash, lmdb, btree, texthash, regexp, pcre or cidr)", at: node)
        }
        return TableSpec(name: name, type: type, source: source!, secret: secret, mark: reader.mark(nameNode))
    }

    private func entries(_ node: Node, context: String) throws(SourceError) -> [TableEntry] {
        if reader.isNull(node) { return [] }
        _ = try reader.mapping(node, what: "'entries' of \(context)")
        var entries: [TableEntry] = []
        for (key, value) in try reader.pairs(node) {
            let keyText = try reader.string(key, what: "a table key")
            guard !keyText.contains(where: \.isWhitespace) else {
                throw reader.error("a table key cannot hold whitespace: '\(keyText)'", at: key)
            }
            let valueText: String
            switch reader.tagName(value) {
            case .int, .float, .str, .nonSpecific: valueText = try reader.string(value, what: "the value of '\(keyText)'")
            case .bool: valueText = TemplateValues.text(for: try reader.value(value))
            default: throw reader.error("the value of '\(keyText)' must be text, not \(reader.kind(value))", at: value)
            }
            guard !valueText.contains("\n") else { throw reader.error("a table value must be one line", at: value) }
            entries.append(TableEntry(
                key: try Template(inline: keyText, at: reader.mark(key), column: reader.textColumn(of: key)),
                value: try Template(inline: valueText, at: reader.mark(value), column: reader.textColumn(of: value))))
        }
        return entries
    }
}
