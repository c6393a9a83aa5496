import Inventory
import Postfix
import Yams

/// `files:` and `tls:` of an instance: certificates, keys and other files of its
/// configuration directory, and how a changed certificate is checked before it goes live.
extension PlaybookLoader {
    static let managedFileKeys = ["name", "template", "file", "secret"]
    static let tlsCheckKeys = ["ca_file", "valid_for", "names", "check"]

    func managedFiles(_ node: Node, of instance: PostfixInstance, tables: [TableSpec]) throws(SourceError) -> [ManagedFileSpec] {
        if reader.isNull(node) { return [] }
        let items = try reader.list(node, what: "'files' of instance '\(instance.name)'")
        var files: [ManagedFileSpec] = []
        for (index, item) in items.enumerated() {
            let file = try managedFile(item, number: index + 1, of: instance)
            if let first = files.first(where: { $0.name == file.name }) {
                throw file.mark.error("file '\(file.name)' of instance '\(instance.name)' is listed twice (first at line \(first.mark.line))")
            }
            if let table = tables.first(where: { $0.name == file.name }) {
                throw file.mark.error("'\(file.name)' of instance '\(instance.name)' is already a table (line \(table.mark.line)); a file is listed once")
            }
            files.append(file)
        }
        return files
    }

    private func managedFile(_ node: Node, number: Int, of instance: PostfixInstance) throws(SourceError) -> ManagedFileSpec {
        guard case .mapping = node else {
            throw reader.error("file \(number) of instance '\(instance.name)' must be a mapping with 'name:' and 'file:' or 'template:', not \(reader.kind(node))", at: node)
        }
        guard let nameNode = try reader.pairs(node).first(where: { $0.key.scalar?.string == "name" })?.value else {
            throw reader.error("file \(number) of instance '\(instance.name)' has no 'name:' (its file name in \(instance.configDirectory), as 'mx.pem')", at: node)
        }
        let name = try reader.string(nameNode, what: "a file name")
        guard !name.isEmpty, !name.contains("/"), name != ".", name != "..", !name.hasPrefix("."), !name.contains(".postfleet-") else {
            throw reader.error("a file name is a name in the instance's directory \(instance.configDirectory), without '/' or a leading '.', not '\(name)'", at: nameNode)
        }
        guard !["main.cf", "master.cf", "main.cf.postconf", "master.cf.postconf", "dynamicmaps.cf", "postfix-files"].contains(name) else {
            throw reader.error("'\(name)' is a Postfix configuration file; use main_cf or master_cf", at: nameNode)
        }
        let here = "file '\(name)' of instance '\(instance.name)'"
        let fields = try reader.fields(node, known: Self.managedFileKeys, context: here)
        try oneForm(fields, forms: [["template"], ["file"]], context: here, at: node)
        var source: ManagedFileSpec.Source?
        var secret: Bool?
        for (key, _, value) in fields {
            switch key {
            case "template": source = .template(try templateFile(value, what: "'template' of \(here)").template, mark: reader.mark(value))
            case "file":
                let path = try reader.string(value, what: "'file' of \(here)")
                if path.contains("{{") {
                    let template = try Template(inline: path, at: reader.mark(value), column: reader.textColumn(of: value))
                    source = .perHostFile(template, baseDirectory: baseDirectory, mark: reader.mark(value))
                } else {
                    source = .file(try fileSource(value, what: "'file' of \(here)"))
                }
            case "secret": secret = try reader.bool(value, what: "'secret' of \(here)")
            default: break
            }
        }
        return ManagedFileSpec(name: name, source: source!, secret: secret, mark: reader.mark(nameNode))
    }

    /// `tls: {ca_file: PATH, valid_for: 14d, names: [...], check: true}`.
    func tlsCheck(_ node: Node, of here: String) throws(SourceError) -> TLSCheckSpec {
        var spec = TLSCheckSpec()
        if reader.isNull(node) { return spec }
        for (key, _, value) in try reader.fields(node, known: Self.tlsCheckKeys, context: "'tls' of \(here)") {
            switch key {
            case "ca_file": spec.caFile = try fileSource(value, what: "'ca_file' of \(here)")
            case "valid_for": spec.validFor = try validFor(value, of: here)
            case "check": spec.check = try reader.bool(value, what: "'check' of 'tls' of \(here)")
            case "names":
                var names: [String] = []
                for item in reader.isNull(value) ? [] : try reader.list(value, what: "'names' of 'tls' of \(here)") {
                    let name = try reader.string(item, what: "a name under 'names'")
                    guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-.*".unicodeScalars.contains($0)) }) else {
                        throw reader.error("'\(name)' is not a host name (letters, digits, '-', '.', a leading '*.')", at: item)
                    }
                    names.append(name)
                }
                spec.names = names
            default: break
            }
        }
        return spec
    }

    /// `valid_for:`: days (`14d`, up to 10 years) or a duration (`12h`).
    private func validFor(_ node: Node, of here: String) throws(SourceError) -> Duration {
        if case let .scalar(scalar) = node, scalar.string.hasSuffix("d") {
            guard let days = Int(scalar.string.dropLast()), (0...3650).contains(days) else {
                throw reader.error("'valid_for' of \(here) must be a number of days from 0d to 3650d, or a duration such as 12h; not '\(scalar.string)'", at: node)
            }
            return .seconds(days * 86_400)
        }
        return try reader.duration(node, what: "'valid_for' of \(here) (days, as 14d, or a duration)")
    }
}
