import ArgumentParser
import Playbook
import SSHConfig

/// The options every command that contacts hosts shares (with ansible.cfg's where they are
/// not given: see ConnectionFlags+Fleet).
struct ConnectionFlags: ParsableArguments {
    @OptionGroup var sources: InventoryFlags

    @Option(name: [.short, .customLong("limit")], help: "Host pattern: names, groups, globs, a:b, a:&b, a:!b.")
    var limit: String?

    @Option(name: [.short, .customLong("forks")], help: "Sessions open at once, 1 to 1000 (default: every host, up to 100).",
            transform: { try Limits.count($0, in: Limits.forks) })
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

    @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for TCP connect, 0.001 to 86400 (default: ssh_config's ConnectTimeout, else 10).",
            transform: { try Limits.flagSeconds($0) })
    var connectTimeout: Double?

    @Option(name: .customLong("timeout"), help: "Seconds a command may run on a host, 0.001 to 86400 (default: no limit; for run and restore, 300 for the apply script).",
            transform: { try Limits.flagSeconds($0) })
    var commandTimeout: Double?

    @Option(name: .customLong("connect-attempts"),
            help: "Connection attempts per host, 1 to 100: refused, reset and timed-out connections are tried again, with exponential backoff and full jitter (0.5 s doubling, at most 8 s); host key and authentication failures never are (default: 3, or the playbook policy's retries).",
            transform: { try Limits.count($0, in: Limits.attempts) })
    var connectAttempts: Int?

    func validate() throws {
        try validateText()
        if let hostKeyPolicy, HostKeyPolicy(rawValue: hostKeyPolicy) == nil {
            throw ValidationError("--host-key-policy must be one of strict, accept-new, off (got '\(hostKeyPolicy)')")
        }
    }
}
