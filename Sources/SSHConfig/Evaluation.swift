import Glibc

/// One walk through the configuration for one host, as `ssh` does it while reading.
struct ConfigEvaluation {
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
