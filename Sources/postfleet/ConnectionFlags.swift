import ArgumentParser
import Engine
import Foundation
import Inventory
import Playbook
import SSH

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

    @Option(name: .customLong("known-hosts"), help: "known_hosts file (default: ~/.ssh/known_hosts).")
    var knownHosts: String?

    @Option(name: .customLong("host-key-policy"), help: "strict (default), accept-new, or off.")
    var hostKeyPolicy: String = "strict"

    @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for TCP connect.")
    var connectTimeout: Double = 10

    @Option(name: .customLong("timeout"), help: "Seconds a command may run on a host (default: no limit).")
    var commandTimeout: Double?

    @Option(name: .customLong("connect-attempts"),
            help: "Connection attempts per host: refused, reset and timed-out connections are tried again, with exponential backoff and full jitter (0.5 s doubling, at most 8 s); host key and authentication failures never are (default: 3, or the playbook policy's retries).")
    var connectAttempts: Int?

    func validate() throws {
        if let forks, forks < 1 { throw ValidationError("--forks must be at least 1") }
        if HostKeyPolicy(rawValue: hostKeyPolicy) == nil {
            throw ValidationError("--host-key-policy must be one of strict, accept-new, off (got '\(hostKeyPolicy)')")
        }
        if connectTimeout <= 0 { throw ValidationError("--connect-timeout must be positive") }
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
        options.hostKeyPolicy = HostKeyPolicy(rawValue: hostKeyPolicy) ?? .strict
        options.connectTimeout = .milliseconds(Int(connectTimeout * 1000))
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

    var defaults: ConnectionDefaults { ConnectionDefaults(user: user, identityFile: identity) }

    func forkCount(hosts: Int) -> Int { forks ?? max(1, min(hosts, 100)) }

    func warnIfUnchecked() {
        if connectionOptions.hostKeyPolicy == .off {
            FileHandle.standardError.write(Data("postfleet: warning: host keys are NOT checked (--host-key-policy off); anyone on the path can impersonate these hosts\n".utf8))
        }
    }
}
