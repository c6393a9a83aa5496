import Inventory
import Playbook
import Testing

/// `-e` in templates: over the play's `vars:` too, as in Ansible.
@Suite struct ExtraVariablesRenderTests {
    @Test("-e wins over the inventory and the play's vars, a play template variable included")
    func overPlayVariables() throws {
        try withPlaybookFiles("""
            - hosts: all
              vars: {admin: postmaster, fqdn: "{{inventory_hostname}}.example.com", greeting: "hello {{admin}}"}
              instances:
                - name: default
                  tables: [{name: t, type: texthash, template: t.tmpl}]
            """, files: ["t.tmpl": "{{admin}} {{fqdn}} {{greeting}} {{relay}}\n", "hosts": "mta1 relay=inventory admin=root\n"]) { path in
            var options = Inventory.LoadOptions()
            options.extraVariables = try ExtraVariables.parse(["admin=cli fqdn=given.example.net", "{relay: cli}"])
            let inventory = try Inventory.load(sources: [String(path.dropLast("playbook.yml".count)) + "hosts"], options: options)
            let playbook = try Playbook.load(path: path)
            let files = try playbook.render(for: inventory.requireHost("mta1"), inventory: inventory)
            #expect(files.text(at: "/etc/postfix/t") == "cli given.example.net hello cli cli\n")
        }
    }
}
