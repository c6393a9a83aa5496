extension InventoryScript {
    /// The groups of `SCRIPT --list`, read as Ansible's script plugin reads them
    /// (`_parse_group`): hosts, then variables, then children, in the builder that may hold
    /// earlier sources already.
    struct GroupReader {
        let script: InventoryScript
        /// The run's standard error, for errors.
        let stderr: String
        /// Every host the groups list, in order of first appearance.
        private(set) var hosts: [String] = []
        private var seen: Set<String> = []

        init(script: InventoryScript, stderr: String) {
            self.script = script
            self.stderr = stderr
        }

        mutating func readGroup(_ group: String, _ data: Value, into builder: inout InventoryBuilder) throws(InventorySourceError) {
            guard !group.isEmpty else { throw error("a group name is empty") }
            if let problem = group.controlCharacterProblem(naming: "the group name") { throw error(problem) }
            builder.addGroup(group)
            var body: [String: Value]
            switch data {
            case let .map(map) where ["hosts", "vars", "children"].contains(where: { map[$0] != nil }):
                body = map
            case let .map(map):
                // Ansible's (deprecated) reading: the variables of a host named like the group.
                body = ["hosts": [.string(group)], "vars": .map(map)]
            default:
                // Ansible's (deprecated) reading: a group given as its hosts.
                body = ["hosts": data]
            }
            if let listed = body["hosts"] {
                guard case let .list(names) = listed else {
                    throw error("'\(group).hosts' must be a list of host names, not \(listed.kindDescription)")
                }
                for name in names {
                    guard case let .string(host) = name else {
                        throw error("a host of group '\(group)' must be a name, not \(name.kindDescription)")
                    }
                    if host.isEmpty { continue }
                    if let problem = HostName.problem(host) { throw error(problem) }
                    do throws(InventoryProblem) {
                        try builder.addHost(host, to: group)
                    } catch {
                        throw self.error(error.message)
                    }
                    if seen.insert(host).inserted { hosts.append(host) }
                }
            }
            if let vars = body["vars"] {
                guard case let .map(map) = vars else {
                    throw error("'\(group).vars' must be an object of variables, not \(vars.kindDescription)")
                }
                for (name, value) in map.sorted(by: { $0.key < $1.key }) {
                    do throws(InventoryProblem) {
                        try builder.setVariable(name, value, ofGroup: group)
                    } catch {
                        throw self.error("group '\(group)': \(error.message)")
                    }
                }
            }
            if let children = body["children"] {
                guard case let .list(names) = children else {
                    throw error("'\(group).children' must be a list of group names, not \(children.kindDescription)")
                }
                for name in names {
                    guard case let .string(child) = name, !child.isEmpty else {
                        throw error("a child of group '\(group)' must be a group name, not \(name.kindDescription)")
                    }
                    do throws(InventoryProblem) {
                        try builder.addChild(child, to: group)
                    } catch {
                        throw self.error("group '\(group)': \(error.message)")
                    }
                }
            }
        }

        private func error(_ message: String) -> InventorySourceError {
            script.error("\(message), in the output of \(script.commandLine(["--list"]))", stderr)
        }
    }
}
