import Foundation
import Inventory
import Postfix

extension Playbook {
    /// Every file the playbook puts on `host`: for each play that targets it, each present
    /// instance's main.cf (or `main.cf.postconf`), master.cf (or `master.cf.postconf`) and
    /// tables, in play and instance order. When two plays write the same path, the later wins.
    ///
    /// - Throws: `SourceError` at the `hosts:` of a play whose pattern matches nothing, or at
    ///   the tag of a template variable the host does not define.
    public func render(for host: InventoryHost, inventory: Inventory) throws(SourceError) -> [RenderedFile] {
        var files: [RenderedFile] = []
        for play in plays where try play.targets(host, in: inventory) {
            for file in try play.render(for: host, inventory: inventory) {
                files.removeAll { $0.path == file.path }
                files.append(file)
            }
        }
        return files
    }

    /// The instances the plays that target `host` list, present or absent, in order: the
    /// default instance first, then secondary ones in the order they first appear. When two
    /// plays list the same instance, the later play's entry wins.
    public func instances(for host: InventoryHost, inventory: Inventory) throws(SourceError) -> [InstanceSpec] {
        var specs: [InstanceSpec] = []
        for play in plays where try play.targets(host, in: inventory) {
            for spec in play.instances {
                if let index = specs.firstIndex(where: { $0.name == spec.name }) {
                    specs[index] = spec
                } else {
                    specs.append(spec)
                }
            }
        }
        return specs.filter { $0.instance.isDefault } + specs.filter { !$0.instance.isDefault }
    }
}

extension Play {
    /// What templates see for `host`: its inventory variables, the play's `vars` over them,
    /// then postfleet's: `inventory_hostname`, `inventory_hostname_short`, `ansible_host` (the
    /// address), `group_names` (the host's groups, sorted), `groups` (each group's host names).
    /// Inside an instance's files, `instance` is added (see `render`).
    ///
    /// A play variable whose value is a template (`fqdn: "{{inventory_hostname}}.{{domain}}"`)
    /// is rendered for the host first; it may use other such variables, not `instance`.
    ///
    /// - Throws: `SourceError` in a play variable's value: an undefined variable, or variables
    ///   that refer to each other in a circle.
    public func variables(for host: InventoryHost, inventory: Inventory) throws(SourceError) -> [String: Value] {
        var variables = host.vars
        variables.merge(vars) { _, play in play }
        variables["inventory_hostname"] = .string(host.name)
        variables["inventory_hostname_short"] = .string(String(host.name.prefix { $0 != "." }))
        variables["ansible_host"] = .string(host.address)
        variables["group_names"] = .list(host.groups.map(Value.string))
        variables["groups"] = inventory.groupsVariable

        var rendered: Set<String> = []
        func render(_ name: String, chain: [String]) throws(SourceError) {
            guard let template = varTemplates[name], !rendered.contains(name) else { return }
            if chain.contains(name) {
                let circle = (chain.drop { $0 != name } + [name]).joined(separator: " -> ")
                throw template.error("the play's variables refer to each other in a circle: \(circle)", at: TextPosition(line: 1, column: 1))
            }
            for used in template.variableNames {
                let first = String(used.prefix { $0 != "." })
                if varTemplates[first] != nil { try render(first, chain: chain + [name]) }
            }
            variables[name] = .string(try template.render(variables, host: host.name))
            rendered.insert(name)
        }
        for name in varTemplates.keys.sorted() { try render(name, chain: []) }
        return variables
    }

    /// The `instance` variable inside an instance's files.
    public static func instanceVariable(_ instance: PostfixInstance) -> Value {
        .map([
            "name": .string(instance.name),
            "group": instance.group.map(Value.string) ?? .null,
            "enabled": .bool(instance.enabled),
            "config_directory": .string(instance.configDirectory),
            "queue_directory": .string(instance.queueDirectory),
            "data_directory": .string(instance.dataDirectory),
        ])
    }

    /// The files of this play's present instances for `host` (whether the play targets the
    /// host is not checked here).
    public func render(for host: InventoryHost, inventory: Inventory) throws(SourceError) -> [RenderedFile] {
        let base = try variables(for: host, inventory: inventory)
        let present = presentInstances
        var files: [RenderedFile] = []
        for spec in instances where spec.state == .present {
            var variables = base
            variables["instance"] = Self.instanceVariable(spec.instance)
            let renderer = InstanceRenderer(
                spec: spec, instances: present, variables: variables, host: host.name, playbook: hostsMark.file)
            files += try renderer.files()
        }
        return files
    }
}

/// Renders one instance's files for one host.
private struct InstanceRenderer {
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
        if let mainCF = spec.mainCF { files.append(try self.mainCF(mainCF)) }
        if let masterCF = spec.masterCF { files.append(try self.masterCF(masterCF)) }
        // A table is secret when a password map of main.cf or master.cf names it (see InstanceSecrets).
        let secrets = InstanceSecrets(instance: instance, rendered: files)
        files = files.map { $0.hidingInlineSecrets(secrets) }
        for table in spec.tables {
            let secret = table.secret ?? secrets.namesTable("\(directory)/\(table.name)")
            do {
                files.append(try self.table(table, secret: secret))
            } catch {
                throw secret ? error.hidingSourceLine : error
            }
        }
        return files
    }

    private func mainCF(_ mainCF: MainCFSpec) throws(SourceError) -> RenderedFile {
        switch mainCF {
        case let .template(template, mark):
            let text = try template.render(variables, host: host)
            for definition in MainCF(text).definitions where PostmultiOwnership.owns(definition.name, in: instance) {
                throw mark.error(
                    "the main.cf that '\(template.path ?? "")' renders for host \(host) sets '\(definition.name)' (its line \(definition.line)), which postmulti(1) owns; postfleet sets it from the instance list")
            }
            return wholeMainCF(text)
        case let .file(file):
            return wholeMainCF(String(decoding: file.contents, as: UTF8.self))
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
            return editsFile("main.cf", kind: .mainCFEdits, edits: edits, owned: owned)
        }
    }

    /// A whole main.cf: the text, then postmulti's parameters for this instance.
    private func wholeMainCF(_ text: String) -> RenderedFile {
        var text = text
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        let block = PostmultiOwnership.block(for: instance, among: instances)
        if !block.isEmpty {
            if !text.isEmpty, !text.hasSuffix("\n\n") { text += "\n" }
            text += block
        }
        return RenderedFile(path: directory + "/main.cf", contents: Array(text.utf8), instance: instance, kind: .mainCF)
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
