import Engine
import Inventory
import Playbook
import Postfix
import SSH
import Vault

/// What a playbook wants of every host it targets, loaded and rendered whole before any
/// host is contacted, and the run's one rolling policy: the entry point of `run`, `drift`
/// and every command that works from a playbook.
public struct Workload: Sendable {
    /// One item per selected host that a play targets, in inventory order.
    public var hosts: [HostWork]
    /// The plays' rolling policy (one per run), with its health gate set on each host.
    public var policy: Policy?
    /// ssh_config's warnings and the host key warning, as `postfleet: ...` lines for stderr.
    public var warnings: [String]
    /// Every vault plaintext of the inventory and the playbook, and of the files made of
    /// them, longest first: output shows them as `(secret)` (``SecretText/hiding(_:in:)``).
    public var vaultPlaintexts: [String] = []

    /// Loads the inventory and the playbook, and for each selected host that a play
    /// targets, in one pass: its plays, its instances, its rendered files, its tasks and
    /// its endpoint (the first play that says `become:` decides, under the inventory's
    /// `ansible_become`).
    /// - Throws: the loaders' `FILE:LINE:COL: error: ...` errors for a mistake in a file;
    ///   ``InputError`` when no play targets any selected host, when the plays that do have
    ///   different policies, or for what ``Targets/load(inventory:limit:connection:)`` refuses.
    public static func load(playbook path: String, inventory: InventoryOptions, limit: String?,
                            connection: ConnectionSettings) throws -> Workload {
        let targets = try Targets.load(inventory: inventory, limit: limit, connection: connection)
        let playbook = try Playbook.load(path: path, vault: inventory.vault)
        var work: [HostWork] = []
        var policies: [Policy] = []
        for host in targets.hosts {
            let plays = try playbook.plays(for: host, in: targets.inventory)
            guard !plays.isEmpty else { continue }
            for policy in plays.compactMap(\.policy) where !policies.contains(policy) { policies.append(policy) }
            let becoming = plays.first { $0.become != nil }
            let endpoint = Endpoint(host, defaults: targets.defaults, playBecome: becoming?.become, playBecomeUser: becoming?.becomeUser)
            work.append(HostWork(endpoint: endpoint,
                                 desired: try playbook.instances(for: host, inventory: targets.inventory),
                                 files: try playbook.render(for: host, inventory: targets.inventory),
                                 tasks: plays.flatMap(\.tasks)))
        }
        let count = targets.hosts.count
        guard !work.isEmpty else {
            throw InputError("no play of \(path) targets any of the \(count) selected host\(count == 1 ? "" : "s")")
        }
        // One run rolls over its hosts one way: plays with different policies are separate runs.
        guard policies.count <= 1 else {
            throw InputError("the plays of \(path) that target these hosts have different policies; postfleet applies one rolling policy per run: run them separately (-l) or give them the same policy")
        }
        // A rolling policy gates each changed host on its health (unless `health: none`).
        if let policy = policies.first, let gate = HealthGate(target: .all, health: policy.health) {
            for index in work.indices { work[index].health = gate }
        }
        let vault = Set(targets.vaultPlaintexts + playbook.vaultPlaintexts + work.flatMap { $0.files.flatMap(\.vaultValues) })
        return Workload(hosts: work, policy: policies.first,
                        warnings: targets.warnings(for: work.map(\.endpoint), connection: connection),
                        vaultPlaintexts: vault.sorted { $0.count > $1.count })
    }
}
