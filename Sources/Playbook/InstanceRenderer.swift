import Inventory
import Postfix

/// Renders one instance's files for one host.
struct InstanceRenderer {
    let spec: InstanceSpec
    /// The host's instances that should exist, for postmulti's parameters.
    let instances: [PostfixInstance]
    let variables: [String: Value]
    let host: String
    let playbook: String

    var instance: PostfixInstance { spec.instance }
    var directory: String { instance.configDirectory }

    func files() throws(SourceError) -> [RenderedFile] {
        var files: [RenderedFile] = []
        var mainCFParameters: [String: String]?
        if let mainCF = spec.mainCF {
            let (file, parameters) = try self.mainCF(mainCF)
            files.append(file)
            mainCFParameters = parameters
        }
        if let masterCF = spec.masterCF { files.append(try self.masterCF(masterCF)) }
        // A table is secret when a password map of main.cf or master.cf names it (see InstanceSecrets).
        let secrets = InstanceSecrets(instance: instance, rendered: files, mainCFParameters: mainCFParameters)
        files = files.map { $0.hidingInlineSecrets(secrets) }
        for table in spec.tables {
            let secret = table.secret ?? secrets.namesTable("\(directory)/\(table.name)")
            do {
                files.append(try self.table(table, secret: secret))
            } catch {
                throw secret ? error.hidingSourceLine : error
            }
        }
        for file in spec.files {
            let secret = file.secret ?? secrets.namesKeyFile("\(directory)/\(file.name)")
            do {
                files.append(try managedFile(file, secret: secret))
            } catch {
                throw secret ? error.hidingSourceLine : error
            }
        }
        return files
    }

    /// A file of `files:`: a template, a file, or a file whose path is rendered for the host.
    private func managedFile(_ file: ManagedFileSpec, secret: Bool) throws(SourceError) -> RenderedFile {
        let contents: [UInt8]
        switch file.source {
        case let .template(template, _):
            contents = Array(try template.render(variables, host: host).utf8)
        case let .file(source):
            contents = source.contents
        case let .perHostFile(template, base, mark):
            let path = try template.render(variables, host: host)
            let resolved = path.hasPrefix("/") || base == "." ? path : base + "/" + path
            do {
                contents = Array(try SourceText.read(path: resolved).text.utf8)
            } catch {
                throw mark.error("for host \(host), " + PlaybookLoader.unreadable("file", path: path, resolved: resolved, error))
            }
        }
        return RenderedFile(path: "\(directory)/\(file.name)", contents: contents, secret: secret, instance: instance,
                            kind: .file(name: file.name))
    }

    /// The instance's main.cf, and for a template the parameters the whole file sets (its
    /// text is parsed here once, for the owned parameters and for the secrets).
    private func mainCF(_ mainCF: MainCFSpec) throws(SourceError) -> (RenderedFile, [String: String]?) {
        switch mainCF {
        case let .template(template, mark):
            let text = try template.render(variables, host: host)
            let definitions = MainCF(text).definitions
            for definition in definitions where PostmultiOwnership.owns(definition.name, in: instance) {
                throw mark.error(
                    "the main.cf that '\(template.path ?? "")' renders for host \(host) sets '\(definition.name)' (its line \(definition.line)), which postmulti(1) owns; postfleet sets it from the instance list")
            }
            let block = PostmultiOwnership.block(for: instance, among: instances)
            return (wholeMainCF(text), Self.parameters(definitions, then: block))
        case let .file(file):
            return (wholeMainCF(String(decoding: file.contents, as: UTF8.self)), nil)
        case let .edits(parameters, removals):
            var edits: [PostconfEdit] = []
            for parameter in parameters {
                var parts: [String] = []
                for part in parameter.parts { parts.append(try part.render(variables, host: host)) }
                let value = parts.joined(separator: ", ")
                guard !value.contains("\n") else {
                    throw parameter.mark.error("the value of '\(parameter.name)' renders to several lines for host \(host); a parameter is one line")
                }
                edits.append(.set(parameter: parameter.name, value: value))
            }
            edits += removals.map { .remove(parameter: $0.name) }
            let owned = PostmultiOwnership.edits(for: instance, among: instances)
            return (editsFile("main.cf", kind: .mainCFEdits, edits: edits, owned: owned), nil)
        }
    }

