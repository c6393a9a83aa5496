/// Reads configuration text the way `ssh` does (readconf.c): line by line, a keyword and its
/// words, every argument checked where it is, Include files read in place. Keywords postfleet
/// does not use are skipped; what each known one takes is in `Keywords.swift`.
struct ConfigParser {
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

    /// The lines of `text` that matter, in order; `path` names the file in errors.
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
        var context = LineContext(path: path, line: lineNumber, text: s, keyword: keyword, name: name)
        context.words = try context.split(from: i, to: end)
        // A control character is refused, as in the inventory's connection values: C cuts
        // `HostName 198.18.0.7<NUL>.example.net` short and would reach 198.18.0.7.
        if let bad = context.words.first(where: { $0.value.unicodeScalars.contains { $0.properties.generalCategory == .control } }) {
            throw context.error(bad, "an argument of \(name) holds a control character; it cannot hold one")
        }
        return try directive(context, depth: depth)
    }

    /// The files an Include line names, each read (and checked) as its lines.
    mutating func include(_ c: LineContext, depth: Int) throws(ClientConfigError) -> [[ConfigDirective]] {
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
