import Inventory

extension Targets {
    /// Refuses hosts that postfleet cannot connect to as their variables say (a password
    /// given as a Jinja2 expression, `ansible_connection: local`), naming each; before any
    /// host is contacted.
    static func checkConnections(of hosts: [InventoryHost]) throws(InputError) {
        let refused = hosts.compactMap { host in host.connectionProblem.map { "\(host.name): \($0)" } }
        guard refused.isEmpty else {
            let shown = refused.prefix(10) + (refused.count > 10 ? ["(and \(refused.count - 10) more hosts)"] : [])
            throw InputError("cannot connect to \(refused.count == 1 ? "a selected host" : "\(refused.count) selected hosts") as the inventory says:\n  " + shown.joined(separator: "\n  "))
        }
    }

    /// One warning listing the connection variables of Ansible's that the selected hosts set
    /// and postfleet does not use (`ansible_ssh_pipelining`, `ansible_scp_extra_args`, ...),
    /// each with the hosts that set it; nil when none does.
    static func unusedConnectionVariablesWarning(_ hosts: [InventoryHost]) -> String? {
        var setBy: [String: [String]] = [:]
        for host in hosts {
            for name in host.unusedConnectionVariables {
                setBy[name, default: []].append(host.name)
            }
        }
        guard !setBy.isEmpty else { return nil }
        let listed = setBy.keys.sorted().map { name in
            let names = setBy[name]!
            let who = names.count == hosts.count ? "all \(hosts.count) hosts"
                : names.prefix(3).joined(separator: ", ") + (names.count > 3 ? " and \(names.count - 3) more" : "")
            return "\(name) (\(who))"
        }
        return "warning: postfleet does not use these connection variables (it is an SSH client of its own, not ssh, scp or sftp): "
            + listed.joined(separator: ", ")
    }
}
