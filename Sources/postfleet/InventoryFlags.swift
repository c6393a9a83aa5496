import AnsibleConfig
import ArgumentParser
import Fleet

/// Where the hosts come from: `-i` and `-e`, as every command that reads an inventory takes them.
struct InventoryFlags: ParsableArguments {
    @Option(name: [.short, .customLong("inventory")],
            help: ArgumentHelp("An inventory: an Ansible YAML or INI file (with group_vars/ and host_vars/ beside it), a directory of them, an executable inventory script, or a host list 'host1,host2,'. Repeat it to merge several, in order, as Ansible does (default: ansible.cfg's inventory, or ANSIBLE_INVENTORY).",
                               valueName: "inventory"))
    var inventory: [String] = []

    @Option(name: [.short, .customLong("extra-vars")],
            help: ArgumentHelp("Variables over every other (inventory, group_vars, host_vars, the play's vars), as Ansible's -e: NAME=VALUE words (values are strings), YAML or JSON text starting with { or [, or @FILE. Repeatable; a later one wins.",
                               valueName: "vars"))
    var extraVariables: [String] = []

    @OptionGroup(title: "Vault") var vault: VaultFlags

    func validate() throws {
        try refuseControlCharacters(inventory.map { ("-i/--inventory", $0) })
    }

    /// The options as the library takes them, with this process's ansible.cfg, and the vault
    /// passwords (scripts run and prompts asked here, once).
    func options() throws -> InventoryOptions {
        let config = try AnsibleConfig.current()
        var options = InventoryOptions(sources: inventory, extraVariables: extraVariables, config: config)
        options.vault = try vault.keyring(config: config)
        return options
    }
}
