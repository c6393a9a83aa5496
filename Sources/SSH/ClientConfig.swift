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
    private let directives: [ConfigDirective]
    let home: String
    let localUser: String

    /// Warnings met while reading (`FILE:LINE:COL: warning: ...`), e.g. an unsupported Match criterion.
    public var warnings: [String]

    fileprivate init(directives: [ConfigDirective], warnings: [String], home: String, localUser: String) {
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

    /// Options as `ssh -o` takes them (`Port=2222`, `ProxyJump bastion`), one per line of
    /// configuration, applying to every host. `origin` names them in errors:
    /// `ORIGIN: error: -o 'Port=22x': bad port ...`. Host, Match and Include are refused, as
    /// `ssh` refuses them there.
    public static func commandLineOptions(_ options: [String], origin: String, home: String,
                                          localUser: String) throws(ClientConfigError) -> SSHClientConfig {
        var parser = ConfigParser(home: home, includeBase: ConfigPaths.joined(home, ".ssh"))
        var directives: [ConfigDirective] = []
        for option in options {
            do throws(ClientConfigError) {
                for directive in try parser.parseFile(option, path: origin, depth: 0) {
                    switch directive {
                    case .host, .match, .include:
                        throw ClientConfigError(path: origin, message: "not allowed as an ssh option")
                    default:
                        directives.append(directive)
                    }
                }
            } catch {
                throw ClientConfigError(path: origin, message: "-o '\(option)': \(error.message)")
            }
        }
        return SSHClientConfig(directives: directives, warnings: parser.warnings, home: home, localUser: localUser)
    }

    /// This configuration read after `options` (``commandLineOptions(_:origin:home:localUser:)``),
    /// as `ssh` reads its command line before its files: the first value of a keyword wins.
    /// `~` and `%d` stay this configuration's home (the options', for ``empty``).
    public func overridden(by options: SSHClientConfig) -> SSHClientConfig {
        SSHClientConfig(directives: options.directives + directives, warnings: warnings + options.warnings,
                        home: home.isEmpty ? options.home : home, localUser: localUser.isEmpty ? options.localUser : localUser)
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

/// One hop of a ProxyJump: `[user@]host[:port]` or `ssh://[user@]host[:port]`.
public struct JumpHost: Sendable, Hashable, CustomStringConvertible {
    /// nil: the jump host's own configuration (or the local user) decides.
    public var user: String?
    /// Name or address; an IPv6 address without its brackets.
    public var host: String
    /// nil: the jump host's own configuration (or 22) decides.
    public var port: Int?

    public init(user: String? = nil, host: String, port: Int? = nil) {
        self.user = user
        self.host = host
        self.port = port
    }

    /// `[user@]host[:port]`, an IPv6 address in brackets when a port follows.
    public var description: String {
        var text = user.map { "\($0)@" } ?? ""
        text += host.contains(":") && port != nil ? "[\(host)]" : host
        if let port { text += ":\(port)" }
        return text
    }
}

/// A configuration `ssh` would refuse, with where.
public struct ClientConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file the error is in (an included file for an error in it).
    public var path: String
    /// 1-based line and column of the offending word; nil for an error about the whole file.
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(path: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    /// `PATH:LINE:COL: error: MESSAGE`, or `PATH: error: MESSAGE` when the whole file is at fault.
    public var description: String {
        if let line {
            return "\(path):\(line):\(column ?? 1): error: \(message)"
        }
        return "\(path): error: \(message)"
    }
}

// MARK: - What reading keeps

/// One line that matters, checked and converted.
fileprivate enum ConfigDirective: Sendable {
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

fileprivate struct SSHConfigHostPattern: Sendable {
    var negated: Bool
    var pattern: String
}

fileprivate enum SSHConfigMatchCriterion: Sendable {
    case all(negated: Bool)
    case host(String, negated: Bool)
    case originalHost(String, negated: Bool)
    case user(String, negated: Bool)
    case localUser(String, negated: Bool)
}

// MARK: - Reading

/// A word of a line: its value with quotes and escapes removed, and where it is.
private struct ConfigWord {
    var value: String
    /// 1-based column of the word's first character.
    var column: Int
    /// The word as written, to point inside it when it has no quotes or escapes.
    var raw: String

    /// The column of the `offset`th character of `value` (the word's column when quotes moved it).
    func column(at offset: Int) -> Int {
        raw == value ? column + offset : column
    }
}

private struct ConfigParser {
    let home: String
    let includeBase: String
    var warnings: [String] = []

    /// Include nesting `ssh` allows (READCONF_MAX_DEPTH).
    static let maxDepth = 16

    static let keywords: [String: String] = [
        "host": "Host", "match": "Match", "include": "Include", "hostname": "HostName", "user": "User",
        "port": "Port", "identityfile": "IdentityFile", "identitiesonly": "IdentitiesOnly",
        "userknownhostsfile": "UserKnownHostsFile", "globalknownhostsfile": "GlobalKnownHostsFile",
        "stricthostkeychecking": "StrictHostKeyChecking",
        "connecttimeout": "ConnectTimeout", "proxyjump": "ProxyJump", "proxycommand": "ProxyCommand",
    ]

    init(home: String, includeBase: String) {
        self.home = home
        self.includeBase = includeBase
    }

    mutating func parseFile(_ text: String, path: String, depth: Int) throws(ClientConfigError) -> [ConfigDirective] {
        var directives: [ConfigDirective] = []
        var lineNumber = 0
        var line: [Unicode.Scalar] = []
        var scalars = text.unicodeScalars.makeIterator()
        var done = false
        while !done {
            line.removeAll(keepingCapacity: true)
            while true {
                guard let c = scalars.next() else { done = true; break }
                if c == "\n" { break }
                line.append(c)
            }
            if done && line.isEmpty { break }
            lineNumber += 1
            if let directive = try parseLine(line, path: path, lineNumber: lineNumber, depth: depth) {
                directives.append(directive)
            }
        }
        return directives
    }

    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\r" || c == "\n" || c == "\u{0C}"
    }

    private mutating func parseLine(_ s: [Unicode.Scalar], path: String, lineNumber: Int,
                                    depth: Int) throws(ClientConfigError) -> ConfigDirective? {
        var end = s.count
        while end > 0 && Self.isSpace(s[end - 1]) { end -= 1 }
        var i = 0
        while i < end && Self.isSpace(s[i]) { i += 1 }
        if i == end || s[i] == "#" { return nil }
        let keywordStart = i
        while i < end && !Self.isSpace(s[i]) && s[i] != "=" { i += 1 }
        let written = String(String.UnicodeScalarView(s[keywordStart..<i]))
        // Unknown keywords are ignored whatever follows them.
        guard let name = Self.keywords[written.lowercased()] else { return nil }
        while i < end && Self.isSpace(s[i]) { i += 1 }
        if i < end && s[i] == "=" {
            i += 1
            while i < end && Self.isSpace(s[i]) { i += 1 }
        }
        let keyword = ConfigWord(value: written, column: keywordStart + 1, raw: written)
        var context = LineContext(path: path, line: lineNumber, keyword: keyword, name: name)
        context.words = try context.split(s, from: i, to: end)
        return try directive(context, depth: depth)
    }

    private mutating func directive(_ c: LineContext, depth: Int) throws(ClientConfigError) -> ConfigDirective? {
        switch c.name {
        case "Host":
            let words = try c.atLeastOne()
            return .host(words.map { w in
                w.value.hasPrefix("!") ? SSHConfigHostPattern(negated: true, pattern: String(w.value.dropFirst()))
                                        : SSHConfigHostPattern(negated: false, pattern: w.value)
            })
        case "Match":
            return .match(try matchCriteria(c))
        case "Include":
            return .include(try include(c, depth: depth))
        case "HostName":
            let w = try c.single()
            try c.checkTokens(w, allowed: "h", unsupported: "",
                              unknown: { "unknown token %\($0) in HostName (only %h and %% are allowed)" })
            return .hostName(w.value)
        case "User":
            return .user(try c.single().value)
        case "Port":
            let w = try c.single()
            guard let port = ConfigValues.port(w.value) else {
                throw c.error(w, "bad port '\(w.value)' (expected a number from 1 to 65535)")
            }
            return .port(port)
        case "IdentityFile":
            let w = try c.single()
            if w.value.lowercased() != "none" { try checkFileTokens(c, w) }
            return .identityFile(w.value)
        case "IdentitiesOnly":
            let w = try c.single()
            switch w.value.lowercased() {
            case "yes", "true": return .identitiesOnly(true)
            case "no", "false": return .identitiesOnly(false)
            default: throw c.error(w, "bad IdentitiesOnly '\(w.value)' (expected yes or no)")
            }
        case "UserKnownHostsFile":
            return .userKnownHostsFiles(try knownHostsFiles(c))
        case "GlobalKnownHostsFile":
            return .globalKnownHostsFiles(try knownHostsFiles(c))
        case "StrictHostKeyChecking":
            let w = try c.single()
            switch w.value.lowercased() {
            case "yes", "true", "ask": return .strictHostKeyChecking(.strict)
            case "accept-new": return .strictHostKeyChecking(.acceptNew)
            case "no", "false", "off": return .strictHostKeyChecking(.off)
            default:
                throw c.error(w, "bad StrictHostKeyChecking '\(w.value)' (expected yes, ask, accept-new, no or off)")
            }
        case "ConnectTimeout":
            let w = try c.single()
            guard let seconds = ConfigValues.seconds(w.value) else {
                throw c.error(w, "bad ConnectTimeout '\(w.value)' (expected a number of seconds, or a time such as 1m30s)")
            }
            return .connectTimeout(seconds == 0 ? nil : .seconds(seconds))
        case "ProxyJump":
            return .proxyJump(try ConfigValues.jumps(c.single(), c))
        case "ProxyCommand":
            // The rest of the line is the command, as in `ssh`.
            return .proxyCommand(try c.atLeastOne().map(\.value).joined(separator: " "))
        default:
            return nil
        }
    }

    /// The files of a UserKnownHostsFile or GlobalKnownHostsFile line; `[]` for `none`.
    private mutating func knownHostsFiles(_ c: LineContext) throws(ClientConfigError) -> [String] {
        let words = try c.atLeastOne()
        if let none = words.firstIndex(where: { $0.value.lowercased() == "none" }) {
            guard words.count == 1 else {
                throw c.error(words[none == 0 ? 1 : none], "'none' must be the only argument of \(c.name)")
            }
            return []
        }
        for w in words { try checkFileTokens(c, w) }
        return words.map(\.value)
    }

    /// `ssh` lets the tokens of TOKENS through in file names; %C and %j are valid but not
    /// computed here: kept as written, with a warning.
    private mutating func checkFileTokens(_ c: LineContext, _ w: ConfigWord) throws(ClientConfigError) {
        let unsupported = try c.checkTokens(w, allowed: "dhiklLnpru", unsupported: "Cj",
                                            unknown: { "unknown token %\($0) in \(c.name)" })
        for (token, column) in unsupported {
            warnings.append("\(c.path):\(c.line):\(column): warning: token %\(token) in \(c.name) is not supported and is kept as written")
        }
    }

    private mutating func matchCriteria(_ c: LineContext) throws(ClientConfigError) -> [SSHConfigMatchCriterion]? {
        let words = try c.atLeastOne()
        var criteria: [SSHConfigMatchCriterion] = []
        var supported = true
        var sawCriterionWithArgument = false
        var k = 0
        while k < words.count {
            let w = words[k]
            k += 1
            let negated = w.value.hasPrefix("!")
            let name = (negated ? String(w.value.dropFirst()) : w.value).lowercased()
            func skip(_ what: String) {
                warnings.append("\(c.path):\(c.line):\(w.column): warning: Match \(what) is not supported; this block is skipped")
                supported = false
            }
            switch name {
            case "all":
                // As `ssh`: alone, or right after canonical/final.
                if sawCriterionWithArgument || k < words.count {
                    throw c.error(w, "Match all cannot be combined with other criteria")
                }
                criteria.append(.all(negated: negated))
            case "canonical", "final":
                skip(name)
            case "host", "originalhost", "user", "localuser", "exec", "localnetwork", "tagged":
                guard k < words.count, !words[k].value.isEmpty else {
                    throw c.error(w, "missing argument for Match \(name)")
                }
                let argument = words[k].value
                k += 1
                sawCriterionWithArgument = true
                switch name {
                case "host": criteria.append(.host(argument, negated: negated))
                case "originalhost": criteria.append(.originalHost(argument, negated: negated))
                case "user": criteria.append(.user(argument, negated: negated))
                case "localuser": criteria.append(.localUser(argument, negated: negated))
                default: skip(name)
                }
            default:
                // A criterion of a newer ssh, or a typo: what follows cannot be read without
                // knowing it.
                skip(name.isEmpty ? "''" : name)
                return nil
            }
        }
        return supported ? criteria : nil
    }

    private mutating func include(_ c: LineContext, depth: Int) throws(ClientConfigError) -> [[ConfigDirective]] {
        var files: [[ConfigDirective]] = []
        for w in try c.atLeastOne() {
            var pattern = w.value
            if pattern.hasPrefix("~") {
                pattern = ConfigPaths.tildeExpanded(pattern, home: home)
            } else if !pattern.hasPrefix("/") {
                pattern = ConfigPaths.joined(includeBase, pattern)
            }
            // A pattern that matches nothing, a plain name included, is skipped as by `ssh`.
            for file in try ConfigPaths.glob(pattern, c, w) {
                if depth + 1 > Self.maxDepth {
                    throw c.error(w, "Include nesting is deeper than \(Self.maxDepth) levels")
                }
                switch ConfigFileReader.read(file, checkPermissions: true) {
                case .text(let text):
                    files.append(try parseFile(text, path: file, depth: depth + 1))
                case .missing, .directory:
                    continue
                case .failed(let reason):
                    throw c.error(w, "cannot read included file \(file): \(reason)")
                }
            }
        }
        return files
    }
}

/// The line being read: where it is, its keyword and its words.
private struct LineContext {
    let path: String
    let line: Int
    let keyword: ConfigWord
    /// The keyword's canonical spelling.
    let name: String
    var words: [ConfigWord] = []

    init(path: String, line: Int, keyword: ConfigWord, name: String) {
        self.path = path
        self.line = line
        self.keyword = keyword
        self.name = name
    }

    func error(_ word: ConfigWord, _ message: String) -> ClientConfigError {
        ClientConfigError(path: path, line: line, column: word.column, message: message)
    }

    func error(column: Int, _ message: String) -> ClientConfigError {
        ClientConfigError(path: path, line: line, column: column, message: message)
    }

    /// Exactly one non-empty argument.
    func single() throws(ClientConfigError) -> ConfigWord {
        let words = try atLeastOne()
        if words.count > 1 {
            throw error(words[1], "unexpected argument '\(words[1].value)' after \(name) \(words[0].value)")
        }
        return words[0]
    }

    /// One or more non-empty arguments.
    func atLeastOne() throws(ClientConfigError) -> [ConfigWord] {
        guard !words.isEmpty else { throw error(keyword, "missing argument for \(name)") }
        if let empty = words.first(where: { $0.value.isEmpty }) {
            throw error(empty, "empty argument for \(name)")
        }
        return words
    }

    /// The arguments as OpenSSH's argv_split() cuts them: separated by spaces and tabs, `"` and
    /// `'` quote, `\` escapes a quote, a backslash or (outside quotes) a space, a word starting
    /// with `#` ends the line.
    func split(_ s: [Unicode.Scalar], from start: Int, to end: Int) throws(ClientConfigError) -> [ConfigWord] {
        var words: [ConfigWord] = []
        var i = start
        while i < end {
            let c = s[i]
            if c == " " || c == "\t" { i += 1; continue }
            if c == "#" { break }
            let wordStart = i
            var value = String.UnicodeScalarView()
            var quote: Unicode.Scalar? = nil
            while i < end {
                let c = s[i]
                if c == "\\", i + 1 < end, s[i + 1] == "'" || s[i + 1] == "\"" || s[i + 1] == "\\"
                    || (quote == nil && s[i + 1] == " ") {
                    i += 1
                    value.append(s[i])
                } else if quote == nil && (c == " " || c == "\t") {
                    break
                } else if quote == nil && (c == "\"" || c == "'") {
                    quote = c
                } else if let q = quote, c == q {
                    quote = nil
                } else {
                    value.append(c)
                }
                i += 1
            }
            if quote != nil { throw error(column: wordStart + 1, "unterminated quote") }
            words.append(ConfigWord(value: String(value), column: wordStart + 1,
                                    raw: String(String.UnicodeScalarView(s[wordStart..<i]))))
        }
        return words
    }

    /// Checks the `%` tokens of `w`: `allowed` ones and `%%` pass, `unsupported` ones are returned
    /// (with their columns), others are an error.
    @discardableResult
    func checkTokens(_ w: ConfigWord, allowed: String, unsupported: String,
                     unknown: (Character) -> String) throws(ClientConfigError) -> [(Character, Int)] {
        var found: [(Character, Int)] = []
        let chars = Array(w.value.unicodeScalars)
        var k = 0
        while k < chars.count {
            defer { k += 1 }
            guard chars[k] == "%" else { continue }
            guard k + 1 < chars.count else {
                throw error(column: w.column(at: k), "'%' at the end of \(name) (write %% for a '%')")
            }
            k += 1
            let token = Character(chars[k])
            if token == "%" || allowed.contains(token) { continue }
            if unsupported.contains(token) {
                found.append((token, w.column(at: k - 1)))
                continue
            }
            throw error(column: w.column(at: k - 1), unknown(token))
        }
        return found
    }
}

/// Values of keywords, as OpenSSH converts them.
private enum ConfigValues {
    /// A port as OpenSSH's a2port(): 1...65535, or a TCP service name (`ssh`).
    static func port(_ text: String) -> Int? {
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            guard text.utf8.count <= 5, let n = Int(text), (1...65535).contains(n) else { return nil }
            return n
        }
        guard !text.isEmpty else { return nil }
        var entry = servent()
        var result: UnsafeMutablePointer<servent>? = nil
        var buffer = [CChar](repeating: 0, count: 4096)
        let rc = getservbyname_r(text, "tcp", &entry, &buffer, buffer.count, &result)
        guard rc == 0, let found = result else { return nil }
        let port = Int(UInt16(bigEndian: UInt16(truncatingIfNeeded: found.pointee.s_port)))
        return port > 0 ? port : nil
    }

    /// Seconds as OpenSSH's convtime(): `30`, `30s`, `1m30s`, `2h`, `1d`, `1w`.
    static func seconds(_ text: String) -> Int? {
        let chars = Array(text.unicodeScalars)
        guard !chars.isEmpty else { return nil }
        var total = 0
        var k = 0
        while k < chars.count {
            var n = 0
            let start = k
            while k < chars.count, chars[k].value >= 48, chars[k].value <= 57 {
                n = n * 10 + Int(chars[k].value - 48)
                if n > 1_000_000_000 { return nil }
                k += 1
            }
            guard k > start else { return nil }
            var multiplier = 1
            if k < chars.count {
                switch chars[k] {
                case "s", "S": multiplier = 1
                case "m", "M": multiplier = 60
                case "h", "H": multiplier = 3600
                case "d", "D": multiplier = 86400
                case "w", "W": multiplier = 604_800
                default: return nil
                }
                k += 1
            }
            total += n * multiplier
            if total > Int(Int32.max) { return nil }
        }
        return total
    }

    /// A ProxyJump argument: `none`, or `[user@]host[:port]` and `ssh://[user@]host[:port]`
    /// separated by commas.
    static func jumps(_ w: ConfigWord, _ c: LineContext) throws(ClientConfigError) -> [JumpHost] {
        var text = w.value
        // As OpenSSH: a '#' ends the argument.
        if let hash = text.firstIndex(of: "#") { text = String(text[..<hash]) }
        if text.lowercased() == "none" { return [] }
        var hops: [JumpHost] = []
        var offset = 0
        for element in text.split(separator: ",", omittingEmptySubsequences: false) {
            let column = w.column(at: offset)
            offset += element.unicodeScalars.count + 1
            hops.append(try jump(String(element), column: column, c))
        }
        return hops
    }

    private static func jump(_ element: String, column: Int, _ c: LineContext) throws(ClientConfigError) -> JumpHost {
        func bad(_ message: String) -> ClientConfigError { c.error(column: column, message) }
        guard !element.isEmpty else { throw bad("empty jump host in ProxyJump") }
        var rest = Substring(element)
        var user: String? = nil
        let uri = rest.hasPrefix("ssh://")
        if uri {
            rest = rest.dropFirst(6)
            if let at = rest.firstIndex(of: "@") {
                var info = rest[..<at]
                if let semicolon = info.firstIndex(of: ";") { info = info[..<semicolon] }  // connection parameters
                guard !info.isEmpty else { throw bad("empty user in ProxyJump '\(element)'") }
                guard let decoded = percentDecoded(info) else { throw bad("bad %-escape in the user of ProxyJump '\(element)'") }
                user = decoded
                rest = rest[rest.index(after: at)...]
            }
        } else if let at = rest.lastIndex(of: "@") {
            guard at != rest.startIndex else { throw bad("empty user in ProxyJump '\(element)'") }
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
        }
        // host[:port], [v6address][:port] (and OpenSSH's old host/port).
        var host: Substring
        var delimiter: Character? = nil
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw bad("missing ']' in ProxyJump '\(element)'") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
            if let first = rest.first {
                guard first == ":" || first == "/" else { throw bad("unexpected '\(first)' after ']' in ProxyJump '\(element)'") }
                delimiter = first
                rest = rest.dropFirst()
            }
        } else if let cut = rest.firstIndex(where: { $0 == ":" || $0 == "/" }) {
            host = rest[..<cut]
            delimiter = rest[cut]
            rest = rest[rest.index(after: cut)...]
        } else {
            host = rest
            rest = ""
        }
        guard !host.isEmpty else { throw bad("missing host name in ProxyJump '\(element)'") }
        var port: Int? = nil
        var portText = rest
        if uri {
            var path: Substring = ""
            if delimiter == "/" {
                path = rest
                portText = ""
            } else if let slash = rest.firstIndex(of: "/") {
                portText = rest[..<slash]
                path = rest[rest.index(after: slash)...]
            }
            if !path.isEmpty { throw bad("a path is not allowed in ProxyJump '\(element)'") }
        }
        if !portText.isEmpty {
            guard let p = ConfigValues.port(String(portText)) else {
                throw bad("bad port '\(portText)' in ProxyJump '\(element)' (expected a number from 1 to 65535)")
            }
            port = p
        }
        return JumpHost(user: user, host: String(host), port: port)
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let b = utf8.popFirst() {
            guard b == UInt8(ascii: "%") else { bytes.append(b); continue }
            guard utf8.count >= 2, let v = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) else { return nil }
            bytes.append(v)
            utf8 = utf8.dropFirst(2)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

// MARK: - Files

fileprivate enum ConfigPaths {
    static func joined(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// `~` and `~/...` with `home`, `~user/...` with that user's home directory; anything else,
    /// and an unknown user, unchanged.
    static func tildeExpanded(_ path: String, home: String) -> String {
        guard path.hasPrefix("~") else { return path }
        let afterTilde = path.dropFirst()
        let slash = afterTilde.firstIndex(of: "/")
        let name = afterTilde[..<(slash ?? afterTilde.endIndex)]
        let rest = slash.map { String(afterTilde[afterTilde.index(after: $0)...]) } ?? ""
        let directory: String
        if name.isEmpty {
            directory = home
        } else if let other = homeOf(String(name)) {
            directory = other
        } else {
            return path
        }
        if slash == nil { return directory }
        return directory == "/" ? "/" + rest : (directory.hasSuffix("/") ? String(directory.dropLast()) : directory) + "/" + rest
    }

    private static func homeOf(_ user: String) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>? = nil
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getpwnam_r(user, &entry, &buffer, buffer.count, &result) == 0, let found = result,
              let dir = found.pointee.pw_dir else { return nil }
        return String(cString: dir)
    }

    /// The files `pattern` names, in lexical order; none when it matches nothing.
    fileprivate static func glob(_ pattern: String, _ c: LineContext, _ w: ConfigWord) throws(ClientConfigError) -> [String] {
        var matches = glob_t()
        defer { globfree(&matches) }
        let rc = Glibc.glob(pattern, 0, nil, &matches)
        if rc == GLOB_NOMATCH { return [] }
        guard rc == 0 else { throw c.error(w, "cannot expand Include \(pattern)") }
        var files: [String] = []
        for k in 0..<Int(matches.gl_pathc) {
            if let p = matches.gl_pathv[k] { files.append(String(cString: p)) }
        }
        return files
    }
}

fileprivate enum ConfigFileReader {
    enum Result {
        case text(String)
        case missing
        case directory
        case failed(String)
    }

    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// The file's text. With `checkPermissions`, as `ssh` for included files: a file owned by
    /// another user than root or us, or writable by anyone, is refused.
    static func read(_ path: String, checkPermissions: Bool = false) -> Result {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            return code == ENOENT ? .missing : .failed(describe(code))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failed(describe(errno)) }
        if info.st_mode & 0o170000 == 0o040000 { return .directory }
        if checkPermissions && ((info.st_uid != 0 && info.st_uid != getuid()) || info.st_mode & 0o002 != 0) {
            return .failed("bad owner or permissions (it must be ours or root's and not writable by others)")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failed(describe(errno))
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return .text(String(decoding: bytes, as: UTF8.self))
    }
}

// MARK: - Settings for one host

/// One walk through the configuration for one host, as `ssh` does it while reading.
private struct ConfigEvaluation {
    let host: String
    let localUser: String
    var hostName: String?
    var user: String?
    var port: Int?
    var identityFiles: [String] = []
    var identityFileNone = false
    var identitiesOnly: Bool?
    var userKnownHostsFiles: [String]?
    var globalKnownHostsFiles: [String]?
    var strictHostKeyChecking: HostKeyPolicy?
    var connectTimeoutSet = false
    var connectTimeout: Duration?
    var proxyJump: [JumpHost]?
    /// Set once either of ProxyJump and ProxyCommand is obtained: the first one wins.
    var proxySet = false
    var proxyCommand: String?

    init(host: String, localUser: String) {
        self.host = host
        self.localUser = localUser
    }

    /// `neverMatch`: lines of a file included where nothing applied; its Host and Match lines
    /// apply nothing either.
    mutating func run(_ directives: [ConfigDirective], active: inout Bool, neverMatch: Bool) {
        for directive in directives {
            switch directive {
            case .host(let patterns):
                active = !neverMatch && Self.hostMatches(host, patterns)
            case .match(let criteria):
                active = !neverMatch && matches(criteria)
            case .include(let files):
                let outer = active
                for file in files {
                    run(file, active: &active, neverMatch: neverMatch || !outer)
                    // A Host or Match inside an included file ends with that file.
                    active = outer
                }
            default:
                if active { apply(directive) }
            }
        }
    }

    private mutating func apply(_ directive: ConfigDirective) {
        switch directive {
        case .hostName(let v): if hostName == nil { hostName = v }
        case .user(let v): if user == nil { user = v }
        case .port(let v): if port == nil { port = v }
        case .identityFile(let v):
            if v.lowercased() == "none" {
                identityFileNone = true
            } else if !identityFiles.contains(v) {
                identityFiles.append(v)
            }
        case .identitiesOnly(let v): if identitiesOnly == nil { identitiesOnly = v }
        case .userKnownHostsFiles(let v): if userKnownHostsFiles == nil { userKnownHostsFiles = v }
        case .globalKnownHostsFiles(let v): if globalKnownHostsFiles == nil { globalKnownHostsFiles = v }
        case .strictHostKeyChecking(let v): if strictHostKeyChecking == nil { strictHostKeyChecking = v }
        case .connectTimeout(let v):
            if !connectTimeoutSet {
                connectTimeoutSet = true
                connectTimeout = v
            }
        case .proxyJump(let v):
            if !proxySet { proxyJump = v; proxySet = true }
        case .proxyCommand(let v):
            if !proxySet { proxyCommand = v.lowercased() == "none" ? nil : v; proxySet = true }
        case .host, .match, .include: break
        }
    }

    /// The HostName obtained so far with `%h` expanded, or the host as given.
    private var targetHost: String {
        hostName.map { SSHConfigPattern.expand($0, ["h": host]) } ?? host
    }

    static func hostMatches(_ host: String, _ patterns: [SSHConfigHostPattern]) -> Bool {
        var matched = false
        for p in patterns where SSHConfigPattern.match(host, p.pattern) {
            if p.negated { return false }
            matched = true
        }
        return matched
    }

    private func matches(_ criteria: [SSHConfigMatchCriterion]?) -> Bool {
        guard let criteria else { return false }
        var result = true
        for criterion in criteria {
            let (matched, negated): (Bool, Bool)
            switch criterion {
            case .all(let n):
                (matched, negated) = (true, n)
            case .host(let list, let n):
                (matched, negated) = (SSHConfigPattern.matchList(SSHConfigPattern.asciiLowercased(targetHost), list, lowercase: true), n)
            case .originalHost(let list, let n):
                (matched, negated) = (SSHConfigPattern.matchList(SSHConfigPattern.asciiLowercased(host), list, lowercase: true), n)
            case .user(let list, let n):
                (matched, negated) = (SSHConfigPattern.matchList(user ?? localUser, list, lowercase: false), n)
            case .localUser(let list, let n):
                (matched, negated) = (SSHConfigPattern.matchList(localUser, list, lowercase: false), n)
            }
            if matched == negated { result = false }
        }
        return result
    }

    func finish(home: String) -> SSHHostSettings {
        let finalHost = targetHost
        let finalPort = port ?? 22
        let finalUser = user ?? localUser
        func expanded(_ path: String) -> String {
            let tilde = ConfigPaths.tildeExpanded(path, home: home)
            guard tilde.contains("%") else { return tilde }
            var values: [Character: String] = [
                "d": home, "h": finalHost, "p": String(finalPort), "r": finalUser, "u": localUser,
                "n": host, "k": host, "i": String(getuid()),
            ]
            if tilde.contains("%l") || tilde.contains("%L") {
                var buffer = [CChar](repeating: 0, count: 256)
                let name = gethostname(&buffer, buffer.count - 1) == 0
                    ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
                values["l"] = name
                values["L"] = String(name.prefix { $0 != "." })
            }
            return SSHConfigPattern.expand(tilde, values)
        }
        var files: [String] = []
        for f in identityFiles.map(expanded) where !files.contains(f) { files.append(f) }
        return SSHHostSettings(
            hostName: hostName.map { SSHConfigPattern.expand($0, ["h": host]) },
            user: user, port: port, identityFiles: files, identityFileNone: identityFileNone,
            identitiesOnly: identitiesOnly, userKnownHostsFiles: userKnownHostsFiles?.map(expanded),
            globalKnownHostsFiles: globalKnownHostsFiles?.map(expanded),
            strictHostKeyChecking: strictHostKeyChecking, connectTimeout: connectTimeout, proxyJump: proxyJump,
            proxyCommand: proxyCommand)
    }
}

/// OpenSSH's patterns (match.c) and `%` tokens.
fileprivate enum SSHConfigPattern {
    /// `*` matches any run of characters, `?` one character; everything else itself.
    static func match(_ string: String, _ pattern: String) -> Bool {
        let s = Array(string.unicodeScalars), p = Array(pattern.unicodeScalars)
        var si = 0, pi = 0
        var starP = -1, starS = 0
        while si < s.count {
            if pi < p.count && (p[pi] == "?" || (p[pi] != "*" && p[pi] == s[si])) {
                si += 1
                pi += 1
            } else if pi < p.count && p[pi] == "*" {
                starP = pi
                starS = si
                pi += 1
            } else if starP >= 0 {
                pi = starP + 1
                starS += 1
                si = starS
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// A comma-separated pattern list: true when a pattern matches and no `!pattern` does.
    static func matchList(_ string: String, _ list: String, lowercase: Bool) -> Bool {
        var positive = false
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            var pattern = String(item)
            let negated = pattern.hasPrefix("!")
            if negated { pattern.removeFirst() }
            if lowercase { pattern = asciiLowercased(pattern) }
            if match(string, pattern) {
                if negated { return false }
                positive = true
            }
        }
        return positive
    }

    static func asciiLowercased(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { c in
            c.value >= 65 && c.value <= 90 ? Unicode.Scalar(c.value + 32)! : c
        }))
    }

    /// Replaces `%x` by `values[x]` and `%%` by `%`; other tokens stay as written.
    static func expand(_ text: String, _ values: [Character: String]) -> String {
        var out = String.UnicodeScalarView()
        var it = text.unicodeScalars.makeIterator()
        while let c = it.next() {
            guard c == "%" else { out.append(c); continue }
            guard let t = it.next() else { out.append("%"); break }
            if t == "%" {
                out.append("%")
            } else if let v = values[Character(t)] {
                out.append(contentsOf: v.unicodeScalars)
            } else {
                out.append("%")
                out.append(t)
            }
        }
        return String(out)
    }
}
