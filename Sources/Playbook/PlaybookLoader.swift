import Inventory
import Postfix
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
    static let instanceKeys = ["name", "group", "enabled", "state", "main_cf", "master_cf", "tables"]
    static let mainCFKeys = ["template", "file", "parameters", "remove"]
    static let masterCFKeys = ["template", "file", "services"]
    static let tableKeys = ["name", "type", "template", "file", "entries", "secret"]
    static let taskKeys = ["name", "postmulti", "command", "until", "retries", "delay"]
    static let untilKeys = ["rc", "stdout_contains"]
    static let postmultiKeys = ["action", "exec", "instance", "group", "all", "rename", "config_directory"]

    /// Variables postfleet sets for every template; a play may not set them.
    static let reservedVariables = [
        "inventory_hostname", "inventory_hostname_short", "ansible_host", "group_names", "groups", "instance",
    ]

    func load() throws(SourceError) -> Playbook {
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
                if !template.nodes.isEmpty { templates[name] = template }
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

    // MARK: - Instances

    private func instances(_ node: Node, context: String) throws(SourceError) -> [InstanceSpec] {
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
        for (key, keyNode, value) in try reader.fields(node, known: Self.instanceKeys, context: here) {
            switch key {
            case "group":
                if isDefault { throw reader.error("the default instance belongs to no group; 'group' is for secondary instances", at: keyNode) }
                if !reader.isNull(value) {
                    let text = try reader.string(value, what: "'group' of \(here)")
                    guard text != "-", text.unicodeScalars.allSatisfy(PostfixInstance.isNameCharacter) else {
                        throw reader.error("a group name may only hold letters, digits, '.', '_' and '-'", at: value)
                    }
                    group = text
                }
            case "enabled":
                enabled = try reader.bool(value, what: "'enabled' of \(here)")
                if isDefault, !enabled {
                    throw reader.error("the default instance cannot be disabled: it is the one that starts the others", at: value)
                }
            case "state":
                let text = try reader.string(value, what: "'state' of \(here)")
                guard let parsed = InstanceSpec.State(rawValue: text) else {
                    var message = "'state' of \(here) must be 'present' or 'absent', not '\(text)'"
                    if let suggestion = Suggestion.nearest(to: text, among: ["present", "absent"]) {
                        message += "; did you mean '\(suggestion)'?"
                    }
                    throw reader.error(message, at: value)
                }
                if isDefault, parsed == .absent {
                    throw reader.error("the default instance cannot be absent: postmulti never destroys it", at: value)
                }
                state = parsed
            case "main_cf": mainCFNode = value
            case "master_cf": masterCFNode = value
            case "tables": tablesNode = value
            default: break
            }
        }
        let instance = PostfixInstance(name: name, group: group, enabled: enabled)
        let mainCF = try mainCFNode.flatMap { (node) throws(SourceError) in try self.mainCF(node, of: instance) }
        let masterCF = try masterCFNode.flatMap { (node) throws(SourceError) in try self.masterCF(node, of: instance) }
        let tables = try tablesNode.map { (node) throws(SourceError) in try self.tables(node, of: instance) } ?? []
        return InstanceSpec(instance: instance, state: state, mainCF: mainCF, masterCF: masterCF, tables: tables,
                            mark: reader.mark(nameNode))
    }

    // MARK: - main.cf

    private func mainCF(_ node: Node, of instance: PostfixInstance) throws(SourceError) -> MainCFSpec? {
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

    /// At most one of the alternative forms (`template`, `file`, `parameters`+`remove`), and one is needed.
    private func oneForm(
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

    // MARK: - master.cf

    private func masterCF(_ node: Node, of instance: PostfixInstance) throws(SourceError) -> MasterCFSpec? {
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

    // MARK: - Tables

    private func tables(_ node: Node, of instance: PostfixInstance) throws(SourceError) -> [TableSpec] {
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

    // MARK: - Files

    /// A template file named by a path value; a missing file is an error at the value.
    private func templateFile(_ node: Node, what: String) throws(SourceError) -> (template: Template, source: SourceText) {
        let (path, text) = try read(node, what: what, kind: "template")
        return (try Template(file: text, shownPath: path), text)
    }

    private func fileSource(_ node: Node, what: String) throws(SourceError) -> FileSource {
        let (path, text) = try read(node, what: what, kind: "file")
        return FileSource(path: path, resolvedPath: text.path, contents: Array(text.text.utf8), mark: reader.mark(node))
    }

    private func read(_ node: Node, what: String, kind: String) throws(SourceError) -> (String, SourceText) {
        let path = try reader.string(node, what: what)
        let resolved = path.hasPrefix("/") || baseDirectory == "." ? path : baseDirectory + "/" + path
        do {
            return (path, try SourceText.read(path: resolved))
        } catch {
            let lookedFor = resolved == path ? "" : " (looked for \(resolved))"
            let message = switch error.reason {
            case .notFound: "\(kind) '\(path)' does not exist\(lookedFor); paths are relative to the playbook's directory"
            case .isDirectory: "\(kind) '\(path)' is a directory, not a file\(lookedFor)"
            case .notReadable: "\(kind) '\(path)' cannot be read: permission denied\(lookedFor)"
            case .notUTF8: "\(kind) '\(path)' is not UTF-8 text\(lookedFor)"
            }
            throw reader.error(message, at: node)
        }
    }

    // MARK: - Tasks

    private func tasks(_ node: Node, context: String) throws(SourceError) -> [PlayTask] {
        if reader.isNull(node) { return [] }
        let items = try reader.list(node, what: "'tasks' of \(context)")
        var tasks: [PlayTask] = []
        for (index, item) in items.enumerated() {
            tasks.append(try task(item, number: index + 1, context: context))
        }
        return tasks
    }

    private func task(_ node: Node, number: Int, context: String) throws(SourceError) -> PlayTask {
        let here = "task \(number) of \(context)"
        guard case .mapping = node else {
            throw reader.error("\(here) must be a mapping with 'postmulti:' or 'command:', not \(reader.kind(node))", at: node)
        }
        let fields = try reader.fields(node, known: Self.taskKeys, context: here,
                                       hint: "a task has 'name' and one of 'postmulti' or 'command'")
        try oneForm(fields, forms: [["postmulti"], ["command"]], context: here, at: node)
        var name: String?
        var action: PlayTask.Action?
        var until: (rc: Int32?, text: String?)?
        var retries: Int?
        var delay: Duration?
        for (key, _, value) in fields {
            switch key {
            case "name": name = reader.isNull(value) ? nil : try reader.string(value, what: "the name of \(here)")
            case "command": action = .command(try reader.string(value, what: "'command' of \(here)"))
            case "postmulti": action = .postmulti(try postmulti(value, context: here))
            case "until":
                _ = try reader.mapping(value, what: "'until' of \(here) (rc: N and/or stdout_contains: TEXT)")
                var condition: (rc: Int32?, text: String?) = (nil, nil)
                for (field, _, item) in try reader.fields(value, known: Self.untilKeys, context: "until of \(here)") {
                    if field == "rc" {
                        let rc = try reader.int(item, what: "'rc'")
                        guard (0...255).contains(rc) else { throw reader.error("'rc' is an exit status, from 0 to 255", at: item) }
                        condition.rc = Int32(rc)
                    } else {
                        condition.text = try reader.string(item, what: "'stdout_contains'")
                    }
                }
                guard condition.rc != nil || condition.text != nil else {
                    throw reader.error("'until' needs 'rc:' or 'stdout_contains:'", at: value)
                }
                until = condition
            case "retries":
                let count = try reader.int(value, what: "'retries'")
                guard count >= 0 else { throw reader.error("'retries' cannot be negative", at: value) }
                retries = count
            case "delay": delay = try PolicyReader(reader: reader).duration(value, what: "'delay'")
            default: break
            }
        }
        // As Ansible: with `until`, retries default to 3 and delay to 5 s; attempts = retries + 1.
        var retry: PlayTask.Retry?
        if until != nil || retries != nil {
            retry = PlayTask.Retry(attempts: (retries ?? 3) + 1, delay: delay ?? .seconds(5),
                                   rc: until?.rc ?? (until?.text == nil ? 0 : nil), stdoutContains: until?.text)
        } else if let (_, key, _) = fields.first(where: { $0.name == "delay" }) {
            throw reader.error("'delay' goes with 'until:' or 'retries:'", at: key)
        }
        return PlayTask(name: name, action: action!, mark: reader.mark(node), retry: retry)
    }

    private func postmulti(_ node: Node, context: String) throws(SourceError) -> PostmultiCommand {
        _ = try reader.mapping(node, what: "'postmulti' of \(context)")
        let fields = try reader.fields(node, known: Self.postmultiKeys, context: "postmulti of \(context)")
        func field(_ name: String) -> (key: Node, value: Node)? {
            fields.first { $0.name == name }.map { ($0.key, $0.value) }
        }
        if field("action") != nil, let exec = field("exec") {
            throw reader.error("give either 'action:' or 'exec:', not both", at: exec.key)
        }

        // Which instances: at most one of instance, group, all (in the order written).
        var targets: [(name: String, key: Node, target: PostmultiCommand.Target)] = []
        for (name, key, value) in fields {
            switch name {
            case "instance":
                let instance = try reader.string(value, what: "'instance'")
                if let problem = PostfixInstance.nameProblem(instance) {
                    throw reader.error("bad instance name '\(instance)': \(problem)", at: value)
                }
                targets.append((name, key, .instance(instance)))
            case "group":
                targets.append((name, key, .group(try reader.string(value, what: "'group'"))))
            case "all":
                guard try reader.bool(value, what: "'all'") else {
                    throw reader.error("'all: false' selects nothing; leave it out, or name an instance or a group", at: value)
                }
                targets.append((name, key, .all))
            default:
                break
            }
        }

        if let (_, value) = field("exec") {
            let command = try reader.string(value, what: "'exec' (a command run for each selected instance)")
            try rejectExtras(["rename", "config_directory"], fields: fields, action: "exec")
            let target = try oneTarget(targets, action: "exec", at: node)
            return PostmultiCommand(.exec(command), target: target)
        }
        guard let (_, actionNode) = field("action") else {
            throw reader.error(
                "a postmulti task needs 'action:' (\(PostmultiCommand.Action.allCases.map(\.rawValue).joined(separator: ", "))) or 'exec:' (a command)",
                at: node)
        }
        let actionText = try reader.string(actionNode, what: "'action'")
        guard let action = PostmultiCommand.Action(rawValue: actionText) else {
            let all = PostmultiCommand.Action.allCases.map(\.rawValue)
            var message = "unknown postmulti action '\(actionText)'"
            if actionText == "restart" {
                message += "; postmulti has no restart: use a 'stop' task then a 'start' task (or 'reload')"
            } else if let suggestion = Suggestion.nearest(to: actionText, among: all) {
                message += "; did you mean '\(suggestion)'?"
            } else {
                message += "; the actions are \(all.joined(separator: ", "))"
            }
            throw reader.error(message, at: actionNode)
        }

        if action.isWrapper {
            try rejectExtras(["rename", "config_directory"], fields: fields, action: action.rawValue)
            return PostmultiCommand(.action(action), target: try oneTarget(targets, action: action.rawValue, at: node))
        }
        switch action {
        case .`init`:
            if let target = targets.first {
                throw reader.error(
                    "'init' takes no '\(target.name)': it sets up the default instance to manage the others", at: target.key)
            }
            try rejectExtras(["rename", "config_directory"], fields: fields, action: "init")
            return PostmultiCommand(.action(.`init`), target: nil)
        case .create, .import:
            try rejectExtras(action == .create ? ["rename", "all", "config_directory"] : ["rename", "all"],
                             fields: fields, action: action.rawValue)
            guard case let .instance(name)? = targets.first(where: { $0.name == "instance" })?.target else {
                throw reader.error("'\(action.rawValue)' needs 'instance:', the name of the new instance (postfix-...)", at: node)
            }
            if name == PostfixInstance.defaultName {
                throw reader.error("'\(action.rawValue)' makes a secondary instance; name it 'postfix-...'", at: field("instance")!.value)
            }
            var group: String?
            if case let .group(newGroup)? = targets.first(where: { $0.name == "group" })?.target { group = newGroup }
            var directory: String?
            if let (_, value) = field("config_directory") {
                directory = try reader.string(value, what: "'config_directory'")
                guard directory!.hasPrefix("/") else { throw reader.error("'config_directory' must be an absolute path", at: value) }
            }
            return PostmultiCommand(.action(action), target: .instance(name), newGroup: group, configDirectory: directory)
        case .assign:
            try rejectExtras(["all", "config_directory"], fields: fields, action: "assign")
            guard case let .instance(name)? = targets.first(where: { $0.name == "instance" })?.target else {
                throw reader.error("'assign' needs 'instance:', the instance to rename or regroup", at: node)
            }
            var group: String?
            if case let .group(newGroup)? = targets.first(where: { $0.name == "group" })?.target { group = newGroup }
            var newName: String?
            if let (_, value) = field("rename") {
                let text = try reader.string(value, what: "'rename'")
                if let problem = PostfixInstance.nameProblem(text) { throw reader.error("bad instance name '\(text)': \(problem)", at: value) }
                newName = text
            }
            guard group != nil || newName != nil else {
                throw reader.error("'assign' needs 'group:' (the new group) or 'rename:' (the new name)", at: node)
            }
            return PostmultiCommand(.action(.assign), target: .instance(name), newGroup: group, newName: newName)
        default:
            // deport, enable, disable, destroy: one named instance.
            try rejectExtras(["rename", "config_directory"], fields: fields, action: action.rawValue)
            if let other = targets.first(where: { $0.name != "instance" }) {
                throw reader.error(
                    "'\(action.rawValue)' works on one instance: name it with 'instance:', not '\(other.name):'", at: other.key)
            }
            guard case let .instance(name)? = targets.first?.target else {
                throw reader.error("'\(action.rawValue)' needs 'instance:', the instance it works on", at: node)
            }
            if name == PostfixInstance.defaultName, action == .destroy || action == .deport {
                throw reader.error("the default instance cannot be \(action == .destroy ? "destroyed" : "deported")", at: field("instance")!.value)
            }
            return PostmultiCommand(.action(action), target: .instance(name))
        }
    }

    private func oneTarget(
        _ targets: [(name: String, key: Node, target: PostmultiCommand.Target)], action: String, at node: Node
    ) throws(SourceError) -> PostmultiCommand.Target {
        guard let first = targets.first else {
            throw reader.error("say which instances '\(action)' is for: 'instance: NAME', 'group: NAME' or 'all: true'", at: node)
        }
        if targets.count > 1 {
            throw reader.error(
                "'\(action)' takes one of 'instance', 'group' or 'all', not both '\(first.name)' and '\(targets[1].name)'",
                at: targets[1].key)
        }
        return first.target
    }

    private func rejectExtras(
        _ names: [String], fields: [(name: String, key: Node, value: Node)], action: String
    ) throws(SourceError) {
        for (name, key, _) in fields where names.contains(name) {
            let use = switch name {
            case "rename": "'rename' is for 'assign'"
            case "config_directory": "'config_directory' is for 'import'"
            default: "it selects instances, and '\(action)' works on one named instance"
            }
            throw reader.error("'\(name)' makes no sense with '\(action)': \(use)", at: key)
        }
    }
}

/// Why a playbook may not set a parameter postmulti owns, and what sets it instead.
enum OwnedParameterMessage {
    static func message(for name: String, in instance: PostfixInstance) -> String? {
        guard PostmultiOwnership.owns(name, in: instance) else { return nil }
        let how: String
        switch name {
        case "multi_instance_name": how = "it is the instance's 'name:' (\(instance.name))"
        case "multi_instance_group": how = "set the instance's 'group:' instead"
        case "multi_instance_enable":
            how = instance.isDefault
                ? "postfleet sets it to yes when the play has secondary instances"
                : "set the instance's 'enabled:' instead"
        case "queue_directory": how = "postmulti derives it from the instance name (\(instance.queueDirectory))"
        case "data_directory": how = "postmulti derives it from the instance name (\(instance.dataDirectory))"
        case "multi_instance_directories": how = "the order of the play's 'instances:' sets it"
        case "multi_instance_wrapper": how = "postfleet sets it to \(PostmultiOwnership.wrapper)"
        default: how = "remove it"
        }
        return "'\(name)' is owned by postmulti(1), and postfleet sets it from the instance list: \(how); remove it here"
    }
}
