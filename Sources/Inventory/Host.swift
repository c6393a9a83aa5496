/// A host of an inventory, with its variables merged as Ansible merges them.
public struct Host: Sendable, Hashable {
    /// The name in the inventory (Ansible's `inventory_hostname`).
    public let name: String
    /// The effective variables, as Ansible merges them: the inventory file's group
    /// variables (`all`'s, then each group's from the shallowest to the deepest; at the same
    /// depth by `ansible_group_priority`, then alphabetically; the later winning), then the
    /// `group_vars/` files in the same order, then the host's own.
    public let vars: [String: Value]
    /// The variables set on the host itself (in the inventory file, then its `host_vars/`
    /// files), not inherited from a group.
    public let ownVars: [String: Value]
    /// Every group the host is in, directly or through a child group, sorted, without `all`
    /// (Ansible's `group_names`). A host in no group has `["ungrouped"]`.
    public let groups: [String]
    /// Where to connect: `ansible_host`, or the name.
    public var address: String
    /// `ansible_port`; nil means the SSH default, 22.
    public var port: Int?
    /// `ansible_user`; nil means the caller's default.
    public var user: String?
    /// `ansible_ssh_private_key_file` (or `ansible_private_key_file`), with a leading `~` expanded.
    public var privateKeyFile: String?
    /// `ansible_become`: run commands through sudo; nil: the play or the command line decides.
    public var become: Bool?
    /// `ansible_become_user`; nil means root.
    public var becomeUser: String?
    /// `ansible_password` (or `ansible_ssh_pass`, `ansible_ssh_password`): the login password,
    /// through a `{{ variable }}` reference.
    public var password: String?
    /// `ansible_become_password` (or `ansible_become_pass`, `ansible_sudo_pass`): sudo's.
    public var becomePassword: String?
    /// Why postfleet cannot connect to the host as its variables say (a password it cannot
    /// resolve, `ansible_connection: local`); nil when it can. Reported before any connection.
    public var connectionProblem: String?
    /// `ansible_connection`; nil: ssh.
    public var connection: String?
    /// The jump hosts, as OpenSSH's ProxyJump: `jump_host`, else the first ProxyJump (`-J`,
    /// `-o ProxyJump=`) of ``sshOptions``. nil: none said (ssh_config may give one); `none`:
    /// none, whatever ssh_config says.
    public var proxyJump: String?
    /// What `ansible_ssh_common_args` then `ansible_ssh_extra_args` (Ansible puts them on
    /// ssh's command line in that order) say as ssh options: ssh_config lines (`Port=2222`,
    /// `StrictHostKeyChecking accept-new`, `ProxyJump bastion`), first value winning, from
    /// `-o`, `-J`, `-p`, `-l` and `-i`. They weigh as ssh's command line does: over ssh_config,
    /// under the inventory's own `ansible_port`, `ansible_user` and key file.
    public var sshOptions: [String]

    /// A host whose connection settings are read from `vars` (a bad port is ignored).
    ///
    /// - Parameter home: The home directory for a key file path starting with `~`;
    ///   `$HOME` when nil.
    public init(
        name: String, vars: [String: Value] = [:], ownVars: [String: Value]? = nil,
        groups: [String] = [], home: String? = nil
    ) {
        self.name = name
        self.vars = vars
        self.ownVars = ownVars ?? vars
        self.groups = groups
        let lookup = { (names: [String]) in ConnectionVariables.lookup(names, in: vars) }
        address = lookup(ConnectionVariables.address).flatMap(ConnectionVariables.text) ?? name
        port = lookup(ConnectionVariables.port).flatMap(ConnectionVariables.portNumber)
        user = lookup(ConnectionVariables.user).flatMap(ConnectionVariables.text)
        privateKeyFile = lookup(ConnectionVariables.privateKeyFile).flatMap(ConnectionVariables.text).map {
            ConnectionVariables.expandingTilde($0, home: home ?? ConnectionVariables.currentHome)
        }
        become = lookup(ConnectionVariables.become).flatMap(ConnectionVariables.boolean)
        becomeUser = lookup(ConnectionVariables.becomeUser).flatMap(ConnectionVariables.text)
        connection = lookup(ConnectionVariables.connection).flatMap(ConnectionVariables.text)
        var problems: [String] = []
        let passwords = [ConnectionVariables.password, ConnectionVariables.becomePassword].map { names -> String? in
            switch ConnectionVariables.password(names, in: vars) {
            case let .success(text): return text
            case let .failure(problem): problems.append(problem.message); return nil
            case nil: return nil
            }
        }
        password = passwords[0]
        becomePassword = passwords[1]
        if let connection, !ConnectionVariables.sshConnections.contains(connection) {
            problems.append("ansible_connection is \"\(connection)\": postfleet reaches hosts over SSH only (leave this host out with --limit, or set ansible_connection: ssh)")
        }
        connectionProblem = problems.isEmpty ? nil : problems.joined(separator: "; ")
        sshOptions = ConnectionVariables.sshArguments.compactMap { lookup([$0]).flatMap(ConnectionVariables.text) }
            .flatMap(ConnectionVariables.sshOptions(inArguments:))
        proxyJump = lookup(ConnectionVariables.jumpHost).flatMap(ConnectionVariables.text)
            ?? ConnectionVariables.proxyJump(in: sshOptions)
    }

    /// The connection variables of Ansible's that the host sets and postfleet does not use
    /// (``ConnectionVariables/notHonoured``), sorted.
    public var unusedConnectionVariables: [String] {
        vars.keys.filter { ConnectionVariables.notHonoured.contains($0) }.sorted()
    }

    /// Whether the host is in `group` (directly or through a child group); every host is in `all`.
    public func isMember(of group: String) -> Bool {
        group == Group.all || groups.contains(group)
    }
}
