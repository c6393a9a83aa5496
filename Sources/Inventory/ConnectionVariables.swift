import Foundation

/// The inventory variables that say how to reach a host, under Ansible's names.
///
/// Where Ansible accepts two names for one setting, the `ssh` one wins when both are set,
/// as in Ansible's ssh connection plugin. A null value counts as unset.
enum ConnectionVariables {
    static let address = ["ansible_host", "ansible_ssh_host"]
    static let port = ["ansible_port", "ansible_ssh_port"]
    static let user = ["ansible_user", "ansible_ssh_user"]
    static let privateKeyFile = ["ansible_private_key_file", "ansible_ssh_private_key_file"]
    static let become = ["ansible_become"]
    static let becomeUser = ["ansible_become_user"]
    static let becomeMethod = ["ansible_become_method"]
    /// postfleet's own: the jump hosts, as OpenSSH's ProxyJump (`[user@]host[:port],...`).
    static let jumpHost = ["jump_host"]
    /// Ansible's extra ssh arguments, where a ProxyJump (`-J`, `-o ProxyJump=`) is found.
    static let sshArguments = ["ansible_ssh_common_args", "ansible_ssh_extra_args"]

    /// Checks a connection variable's value where it is set, so a bad one is reported at
    /// its line even if another definition would override it. Other variables pass.
    static func check(_ name: String, _ value: Value) throws(InventoryProblem) {
        guard value != .null else { return }
        if port.contains(name) {
            guard portNumber(value) != nil else {
                let shown = value.stringValue.map { "\"\($0)\"" } ?? value.json
                throw InventoryProblem("\(name) must be a port number from 1 to 65535, not \(shown)")
            }
        } else if become.contains(name) {
            guard boolean(value) != nil else {
                throw InventoryProblem("\(name) must be a boolean (true, false, yes, no), not \(value.stringValue.map { "\"\($0)\"" } ?? value.kindDescription)")
            }
        } else if becomeMethod.contains(name) {
            guard text(value) == "sudo" else {
                throw InventoryProblem("\(name) \(value.stringValue.map { "\"\($0)\"" } ?? value.kindDescription) is not supported: postfleet becomes another user with sudo -n only")
            }
        } else if jumpHost.contains(name) {
            guard let spec = text(value), !spec.isEmpty else {
                throw InventoryProblem("\(name) must be [user@]host[:port], or several separated by commas (as OpenSSH's ProxyJump), not \(value.kindDescription)")
            }
            if let problem = jumpSpecProblem(spec) { throw InventoryProblem("\(name): \(problem)") }
        } else if sshArguments.contains(name), let spec = text(value).flatMap(proxyJump(inArguments:)) {
            if let problem = jumpSpecProblem(spec) { throw InventoryProblem("\(name): ProxyJump: \(problem)") }
        } else if address.contains(name) || user.contains(name) || privateKeyFile.contains(name) || becomeUser.contains(name) {
            let what = address.contains(name) ? "a host name or address" : user.contains(name) ? "a user name" : "a file path"
            guard text(value)?.isEmpty == false else {
                let shown = value.stringValue == "" ? "empty" : value.kindDescription
                throw InventoryProblem("\(name) must be \(what), not \(shown)")
            }
        }
    }

    /// Ansible's boolean: true/false, yes/no, on/off, 1/0 (as a string or a number).
    static func boolean(_ value: Value) -> Bool? {
        switch value {
        case let .bool(bool): return bool
        case let .int(int) where int == 0 || int == 1: return int == 1
        case let .string(string):
            switch string.lowercased() {
            case "true", "yes", "on", "y", "t", "1": return true
            case "false", "no", "off", "n", "f", "0": return false
            default: return nil
            }
        default: return nil
        }
    }

    /// What is wrong with a ProxyJump list (`[user@]host[:port]` or `ssh://[user@]host[:port]`,
    /// comma-separated, `[v6]:port` bracketed), or nil. The SSH layer reads it.
    static func jumpSpecProblem(_ spec: String) -> String? {
        if spec == "none" { return nil }
        for item in spec.split(separator: ",", omittingEmptySubsequences: false) {
            var rest = Substring(item)
            if rest.hasPrefix("ssh://") { rest = rest.dropFirst(6) }
            if rest.hasSuffix("/") { rest = rest.dropLast() }
            if let at = rest.lastIndex(of: "@") {
                guard at != rest.startIndex else { return "'\(item)' has an empty user name" }
                rest = rest[rest.index(after: at)...]
            }
            var port: Substring?
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { return "'\(item)' has no closing ]" }
                let after = rest[rest.index(after: close)...]
                if after.hasPrefix(":") { port = after.dropFirst() } else if !after.isEmpty { return "'\(item)' is not [address]:port" }
                rest = rest[rest.index(after: rest.startIndex)..<close]
            } else if let colon = rest.firstIndex(of: ":") {
                port = rest[rest.index(after: colon)...]
                rest = rest[..<colon]
            }
            if rest.isEmpty || rest.contains(where: { $0.isWhitespace || $0 == "/" }) { return "'\(item)' is not [user@]host[:port]" }
            if let port, portNumber(.string(String(port))) == nil { return "'\(item)': the port must be a number from 1 to 65535" }
        }
        return nil
    }

    /// The ProxyJump that Ansible's ssh arguments give (`-J SPEC`, `-JSPEC`, `-o ProxyJump=SPEC`,
    /// `-oProxyJump SPEC`), or nil.
    static func proxyJump(inArguments arguments: String) -> String? {
        guard let words = (try? Shlex.split(arguments))?.map(\.text) else { return nil }
        var found: String?
        var index = 0
        func option(_ text: String) -> String? {
            let pair = text.split(maxSplits: 1, whereSeparator: { $0 == "=" || $0 == " " })
            guard pair.count == 2, pair[0].lowercased() == "proxyjump" else { return nil }
            return pair[1].trimmingCharacters(in: .whitespaces)
        }
        while index < words.count {
            let word = words[index]
            let next = index + 1 < words.count ? words[index + 1] : nil
            if word == "-J", let next {
                found = next; index += 1
            } else if word.hasPrefix("-J") {
                found = String(word.dropFirst(2))
            } else if word == "-o", let next {
                if let value = option(next) { found = value }
                index += 1
            } else if word.hasPrefix("-o"), let value = option(String(word.dropFirst(2))) {
                found = value
            }
            index += 1
        }
        return found
    }

    /// The last of `names` that `vars` sets to something other than null.
    static func lookup(_ names: [String], in vars: [String: Value]) -> Value? {
        names.compactMap { vars[$0] }.last { $0 != .null }
    }

    /// `22`, or a string of digits `"22"`, from 1 to 65535.
    static func portNumber(_ value: Value) -> Int? {
        let number: Int? = switch value {
        case let .int(int): int
        case let .string(string) where !string.isEmpty && string.allSatisfy(\.isASCIIDigit): Int(string)
        default: nil
        }
        return number.flatMap { (1...65535).contains($0) ? $0 : nil }
    }

    /// Strings as they are, and numbers as written (a user `1000`, an address `10`).
    static func text(_ value: Value) -> String? {
        switch value {
        case let .string(string): string
        case .int, .double: value.description
        default: nil
        }
    }

    /// `~/x` and `~user/x` with the home directory put in, as Python's `os.path.expanduser`.
    static func expandingTilde(_ path: String, home: String) -> String {
        guard path.hasPrefix("~") else { return path }
        let afterTilde = path.dropFirst()
        let user = afterTilde.prefix { $0 != "/" }
        let rest = afterTilde.dropFirst(user.count)
        let directory: String
        if user.isEmpty {
            directory = home
        } else if let other = FileManager.default.homeDirectory(forUser: String(user))?.path {
            directory = other
        } else {
            return path
        }
        if directory.hasSuffix("/") && rest.hasPrefix("/") { return directory + rest.dropFirst() }
        return directory + rest
    }

    /// The current user's home directory, as Ansible finds it: `$HOME` first.
    static var currentHome: String {
        if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty { return home }
        return FileManager.default.homeDirectoryForCurrentUser.path
    }
}
