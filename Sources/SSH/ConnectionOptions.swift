import SSHConfig

/// Where to connect and as whom.
public struct Endpoint: Sendable, Hashable {
    /// The name the user knows the host by (inventory name); used in every message.
    public var name: String
    /// Address or DNS name to connect to.
    public var address: String
    public var port: Int
    public var user: String
    /// Private key files to offer, in order, after the agent's keys.
    public var identityFiles: [String]
    /// Jump hosts (ProxyJump), outermost first: the first is reached directly, each next one
    /// through a direct-tcpip channel of the one before, and this host through the last.
    /// Each one's host key is checked like any host's.
    public var jumpHosts: [Endpoint]
    /// Run every command through `sudo -n` as this user (Ansible's `become`); nil: as `user`.
    public var become: Become?
    /// Where this host's settings differ from the run's (from ssh_config): nil keeps the run's.
    /// `UserKnownHostsFile`: checked first, the first file records new keys (`[]`: none).
    public var knownHostsFiles: [String]?
    /// `GlobalKnownHostsFile`.
    public var globalKnownHostsFiles: [String]?
    public var hostKeyPolicy: HostKeyPolicy?
    public var connectTimeout: Duration?
    /// OpenSSH's `IdentitiesOnly yes`: offer only the key files, not the agent's keys.
    public var identitiesOnly: Bool
    /// Ansible's `ansible_password`: sent with the `password` method when no key was accepted.
    public var password: Password?

    public init(name: String, address: String? = nil, port: Int = 22, user: String = "root", identityFiles: [String] = [],
                jumpHosts: [Endpoint] = [], become: Become? = nil) {
        self.name = name
        self.address = address ?? name
        self.port = port
        self.user = user
        self.identityFiles = identityFiles
        self.jumpHosts = jumpHosts
        self.become = become
        self.knownHostsFiles = nil
        self.globalKnownHostsFiles = nil
        self.hostKeyPolicy = nil
        self.connectTimeout = nil
        self.identitiesOnly = false
        self.password = nil
    }
}

/// Privilege escalation on the host: every command runs as `sudo -u USER`: `sudo -n`, which
/// never asks for a password, unless `password` (Ansible's `ansible_become_password`) is
/// given, which is then sent to `sudo -S` on stdin.
public struct Become: Sendable, Hashable {
    public var user: String
    public var password: Password?

    public init(user: String = "root", password: Password? = nil) {
        self.user = user
        self.password = password
    }
}

/// Everything about a connection that is the same for every host of a run.
public struct ConnectionOptions: Sendable {
    public var connectTimeout: Duration = .seconds(10)
    public var handshakeTimeout: Duration = .seconds(20)
    public var authTimeout: Duration = .seconds(20)
    /// Per command; nil waits for as long as the command runs.
    public var commandTimeout: Duration? = nil
    /// Interval of SSH keepalives while a command runs.
    public var keepaliveInterval: Duration = .seconds(15)
    /// The user's known_hosts files, as OpenSSH's UserKnownHostsFile: host keys are checked
    /// against them and ``globalKnownHostsFiles``, and under `accept-new` a new key is recorded
    /// in the first. `[]`: none (a new key cannot be recorded).
    public var knownHostsFiles: [String]
    /// The machine's known_hosts files, as OpenSSH's GlobalKnownHostsFile: checked, never written.
    public var globalKnownHostsFiles: [String] = ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"]
    public var hostKeyPolicy: HostKeyPolicy = .strict
    /// Offer the keys of the agent at `agentSocket` before any key file.
    public var useAgent: Bool = true
    /// The ssh-agent's socket; by default `SSH_AUTH_SOCK`.
    public var agentSocket: String? = Environment.getenvString("SSH_AUTH_SOCK")
    /// Key files to try when the endpoint names none (OpenSSH's defaults).
    public var defaultIdentityFiles: [String]

    /// These options with `endpoint`'s own settings (from ssh_config) put in.
    public func applying(_ endpoint: Endpoint) -> ConnectionOptions {
        var options = self
        if let files = endpoint.knownHostsFiles { options.knownHostsFiles = files }
        if let files = endpoint.globalKnownHostsFiles { options.globalKnownHostsFiles = files }
        if let policy = endpoint.hostKeyPolicy { options.hostKeyPolicy = policy }
        if let timeout = endpoint.connectTimeout { options.connectTimeout = timeout }
        if endpoint.identitiesOnly { options.useAgent = false }
        return options
    }

    /// `knownHostsFile` (`--known-hosts`) replaces the user's files, ~/.ssh/known_hosts and
    /// ~/.ssh/known_hosts2; the machine's are read either way, as with `ssh -o UserKnownHostsFile=`.
    public init(knownHostsFile: String? = nil, home: String? = nil) {
        let home = home ?? Environment.home
        self.knownHostsFiles = knownHostsFile.map { [$0] } ?? ["\(home)/.ssh/known_hosts", "\(home)/.ssh/known_hosts2"]
        self.defaultIdentityFiles = ["id_ed25519", "id_ecdsa", "id_rsa"].map { "\(home)/.ssh/\($0)" }
    }
}
