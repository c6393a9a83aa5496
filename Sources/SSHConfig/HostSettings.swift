/// What the configuration says about one host. nil (or empty) means the configuration does not
/// say: the caller's own default applies.
public struct SSHHostSettings: Sendable, Equatable {
    /// The name or address to connect to; `%h` expanded to the host as given, `%%` to `%`.
    public var hostName: String?
    public var user: String?
    public var port: Int?
    /// Every IdentityFile that applies, in order, each once, with `~` and the tokens `%d %u %h %p
    /// %r %n %k %i %l %L %%` expanded. `IdentityFile none` adds nothing (see ``identityFileNone``).
    public var identityFiles: [String]
    /// An `IdentityFile none` applies: as with `ssh`, offer no default key files, even when
    /// ``identityFiles`` is empty.
    public var identityFileNone: Bool
    public var identitiesOnly: Bool?
    /// UserKnownHostsFile, expanded as ``identityFiles``; `none` gives `[]`.
    public var userKnownHostsFiles: [String]?
    /// GlobalKnownHostsFile, likewise.
    public var globalKnownHostsFiles: [String]?
    /// `yes` and `ask` give `.strict` (nobody is asked), `accept-new` `.acceptNew`, `no` and `off` `.off`.
    public var strictHostKeyChecking: HostKeyPolicy?
    /// nil also for `ConnectTimeout 0`, which tells `ssh` to use no timeout of its own.
    public var connectTimeout: Duration?
    /// The jump hosts, first hop first; nil: unset; `[]`: `ProxyJump none`.
    public var proxyJump: [JumpHost]?
    /// A ProxyCommand that applies (not `none`), which postfleet cannot run: it speaks SSH
    /// itself. As in `ssh`, the first of ProxyJump and ProxyCommand obtained wins.
    public var proxyCommand: String?

    /// `true` when no IdentityFile at all applies: `ssh` then offers its default key files.
    public var usesDefaultIdentityFiles: Bool { identityFiles.isEmpty && !identityFileNone }

    public init(hostName: String? = nil, user: String? = nil, port: Int? = nil, identityFiles: [String] = [],
                identityFileNone: Bool = false, identitiesOnly: Bool? = nil, userKnownHostsFiles: [String]? = nil,
                globalKnownHostsFiles: [String]? = nil,
                strictHostKeyChecking: HostKeyPolicy? = nil, connectTimeout: Duration? = nil, proxyJump: [JumpHost]? = nil,
                proxyCommand: String? = nil) {
        self.hostName = hostName
        self.user = user
        self.port = port
        self.identityFiles = identityFiles
        self.identityFileNone = identityFileNone
        self.identitiesOnly = identitiesOnly
        self.userKnownHostsFiles = userKnownHostsFiles
        self.globalKnownHostsFiles = globalKnownHostsFiles
        self.strictHostKeyChecking = strictHostKeyChecking
        self.connectTimeout = connectTimeout
        self.proxyJump = proxyJump
        self.proxyCommand = proxyCommand
    }
}
