import Engine
import Inventory
import Playbook
import Postfix
import SSH

extension ConnectionFlags {
    /// Every selected host that a play of `path` targets, with what the playbook wants
    /// there, and the run's one rolling policy (with its health gate set on each host).
    /// Everything is loaded and rendered, for every host, before any host is contacted:
    /// a mistake is bad input (exit 1).
    func playbookWork(_ path: String) throws -> (work: [HostWork], policy: Policy?) {
        let (inventory, hosts) = try selectedHosts()
        let playbook = try readInput { try Playbook.load(path: path) }
        let defaults = try defaults(for: hosts)
        var work: [HostWork] = []
        var policies: [Policy] = []
        for host in hosts {
            let plays = try readInput { try playbook.plays(for: host, in: inventory) }
            guard !plays.isEmpty else { continue }
            for policy in plays.compactMap(\.policy) where !policies.contains(policy) { policies.append(policy) }
            let desired = try readInput { try playbook.instances(for: host, inventory: inventory) }
            let files = try readInput { try playbook.render(for: host, inventory: inventory) }
            let tasks = plays.flatMap(\.tasks)
            // The first play that says `become:` decides (the inventory's ansible_become wins over it).
            let becoming = plays.first { $0.become != nil }
            let endpoint = Endpoint(host, defaults: defaults, playBecome: becoming?.become, playBecomeUser: becoming?.becomeUser)
            work.append(HostWork(endpoint: endpoint, desired: desired, files: files, tasks: tasks))
        }
        if work.isEmpty {
            throw BadInput(message: "no play of \(path) targets any of the \(hosts.count) selected host\(hosts.count == 1 ? "" : "s")")
        }
        // One run rolls over its hosts one way: plays with different policies are separate runs.
        guard policies.count <= 1 else {
            throw BadInput(message: "the plays of \(path) that target these hosts have different policies; postfleet applies one rolling policy per run: run them separately (-l) or give them the same policy")
        }
        // A rolling policy gates each changed host on its health (unless `health: none`).
        if let policy = policies.first, let gate = HealthGate(target: .all, health: policy.health) {
            for index in work.indices { work[index].health = gate }
        }
        return (work, policies.first)
    }
}
