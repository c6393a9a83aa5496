import Glibc
import Inventory
import SSH
import SSHConfig

/// What the command line says about connections when the inventory is silent, and the
/// OpenSSH client configuration that fills in what neither says.
public struct ConnectionDefaults: Sendable {
    /// `-u`: used where the inventory gives no `ansible_user` (as in Ansible, the inventory wins).
    public var user: String?
    /// `--identity`: used where the inventory gives no `ansible_ssh_private_key_file`.
    public var identityFile: String?
    /// `--become`: used where neither the inventory (`ansible_become`) nor the play says.
    public var become: Bool
    /// `~/.ssh/config` (or `-F FILE`): per host `HostName`, `User`, `Port`, `IdentityFile`,
    /// `IdentitiesOnly`, `UserKnownHostsFile`, `GlobalKnownHostsFile`, `StrictHostKeyChecking`, `ConnectTimeout`,
    /// `ProxyJump`, where the inventory and the command line say nothing.
    public var sshConfig: SSHClientConfig
    /// The run-wide settings the command line gave explicitly; ssh_config does not override them.
    public var commandLine: Set<RunSetting>

    public enum RunSetting: Sendable, Hashable {
        case knownHostsFile, hostKeyPolicy, connectTimeout
    }

    public init(user: String? = nil, identityFile: String? = nil, become: Bool = false,
                sshConfig: SSHClientConfig = .empty, commandLine: Set<RunSetting> = []) {
        self.user = user
        self.identityFile = identityFile
        self.become = become
        self.sshConfig = sshConfig
        self.commandLine = commandLine
    }

    /// The local user's name, as OpenSSH defaults to.
    public static var localUser: String {
        if let u = getenv("USER").map({ String(cString: $0) }), !u.isEmpty { return u }
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "root"
    }

    /// What ssh_config says of `host` (looked up as Ansible hands it to `ssh`: `ansible_host`,
    /// else the name), under the ssh options of the inventory's `ansible_ssh_common_args` and
    /// `ansible_ssh_extra_args` (``Host/sshOptions``), which win as `ssh -o` does.
    /// - Throws: a bad option, as `HOST: ansible_ssh_common_args or ansible_ssh_extra_args: error: ...`.
    public func sshSettings(for host: Host) throws(ClientConfigError) -> SSHHostSettings {
        let options = try sshOptions(of: host)
        return (options.map(sshConfig.overridden(by:)) ?? sshConfig).settings(for: host.address)
    }

    /// The inventory's ssh options for `host`, read; nil when it has none.
    private func sshOptions(of host: Host) throws(ClientConfigError) -> SSHClientConfig? {
        guard !host.sshOptions.isEmpty else { return nil }
        return try SSHClientConfig.commandLineOptions(
            host.sshOptions, origin: "\(host.name): ansible_ssh_common_args or ansible_ssh_extra_args",
            home: SSHConfig.Environment.home, localUser: Self.localUser)
    }

    /// The ProxyCommand that ssh_config or the inventory's ssh options give `host` where the
    /// inventory names no jump host, and where it comes from: postfleet cannot run it (it
    /// speaks SSH itself), and connecting around it would not be what the configuration
    /// says. nil when none applies.
    public func unsupportedProxyCommand(for host: Host) throws(ClientConfigError) -> (command: String, origin: String)? {
        guard host.proxyJump == nil else { return nil }
        let options = try sshOptions(of: host)
        let config = options.map(sshConfig.overridden(by:)) ?? sshConfig
        guard let command = config.settings(for: host.address).proxyCommand else { return nil }
        let fromOptions = options?.settings(for: host.address).proxyCommand != nil
        return (command, fromOptions ? "the inventory's ssh arguments (ansible_ssh_common_args, ansible_ssh_extra_args)" : "ssh_config")
    }

    /// `settings`' per-host run-wide settings, except those the command line gave.
    func apply(_ settings: SSHHostSettings, to endpoint: inout Endpoint) {
        endpoint.identitiesOnly = settings.identitiesOnly ?? false
        if !commandLine.contains(.knownHostsFile) { endpoint.knownHostsFiles = settings.userKnownHostsFiles }
        endpoint.globalKnownHostsFiles = settings.globalKnownHostsFiles
        if !commandLine.contains(.hostKeyPolicy) { endpoint.hostKeyPolicy = settings.strictHostKeyChecking }
        if !commandLine.contains(.connectTimeout) { endpoint.connectTimeout = settings.connectTimeout }
    }
}
