// What each keyword postfleet knows takes, checked as `ssh` checks it and converted.

extension ConfigParser {
    /// The directive of a line whose keyword is one of ``keywords``.
    mutating func directive(_ c: LineContext, depth: Int) throws(ClientConfigError) -> ConfigDirective? {
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
        case "IdentityFile":
            let w = try c.single()
            if w.value.lowercased() != "none" { try checkFileTokens(c, w) }
            return .identityFile(w.value)
        case "UserKnownHostsFile":
            return .userKnownHostsFiles(try knownHostsFiles(c))
        case "GlobalKnownHostsFile":
            return .globalKnownHostsFiles(try knownHostsFiles(c))
        case "ProxyJump":
            return .proxyJump(try ConfigValues.jumps(c.single(), c))
        case "ProxyCommand":
            // The rest of the line is the command, as in `ssh`.
            return .proxyCommand(try c.atLeastOne().map(\.value).joined(separator: " "))
        default:
            return try setting(c)
        }
    }

    /// A keyword that takes exactly one value: HostName, User, Port, IdentitiesOnly,
    /// StrictHostKeyChecking, ConnectTimeout.
    private func setting(_ c: LineContext) throws(ClientConfigError) -> ConfigDirective? {
        let w = try c.single()
        switch c.name {
        case "HostName":
            try c.checkTokens(w, allowed: "h", unsupported: "",
                              unknown: { "unknown token %\($0) in HostName (only %h and %% are allowed)" })
            return .hostName(w.value)
        case "User":
            return .user(w.value)
        case "Port":
            guard let port = ConfigValues.port(w.value) else {
                throw c.error(w, "bad port '\(w.value)' (expected a number from 1 to 65535)")
            }
            return .port(port)
        case "IdentitiesOnly":
            switch w.value.lowercased() {
            case "yes", "true": return .identitiesOnly(true)
            case "no", "false": return .identitiesOnly(false)
            default: throw c.error(w, "bad IdentitiesOnly '\(w.value)' (expected yes or no)")
            }
        case "StrictHostKeyChecking":
            switch w.value.lowercased() {
            case "yes", "true", "ask": return .strictHostKeyChecking(.strict)
            case "accept-new": return .strictHostKeyChecking(.acceptNew)
            case "no", "false", "off": return .strictHostKeyChecking(.off)
            default:
                throw c.error(w, "bad StrictHostKeyChecking '\(w.value)' (expected yes, ask, accept-new, no or off)")
            }
        case "ConnectTimeout":
            guard let seconds = ConfigValues.seconds(w.value) else {
                throw c.error(w, "bad ConnectTimeout '\(w.value)' (expected a number of seconds, or a time such as 1m30s)")
            }
            return .connectTimeout(seconds == 0 ? nil : .seconds(seconds))
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
}
