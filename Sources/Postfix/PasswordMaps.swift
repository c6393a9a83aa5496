/// The parameters that carry credentials (`smtp_sasl_password_maps`,
/// `lmtp_sasl_password_maps`: any `*_password_maps`), and what their values, once expanded
/// (``ParameterExpansion``), hold: the tables they name, and whether they give credentials
/// inline (`static:user:pass`, `inline:{...}`).
public enum PasswordMaps {
    /// Whether parameter `name` is a password map.
    public static func isPasswordParameter(_ name: String) -> Bool { name.hasSuffix("_password_maps") }

    /// Table types whose "name" is the data itself: a password given there is in the value.
    static let inlineTypes: Set<String> = ["static", "inline", "randmap"]
    /// Table types that wrap a list of other tables (`pipemap:{a, b}`, `unionmap:{a, b}`).
    static let compositeTypes: Set<String> = ["pipemap", "unionmap"]

    /// What an expanded map list names: the paths of its tables (normalized, absolute or
    /// relative), and whether it gives data inline.
    public struct Contents: Sendable, Equatable {
        public var paths: [String] = []
        public var inline = false
    }

    /// The tables in `value` (an expanded map list: `hash:/a, proxy:cdb:/b static:x`), with
    /// the `proxy:` prefix taken off and `pipemap:{...}`/`unionmap:{...}` opened.
    public static func contents(of value: String) -> Contents {
        var contents = Contents()
        collect(value, into: &contents, depth: 0)
        return contents
    }

    /// Whether the expanded `value` gives credentials inline (or cannot be read as a map list).
    public static func holdsInlineData(_ value: String) -> Bool { contents(of: value).inline }

    private static func collect(_ value: String, into contents: inout Contents, depth: Int) {
        guard depth < 20 else { contents.inline = true; return }
        for word in words(value) {
            if word.hasPrefix("{"), word.hasSuffix("}") {
                collect(String(word.dropFirst().dropLast()), into: &contents, depth: depth + 1)
                continue
            }
            var rest = Substring(word)
            while let colon = rest.firstIndex(of: ":"), !rest[..<colon].contains("{") {
                let type = rest[..<colon].lowercased()
                rest = rest[rest.index(after: colon)...]
                if type == "proxy" { continue }
                if inlineTypes.contains(type) { contents.inline = true; rest = ""; break }
                if compositeTypes.contains(type), rest.hasPrefix("{"), rest.hasSuffix("}") {
                    collect(String(rest.dropFirst().dropLast()), into: &contents, depth: depth + 1)
                    rest = ""
                }
                break
            }
            if !rest.isEmpty { contents.paths.append(normalizedPath(String(rest))) }
        }
    }

    /// `value` split as Postfix splits a map list: at white space and commas, except inside `{...}`.
    static func words(_ value: String) -> [String] {
        var words: [String] = []
        var current = ""
        var depth = 0
        for character in value {
            if character == "{" { depth += 1 } else if character == "}" { depth = max(depth - 1, 0) }
            if depth == 0, character == "," || character.isWhitespace {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// `path` with doubled slashes, `.` and `name/..` taken out, as the kernel resolves it
    /// (symbolic links aside): `/etc/postfix//./sasl_passwd` is `/etc/postfix/sasl_passwd`.
    public static func normalizedPath(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if let last = parts.last, last != ".." { parts.removeLast() } else if !absolute { parts.append(part) }
            default: parts.append(part)
            }
        }
        return (absolute ? "/" : "") + parts.joined(separator: "/")
    }
}
