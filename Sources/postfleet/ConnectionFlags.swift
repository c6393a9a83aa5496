import ArgumentParser
import Engine
import Foundation
import Inventory
import Playbook
import Report
import SSH
import SSHConfig

/// The options every command that contacts hosts shares.
struct ConnectionFlags: ParsableArguments {
    @Option(name: [.short, .customLong("inventory")], help: "The inventory file (Ansible YAML or INI, with group_vars/ and host_vars/ beside it).")
    var inventory: String

    @Option(name: [.short, .customLong("limit")], help: "Host pattern: names, groups, globs, a:b, a:&b, a:!b.")
    var limit: String?

    @Option(name: [.short, .customLong("forks")], help: "Sessions open at once (default: every host, up to 100).")
    var forks: Int?

    @Option(name: [.short, .customLong("user")], help: "Remote user where the inventory gives no ansible_user.")
    var user: String?

    @Option(name: .customLong("identity"), help: "Private key file where the inventory gives no ansible_ssh_private_key_file.")
    var identity: String?

    @Flag(name: [.short, .customLong("become")],
          help: "Run every command on the hosts through sudo -n (as root, or ansible_become_user), where neither the inventory (ansible_become) nor the play (become:) says otherwise. sudo must not ask for a password.")
    var become = false

    @Option(name: .customShort("F"),
            help: ArgumentHelp("OpenSSH client configuration file (default: ~/.ssh/config, then /etc/ssh/ssh_config; 'none': no file). What the inventory and the command line set wins over it.",
                               valueName: "ssh_config"))
    var sshConfigFile: String?

    @Option(name: .customLong("known-hosts"), help: "known_hosts file, in place of the user's (default: ssh_config's UserKnownHostsFile, else ~/.ssh/known_hosts and known_hosts2). The machine's (GlobalKnownHostsFile, else /etc/ssh/ssh_known_hosts and ssh_known_hosts2) are read too.")
    var knownHosts: String?

    @Option(name: .customLong("host-key-policy"), help: "strict, accept-new, or off (default: ssh_config's StrictHostKeyChecking, else strict).")
    var hostKeyPolicy: String?

    @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for TCP connect (default: ssh_config's ConnectTimeout, else 10).")
    var connectTimeout: Double?

    @Option(name: .customLong("timeout"), help: "Seconds a command may run on a host (default: no limit).")
    var commandTimeout: Double?

    @Option(name: .customLong("connect-attempts"),
            help: "Connection attempts per host: refused, reset and timed-out connections are tried again, with exponential backoff and full jitter (0.5 s doubling, at most 8 s); host key and authentication failures never are (default: 3, or the playbook policy's retries).")
    var connectAttempts: Int?

    func validate() throws {
        if let forks, forks < 1 { throw ValidationError("--forks must be at least 1") }
        if let hostKeyPolicy, HostKeyPolicy(rawValue: hostKeyPolicy) == nil {
            throw ValidationError("--host-key-policy must be one of strict, accept-new, off (got '\(hostKeyPolicy)')")
        }
        if let connectTimeout, connectTimeout <= 0 { throw ValidationError("--connect-timeout must be positive") }
        if let commandTimeout, commandTimeout <= 0 { throw ValidationError("--timeout must be positive") }
        if let connectAttempts, connectAttempts < 1 { throw ValidationError("--connect-attempts must be at least 1") }
    }

    /// The inventory and its selected hosts, or bad input.
    func selectedHosts() throws -> (inventory: Inventory, hosts: [InventoryHost]) {
        let inventory: Inventory
        do {
            inventory = try Inventory.load(path: self.inventory)
        } catch {
            throw BadInput(message: "\(error)")
        }
        do {
            return (inventory, try limit.map { try inventory.select($0) } ?? inventory.hosts)
        } catch {
            throw BadInput(message: "\(error)")
        }
    }

    var connectionOptions: ConnectionOptions {
        var options = ConnectionOptions(knownHostsFile: knownHosts)
        options.hostKeyPolicy = hostKeyPolicy.flatMap(HostKeyPolicy.init(rawValue:)) ?? .strict
        options.connectTimeout = .milliseconds(Int((connectTimeout ?? 10) * 1000))
        options.commandTimeout = commandTimeout.map { .milliseconds(Int($0 * 1000)) }
        return options
    }

    /// How connections are retried: `--connect-attempts`, else `policy` (a playbook's
    /// `retries:`), else 3 attempts.
    func connectRetry(policy: Policy.Retries? = nil) -> Backoff {
        if let connectAttempts { return Backoff(attempts: connectAttempts) }
        if let policy { return Backoff(policy) }
        return Backoff()
    }

    /// What the command line and ssh_config say where the inventory is silent, for `hosts`.
    /// A mistake in ssh_config is bad input (`FILE:LINE:COL: error: ...`), and so is a
    /// ProxyCommand for one of `hosts`; its warnings go to stderr.
    func defaults(for hosts: [InventoryHost]) throws -> ConnectionDefaults {
        var given: Set<ConnectionDefaults.RunSetting> = []
        if knownHosts != nil { given.insert(.knownHostsFile) }
        if hostKeyPolicy != nil { given.insert(.hostKeyPolicy) }
        if connectTimeout != nil { given.insert(.connectTimeout) }
        let config: SSHClientConfig
        do {
            config = try SSHClientConfig.forCommandLine(file: sshConfigFile, localUser: ConnectionDefaults.localUser)
        } catch {
            throw BadInput(message: "\(error)")
        }
        for warning in config.warnings { FileHandle.standardError.write(Data("postfleet: \(warning)\n".utf8)) }
        let defaults = ConnectionDefaults(user: user, identityFile: identity, become: become, sshConfig: config, commandLine: given)
        var proxied: [(host: String, command: String, origin: String)] = []
        for host in hosts {
            do {
                if let (command, origin) = try defaults.unsupportedProxyCommand(for: host) { proxied.append((host.name, command, origin)) }
            } catch {
                throw BadInput(message: "\(error)")
            }
        }
        if let first = proxied.first {
            let same = proxied.filter { $0.command == first.command && $0.origin == first.origin }.map(\.host)
            throw BadInput(message: "\(first.origin) give\(first.origin == "ssh_config" ? "s" : "") \(HostSet.fold(same)) the ProxyCommand '\(first.command)', which postfleet cannot run (it speaks SSH itself, through libssh2): say the jump hosts with ProxyJump (-J in ansible_ssh_common_args, or jump_host in the inventory), or 'ProxyCommand none' for these hosts")
        }
        return defaults
    }

    func forkCount(hosts: Int) -> Int { forks ?? max(1, min(hosts, 100)) }

    /// Warns once when some host's (or jump host's) key will not be checked: `--host-key-policy
    /// off`, or `StrictHostKeyChecking no` in ssh_config.
    func warnIfUnchecked(_ endpoints: [Endpoint]) {
        let options = connectionOptions
        let unchecked = endpoints.flatMap { $0.jumpHosts + [$0] }.filter { options.applying($0).hostKeyPolicy == .off }.map(\.name)
        guard !unchecked.isEmpty else { return }
        let which = options.hostKeyPolicy == .off ? "(--host-key-policy off)" : "for \(Set(unchecked).sorted().joined(separator: ", ")) (StrictHostKeyChecking no in ssh_config)"
        FileHandle.standardError.write(Data("postfleet: warning: host keys are NOT checked \(which); anyone on the path can impersonate these hosts\n".utf8))
    }
}
