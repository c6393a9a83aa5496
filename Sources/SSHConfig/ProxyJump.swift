// ProxyJump's value, as OpenSSH's parse_jump() and parse_ssh_uri() read it.

extension ConfigValues {
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

    /// One hop; its errors point at `column`, where it starts.
    private static func jump(_ element: String, column: Int, _ c: LineContext) throws(ClientConfigError) -> JumpHost {
        func bad(_ message: String) -> ClientConfigError { c.error(column: column, message) }
        guard !element.isEmpty else { throw bad("empty jump host in ProxyJump") }
        var rest = Substring(element)
        let uri = rest.hasPrefix("ssh://")
        if uri { rest = rest.dropFirst(6) }
        let user = try jumpUser(&rest, uri: uri, element: element, bad)
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
        let port = try jumpPort(rest, delimiter: delimiter, uri: uri, element: element, bad)
        return JumpHost(user: user, host: String(host), port: port)
    }

    /// The user before the `@` of a hop (`ssh://` already removed from `rest` when `uri`), and
    /// `rest` moved past it; nil when the hop names none.
    private static func jumpUser(_ rest: inout Substring, uri: Bool, element: String,
                                 _ bad: (String) -> ClientConfigError) throws(ClientConfigError) -> String? {
        if uri {
            guard let at = rest.firstIndex(of: "@") else { return nil }
            var info = rest[..<at]
            if let semicolon = info.firstIndex(of: ";") { info = info[..<semicolon] }  // connection parameters
            guard !info.isEmpty else { throw bad("empty user in ProxyJump '\(element)'") }
            guard let decoded = percentDecoded(info) else { throw bad("bad %-escape in the user of ProxyJump '\(element)'") }
            rest = rest[rest.index(after: at)...]
            return decoded
        }
        guard let at = rest.lastIndex(of: "@") else { return nil }
        guard at != rest.startIndex else { throw bad("empty user in ProxyJump '\(element)'") }
        let user = String(rest[..<at])
        rest = rest[rest.index(after: at)...]
        return user
    }

    /// The port after the host (`rest`, after `delimiter`); nil when none is given. An
    /// `ssh://` hop may end with `/` but has no path.
    private static func jumpPort(_ rest: Substring, delimiter: Character?, uri: Bool, element: String,
                                 _ bad: (String) -> ClientConfigError) throws(ClientConfigError) -> Int? {
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
        guard !portText.isEmpty else { return nil }
        guard let port = ConfigValues.port(String(portText)) else {
            throw bad("bad port '\(portText)' in ProxyJump '\(element)' (expected a number from 1 to 65535)")
        }
        return port
    }

    /// `text` with its `%XX` escapes decoded (RFC 3986); nil for a bad escape.
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
