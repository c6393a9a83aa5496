import Glibc

// An OpenSSH client configuration reader: ssh_config(5) as OpenSSH 9's `ssh` reads it, for the
// keywords postfleet uses (Host, Match, Include, HostName, User, Port, IdentityFile,
// IdentitiesOnly, UserKnownHostsFile, GlobalKnownHostsFile, StrictHostKeyChecking, ConnectTimeout,
// ProxyJump).
// Every other keyword is accepted and ignored. Pure logic: nothing here touches the network.
//
// Reading happens in two steps, as in `ssh`:
// 1. `parse`/`load` read the text and every Include once, check every argument (also in blocks
//    that will never match: `ssh` rejects a bad `Port` wherever it is) and keep the lines.
// 2. `settings(for:)` walks those lines for one host the way `ssh` does: a Host or Match line
//    decides whether the lines after it apply, the first value obtained for a keyword wins,
//    IdentityFile accumulates, and file names are expanded once everything is known.
//
// The parts: `Parser.swift` reads lines and Include (`Line.swift` cuts a line into words,
// `Keywords.swift` and `Match.swift` check what each keyword takes, `Values.swift` and
// `ProxyJump.swift` convert values), `Directive.swift` is what reading keeps,
// `Evaluation.swift` walks it for one host with `Patterns.swift`, `CommandLineOptions.swift`
// adds what `ssh`'s command line says, and `Error.swift` says where a mistake is.

/// An OpenSSH client configuration (`~/.ssh/config` and what it includes), read once and asked
/// for the settings of each host.
///
/// Matching follows OpenSSH 9:
/// - `Host` patterns (`*`, `?`, `!negation`) are matched against the host as given,
///   case-sensitively as `ssh` does (`Host web1` does not apply to `WEB1`).
/// - `Match host` is matched, case-insensitively, against the HostName obtained by the lines
///   read so far (with `%h` expanded), or the host as given when none was; `Match originalhost`
///   against the host as given (case-insensitively); `Match user` against the User obtained so
///   far, or the local user; `Match localuser` against the local user. `Match all` and `!` before
///   a criterion are supported. Blocks using `exec`, `canonical`, `final`, `localnetwork`,
///   `tagged` or an unknown criterion never apply, with a warning.
public struct SSHClientConfig: Sendable {
    let directives: [ConfigDirective]
    let home: String
    let localUser: String

    /// Warnings met while reading (`FILE:LINE:COL: warning: ...`), e.g. an unsupported Match criterion.
    public var warnings: [String]

    init(directives: [ConfigDirective], warnings: [String], home: String, localUser: String) {
        self.directives = directives
        self.warnings = warnings
        self.home = home
        self.localUser = localUser
    }

    /// No configuration at all (`ssh -F none`): every setting unset.
    public static let empty = SSHClientConfig(directives: [], warnings: [], home: "", localUser: "")

    /// Reads the file at `path` and what it includes.
    ///
    /// Relative Include paths are resolved against `home/.ssh`, as `ssh` does for user
    /// configuration files (also for one given with `-F`).
    /// - Parameters:
    ///   - home: the local user's home directory, for `~` and `%d`.
    ///   - localUser: the local user's name, for `%u`, `Match localuser` and `%r` when no User is set.
    /// - Throws: ``ClientConfigError`` when the file cannot be read (`PATH: error: cannot read: ...`)
    ///   or a line is wrong (`PATH:LINE:COL: error: ...`).
    public static func load(path: String, home: String, localUser: String) throws(ClientConfigError) -> SSHClientConfig {
        switch ConfigFileReader.read(path) {
        case .text(let text):
            return try parse(text, path: path, home: home, localUser: localUser,
                             includeBase: ConfigPaths.joined(home, ".ssh"))
        case .missing:
            throw ClientConfigError(path: path, message: "cannot read: \(ConfigFileReader.describe(ENOENT))")
        case .directory:
            throw ClientConfigError(path: path, message: "cannot read: \(ConfigFileReader.describe(EISDIR))")
        case .failed(let reason):
            throw ClientConfigError(path: path, message: "cannot read: \(reason)")
        }
    }

    /// Reads configuration text as if it were the file at `path` (`path` only names it in
    /// messages). Include still reads files; relative Include paths are resolved against
    /// `includeBase` (`~/.ssh` for a user configuration).
    /// - Throws: ``ClientConfigError`` pointing at the offending word (`PATH:LINE:COL: error: ...`).
    public static func parse(_ text: String, path: String, home: String, localUser: String,
                             includeBase: String) throws(ClientConfigError) -> SSHClientConfig {
        var parser = ConfigParser(home: home, includeBase: includeBase)
        let directives = try parser.parseFile(text, path: path, depth: 0)
        return SSHClientConfig(directives: directives, warnings: parser.warnings, home: home, localUser: localUser)
    }

    /// The settings that apply when `ssh` is given `host` on its command line (no `user@`, no port).
    ///
    /// `hostName` is what HostName says (with `%h` expanded), nil when no HostName applies: the
    /// caller then connects to `host` itself. File names are expanded with the final values:
    /// `%h` is the HostName (or `host`), `%p` the port (22 if unset), `%r` the user (the local
    /// user if unset).
    public func settings(for host: String) -> SSHHostSettings {
        var evaluation = ConfigEvaluation(host: host, localUser: localUser)
        var active = true
        evaluation.run(directives, active: &active, neverMatch: false)
        return evaluation.finish(home: home)
    }
}
