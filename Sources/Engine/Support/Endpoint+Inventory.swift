import Inventory
import SSH
import SSHConfig

extension Endpoint {
    /// Where and as whom to reach an inventory host, as `ssh` would when Ansible runs it:
    /// ssh_config is looked up for `ansible_host` (or the name), and what the inventory sets
    /// (`ansible_host` aside, which ssh_config's HostName may still resolve), then the command
    /// line, wins over it. `playBecome` is what the host's play says of `become:`.
    public init(_ host: Host, defaults: ConnectionDefaults, playBecome: Bool? = nil, playBecomeUser: String? = nil) {
        let given = host.address
        // A mistake in the ssh options was reported before any host was contacted.
        let config = (try? defaults.sshSettings(for: host)) ?? defaults.sshConfig.settings(for: given)
        let explicitKey = host.privateKeyFile ?? defaults.identityFile
        var keys = explicitKey.map { [$0] } ?? []
        for file in config.identityFiles where !keys.contains(file) { keys.append(file) }
        self.init(
            name: host.name,
            address: config.hostName ?? given,
            port: host.port ?? config.port ?? 22,
            user: host.user ?? defaults.user ?? config.user ?? ConnectionDefaults.localUser,
            identityFiles: keys
        )
        defaults.apply(config, to: &self)
        password = host.password.map(Password.init)
        if host.become ?? playBecome ?? defaults.become {
            become = Become(user: host.becomeUser ?? playBecomeUser ?? "root", password: host.becomePassword.map(Password.init))
        }
        // The inventory's ProxyJump (`jump_host`, or -J in Ansible's ssh arguments), else ssh_config's.
        let hops = host.proxyJump.map { (try? JumpHost.list($0)) ?? [] } ?? config.proxyJump ?? []
        jumpHosts = hops.map { Endpoint(jump: $0, to: self, defaults: defaults) }
    }

    /// A jump host on the way to `target`: its own ssh_config settings, and where they are
    /// silent, `target`'s user and keys (one admin account, one key, for the bastion and the
    /// fleet is the common case). Its own ProxyJump is not followed: list every hop instead.
    init(jump: JumpHost, to target: Endpoint, defaults: ConnectionDefaults) {
        let config = defaults.sshConfig.settings(for: jump.host)
        self.init(name: jump.host, address: config.hostName ?? jump.host, port: jump.port ?? config.port ?? 22,
                  user: jump.user ?? config.user ?? target.user,
                  identityFiles: config.identityFiles.isEmpty ? target.identityFiles : config.identityFiles)
        defaults.apply(config, to: &self)
    }
}
