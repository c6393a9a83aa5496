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
        do {
            for play in plays where try play.targets(host, in: inventory) {
                for file in try play.render(for: host, inventory: inventory) {
                    files.removeAll { $0.path == file.path }
                    files.append(file)
                }
            }
        } catch {
            // A message may quote a rendered value.
            throw error.hiding(host.vars.values.flatMap(\.vaultPlaintexts) + vaultPlaintexts)
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
    /// `-e` over those (``Inventory/extraVariables``, as in Ansible), then postfleet's: `inventory_hostname`, `inventory_hostname_short`, `ansible_host` (the
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
        variables.merge(inventory.extraVariables) { _, extra in extra }
        variables["inventory_hostname"] = .string(host.name)
        variables["inventory_hostname_short"] = .string(String(host.name.prefix { $0 != "." }))
        variables["ansible_host"] = .string(host.address)
        variables["group_names"] = .list(host.groups.map(Value.string))
        variables["groups"] = inventory.groupsVariable

        var rendered: Set<String> = []
        var vault = Self.vaultPlaintexts(in: variables)
        func render(_ name: String, chain: [String]) throws(SourceError) {
            // A play variable that `-e` sets is `-e`'s value, not rendered.
            guard let template = varTemplates[name], !rendered.contains(name), inventory.extraVariables[name] == nil else { return }
            if chain.contains(name) {
                let circle = (chain.drop { $0 != name } + [name]).joined(separator: " -> ")
                throw template.error("the play's variables refer to each other in a circle: \(circle)", at: TextPosition(line: 1, column: 1))
            }
            for used in template.variableNames {
                let first = String(used.prefix { $0 != "." })
                if varTemplates[first] != nil { try render(first, chain: chain + [name]) }
            }
            let text = try template.render(variables, host: host.name)
            // Made of a vault value, it is one.
            let vaulted = vault.contains { text.contains($0) }
            if vaulted, !text.isEmpty { vault.insert(text) }
            variables[name] = vaulted ? .vault(VaultedString(plaintext: text, envelope: nil)) : .string(text)
            rendered.insert(name)
        }
        for name in varTemplates.keys.sorted() { try render(name, chain: []) }
        return variables
    }

    /// The vault plaintexts among a host's template variables, empty ones left out.
    /// `groups` is passed over: it holds only host names, and as many as the inventory has,
    /// so walking it for every host would make rendering grow with the square of the hosts.
    static func vaultPlaintexts(in variables: [String: Value]) -> Set<String> {
        var all: Set<String> = []
        for (name, value) in variables where name != "groups" { all.formUnion(value.vaultPlaintexts) }
        all.remove("")
        return all
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
        let vault = Self.vaultPlaintexts(in: base)
        return vault.isEmpty ? files : files.map { $0.holdingVaultValues(vault) }
    }
}
