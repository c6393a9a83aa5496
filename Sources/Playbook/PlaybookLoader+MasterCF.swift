import Inventory
import Postfix
import Yams

/// `master_cf:`: a template, a file, or services set one by one.
extension PlaybookLoader {
    static let masterCFKeys = ["template", "file", "services"]

    func masterCF(_ node: Node, of instance: PostfixInstance) throws(SourceError) -> MasterCFSpec? {
        let here = "master_cf of instance '\(instance.name)'"
        if reader.isNull(node) { return nil }
        if case .scalar = node {
            return .template(try templateFile(node, what: "'master_cf' of instance '\(instance.name)'").template, mark: reader.mark(node))
        }
        guard case .mapping = node else {
            throw reader.error(
                "\(here) must be a mapping with 'template:', 'file:' or 'services:', or a template path; not \(reader.kind(node))", at: node)
        }
        let fields = try reader.fields(node, known: Self.masterCFKeys, context: here)
        try oneForm(fields, forms: [["template"], ["file"], ["services"]], context: here, at: node)
        for (key, _, value) in fields {
            switch key {
            case "template": return .template(try templateFile(value, what: "'template' of \(here)").template, mark: reader.mark(value))
            case "file": return .file(try fileSource(value, what: "'file' of \(here)"))
            case "services": return .services(try services(value, context: here))
            default: break
            }
        }
        return nil
    }

    private func services(_ node: Node, context: String) throws(SourceError) -> [ServiceSetting] {
        if reader.isNull(node) { return [] }
        _ = try reader.mapping(node, what: "'services' of \(context)")
        var settings: [ServiceSetting] = []
        for (keyNode, value) in try reader.pairs(node) {
            let text = try reader.string(keyNode, what: "a service key")
            guard let key = MasterServiceKey(text) else {
                throw reader.error(
                    "'\(text)' is not a master.cf service key: write 'name/type', as in 'smtp/inet', with type \(MasterServiceKey.types.joined(separator: ", "))",
                    at: keyNode)
            }
            if let first = settings.first(where: { $0.key == key }) {
                throw reader.error("service '\(key)' is given twice (first at line \(first.mark.line))", at: keyNode)
            }
            let line = try reader.string(value, what: "the value of service '\(key)' (a master.cf line, or 'absent')")
            if line == "absent" {
                settings.append(ServiceSetting(key: key, line: nil, mark: reader.mark(keyNode), valueMark: reader.mark(value)))
                continue
            }
            guard !line.contains("\n") else {
                throw reader.error("a master.cf line for '\(key)' is one line (postconf -M takes no continuation lines): write its -o options on it", at: value)
            }
            let template = try Template(inline: line, at: reader.mark(value), column: reader.textColumn(of: value))
            if !template.hasTags, let problem = MasterCF.lineProblem(line, for: key) {
                throw reader.error(problem, at: value)
            }
            settings.append(ServiceSetting(key: key, line: template, mark: reader.mark(keyNode), valueMark: reader.mark(value)))
        }
        return settings
    }
}
