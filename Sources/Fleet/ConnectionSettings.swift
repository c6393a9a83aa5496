import Engine
import Inventory
import Playbook
import Report
import SSH
import SSHConfig

/// How to reach hosts, as the command line gives it (every field nil or false: the
/// inventory, then ssh_config, then postfleet's defaults decide).
public struct ConnectionSettings: Sendable {
    /// `-f`: sessions open at once.
    public var forks: Int?
    /// `-u`, `--identity`, `--become`: where the inventory is silent.
    public var user: String?
    public var identity: String?
    public var become = false
    /// `-F`: ssh_config file (`none`: no file).
    public var sshConfigFile: String?
    public var knownHosts: String?
    public var hostKeyPolicy: HostKeyPolicy?
    /// Seconds.
    public var connectTimeout: Double?
    public var commandTimeout: Double?
    public var connectAttempts: Int?
    /// What turned host key checking off, for the warning: the flag, or Ansible's setting.
    public var hostKeyPolicyOrigin = "--host-key-policy off"

    public init() {}

    public var connectionOptions: ConnectionOptions {
        var options = ConnectionOptions(knownHostsFile: knownHosts)
        options.hostKeyPolicy = hostKeyPolicy ?? .strict
        // The flags are checked (Limits.flagSeconds); a value set another way is brought into range.
        options.connectTimeout = Limits.clampedDuration(seconds: connectTimeout ?? 10, to: Limits.flagSeconds)
        options.commandTimeout = commandTimeout.map { Limits.clampedDuration(seconds: $0, to: Limits.flagSeconds) }
        return options
    }

    /// How connections are retried: `--connect-attempts`, else `policy` (a playbook's
    /// `retries:`), else 3 attempts.
    public func connectRetry(policy: Policy.Retries? = nil) -> Backoff {
        if let connectAttempts { return Backoff(attempts: connectAttempts) }
        if let policy { return Backoff(policy) }
        return Backoff()
    }

    public func forkCount(hosts: Int) -> Int {
        forks.map { min(max($0, Limits.forks.lowerBound), Limits.forks.upperBound) } ?? max(1, min(hosts, 100))
    }

    /// What the command line and ssh_config say where the inventory is silent, for `hosts`,
    /// and ssh_config's warnings. A mistake in ssh_config is bad input (`FILE:LINE:COL:
    /// error: ...`), and so is a ProxyCommand for one of `hosts`.
    public func defaults(for hosts: [InventoryHost]) throws(InputError) -> (defaults: ConnectionDefaults, warnings: [String]) {
        var given: Set<ConnectionDefaults.RunSetting> = []
        if knownHosts != nil { given.insert(.knownHostsFile) }
        if hostKeyPolicy != nil { given.insert(.hostKeyPolicy) }
        if connectTimeout != nil { given.insert(.connectTimeout) }
        let config: SSHClientConfig
        do {
            config = try SSHClientConfig.forCommandLine(file: sshConfigFile, localUser: ConnectionDefaults.localUser)
        } catch {
            throw InputError("\(error)")
        }
        let defaults = ConnectionDefaults(user: user, identityFile: identity, become: become, sshConfig: config, commandLine: given)
        try Self.refuseProxyCommands(hosts, defaults: defaults)
        return (defaults, config.warnings)
    }

    /// A ProxyCommand (from ssh_config or the inventory's ssh arguments) for any of `hosts`
    /// is bad input: postfleet speaks SSH itself and cannot run it, and going around it
    /// would not be what the configuration says.
    static func refuseProxyCommands(_ hosts: [InventoryHost], defaults: ConnectionDefaults) throws(InputError) {
        var proxied: [(host: String, command: String, origin: String)] = []
        for host in hosts {
            do {
                if let (command, origin) = try defaults.unsupportedProxyCommand(for: host) { proxied.append((host.name, command, origin)) }
            } catch {
                throw InputError("\(error)")
            }
        }
        guard let first = proxied.first else { return }
        let same = proxied.filter { $0.command == first.command && $0.origin == first.origin }.map(\.host)
        throw InputError("\(first.origin) give\(first.origin == "ssh_config" ? "s" : "") \(HostSet.fold(same)) the ProxyCommand '\(first.command)', which postfleet cannot run (it speaks SSH itself, through libssh2): say the jump hosts with ProxyJump (-J in ansible_ssh_common_args, or jump_host in the inventory), or 'ProxyCommand none' for these hosts")
    }

    /// The warning to print when some host's (or jump host's) key will not be checked
    /// (`--host-key-policy off`, or `StrictHostKeyChecking no` in ssh_config); nil otherwise.
    public func uncheckedHostKeys(_ endpoints: [Endpoint]) -> String? {
        let options = connectionOptions
        let unchecked = endpoints.flatMap { $0.jumpHosts + [$0] }.filter { options.applying($0).hostKeyPolicy == .off }.map(\.name)
        guard !unchecked.isEmpty else { return nil }
        let which = options.hostKeyPolicy == .off ? "(\(hostKeyPolicyOrigin))" : "for \(Set(unchecked).sorted().joined(separator: ", ")) (StrictHostKeyChecking no in ssh_config)"
        return "warning: host keys are NOT checked \(which); anyone on the path can impersonate these hosts"
    }
}
