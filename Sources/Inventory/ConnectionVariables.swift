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

    /// Checks a connection variable's value where it is set, so a bad one is reported at
    /// its line even if another definition would override it. Other variables pass.
    static func check(_ name: String, _ value: Value) throws(InventoryProblem) {
        guard value != .null else { return }
        if port.contains(name) {
            guard portNumber(value) != nil else {
                let shown = value.stringValue.map { "\"\($0)\"" } ?? value.json
                throw InventoryProblem("\(name) must be a port number from 1 to 65535, not \(shown)")
            }
        } else if address.contains(name) || user.contains(name) || privateKeyFile.contains(name) {
            let what = address.contains(name) ? "a host name or address" : user.contains(name) ? "a user name" : "a file path"
            guard text(value)?.isEmpty == false else {
                let shown = value.stringValue == "" ? "empty" : value.kindDescription
                throw InventoryProblem("\(name) must be \(what), not \(shown)")
            }
        }
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