    /// A whole main.cf: the text, then postmulti's parameters for this instance.
    private func wholeMainCF(_ text: String) -> RenderedFile {
        let text = Self.wholeMainCFText(text, block: PostmultiOwnership.block(for: instance, among: instances))
        return RenderedFile(path: directory + "/main.cf", contents: Array(text.utf8), instance: instance, kind: .mainCF)
    }

    /// The text, then the block of postmulti's parameters (a line apart).
    static func wholeMainCFText(_ text: String, block: String) -> String {
        var text = text
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        if !block.isEmpty {
            if !text.isEmpty, !text.hasSuffix("\n\n") { text += "\n" }
            text += block
        }
        return text
    }

    /// The parameters of ``wholeMainCFText(_:block:)`` from the text's definitions: the
    /// block's lines start new logical lines, so its definitions come after the text's and
    /// win over them.
    static func parameters(_ definitions: [MainCF.Definition], then block: String) -> [String: String] {
        var parameters: [String: String] = [:]
        for definition in definitions + MainCF(block).definitions { parameters[definition.name] = definition.value }
        return parameters
    }

    private func masterCF(_ masterCF: MasterCFSpec) throws(SourceError) -> RenderedFile {
        switch masterCF {
        case let .template(template, _):
            var text = try template.render(variables, host: host)
            if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
            return RenderedFile(path: directory + "/master.cf", contents: Array(text.utf8), instance: instance, kind: .masterCF)
        case let .file(file):
            return RenderedFile(path: directory + "/master.cf", contents: file.contents, instance: instance, kind: .masterCF)
        case let .services(services):
            var edits: [PostconfEdit] = []
            for service in services {
                guard let template = service.line else {
                    edits.append(.removeService(service.key))
                    continue
                }
                let line = try template.render(variables, host: host)
                if line.contains("\n") {
                    throw service.valueMark.error("for host \(host), the line for '\(service.key)' renders to several lines; postconf -M takes one")
                }
                if let problem = MasterCF.lineProblem(line, for: service.key) {
                    throw service.valueMark.error("for host \(host), \(problem)")
                }
                edits.append(.setService(service.key, line: line))
            }
            return editsFile("master.cf", kind: .masterCFEdits, edits: edits, owned: [])
        }
    }

    /// `main.cf.postconf` or `master.cf.postconf`: one postconf command per line.
    private func editsFile(_ file: String, kind: RenderedFile.Kind, edits: [PostconfEdit], owned: [PostconfEdit]) -> RenderedFile {
        var lines = [
            "# The postconf edits postfleet makes to \(directory)/\(file) (instance \(instance.name)) on \(host),",
            "# rendered from \(playbook).",
        ]
        lines += edits.map { $0.commandLine(configDirectory: directory) }
        if !owned.isEmpty {
            lines.append(PostmultiOwnership.blockComment)
            lines += owned.map { $0.commandLine(configDirectory: directory) }
        }
        let text = lines.map { $0 + "\n" }.joined()
        return RenderedFile(path: "\(directory)/\(file).postconf", contents: Array(text.utf8), instance: instance,
                            kind: kind, edits: edits + owned)
    }

    private func table(_ table: TableSpec, secret: Bool) throws(SourceError) -> RenderedFile {
        let contents: [UInt8]
        switch table.source {
        case let .template(template, _):
            var text = try template.render(variables, host: host)
            if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
            contents = Array(text.utf8)
        case let .file(file):
            contents = file.contents
        case let .entries(entries):
            var text = ""
            for entry in entries {
                text += try entry.key.render(variables, host: host) + "\t" + entry.value.render(variables, host: host) + "\n"
            }
            contents = Array(text.utf8)
        }
        return RenderedFile(path: "\(directory)/\(table.name)", contents: contents, secret: secret, instance: instance,
                            kind: .table(name: table.name, type: table.type))
    }
}
