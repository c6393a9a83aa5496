/// One line that matters, checked and converted.
enum ConfigDirective: Sendable {
    case host([SSHConfigHostPattern])
    /// nil: a Match with an unsupported criterion, which never applies.
    case match([SSHConfigMatchCriterion]?)
    /// The included files, in glob order, each as its lines.
    case include([[ConfigDirective]])
    case hostName(String)
    case user(String)
    case port(Int)
    /// As written; `none` included.
    case identityFile(String)
    case identitiesOnly(Bool)
    /// As written; `[]` for `none`.
    case userKnownHostsFiles([String])
    /// As written; `[]` for `none`.
    case globalKnownHostsFiles([String])
    case strictHostKeyChecking(HostKeyPolicy)
    /// nil for `0`.
    case connectTimeout(Duration?)
    case proxyJump([JumpHost])
    /// The command as written; `none` included.
    case proxyCommand(String)
}

/// One pattern of a Host line; `!pattern` is negated.
struct SSHConfigHostPattern: Sendable {
    var negated: Bool
    var pattern: String
}

/// One criterion of a Match line postfleet evaluates, with its pattern list; `!` before it negates it.
enum SSHConfigMatchCriterion: Sendable {
    case all(negated: Bool)
    case host(String, negated: Bool)
    case originalHost(String, negated: Bool)
    case user(String, negated: Bool)
    case localUser(String, negated: Bool)
}
