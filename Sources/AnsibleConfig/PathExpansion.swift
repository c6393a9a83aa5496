import Foundation

/// Ansible's `resolve_path`, as it applies to path settings: `{{CWD}}`, `$VAR` and `${VAR}`
/// (left as they are when not set), `~` and `~user` expanded, a relative path joined to a
/// base directory (ansible.cfg's own, or the current directory), then normalized.
struct PathExpansion: Sendable {
    let environment: [String: String]
    let currentDirectory: String
    let home: String

    func resolve(_ path: String, relativeTo base: String?) -> String {
        var path = path.replacingOccurrences(of: "{{CWD}}", with: currentDirectory)
        path = expandingUser(expandingVariables(path))
        if !path.hasPrefix("/") { path = Self.joined(base ?? currentDirectory, path) }
        return Self.normalized(path)
    }

    /// Python's `os.path.expandvars`: `$NAME` and `${NAME}` of set variables.
    func expandingVariables(_ path: String) -> String {
        let scalars = Array(path.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        let isWord = { (scalar: Unicode.Scalar) in scalar.isASCII && (scalar == "_" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) }
        while index < scalars.count {
            guard scalars[index] == "$", index + 1 < scalars.count else {
                out.append(scalars[index])
                index += 1
                continue
            }
            var end = index + 1
            var name: String?
            if scalars[end] == "{", let close = scalars[(end + 1)...].firstIndex(of: "}") {
                name = String(String.UnicodeScalarView(scalars[(end + 1)..<close]))
                end = close + 1
            } else {
                while end < scalars.count, isWord(scalars[end]) { end += 1 }
                if end > index + 1 { name = String(String.UnicodeScalarView(scalars[(index + 1)..<end])) }
            }
            if let name, let value = environment[name] {
                out.append(contentsOf: value.unicodeScalars)
                index = end
            } else {
                out.append(scalars[index])
                index += 1
            }
        }
        return String(out)
    }

    /// Python's `os.path.expanduser`: `~` and `~/...` with the home directory, `~user/...` with that user's.
    func expandingUser(_ path: String) -> String {
        guard path.hasPrefix("~") else { return path }
        let slash = path.firstIndex(of: "/") ?? path.endIndex
        let user = path[path.index(after: path.startIndex)..<slash]
        let directory: String
        if user.isEmpty {
            directory = home
        } else if let entry = getpwnam(String(user)), let dir = entry.pointee.pw_dir {
            directory = String(cString: dir)
        } else {
            return path
        }
        let rest = path[slash...]
        return directory.hasSuffix("/") && rest.hasPrefix("/") ? directory + rest.dropFirst() : directory + rest
    }

    /// Python's `os.path.normpath` for POSIX paths.
    static func normalized(_ path: String) -> String {
        if path.isEmpty { return "." }
        let leading = path.hasPrefix("//") && !path.hasPrefix("///") ? 2 : path.hasPrefix("/") ? 1 : 0
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == "..", leading > 0, parts.isEmpty {
                continue
            } else {
                parts.append(part)
            }
        }
        let joined = String(repeating: "/", count: leading) + parts.joined(separator: "/")
        return joined.isEmpty ? "." : joined
    }

    static func joined(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
