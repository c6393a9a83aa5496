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
    static let becomeUser = ["ansible_become_user", "ansible_sudo_user"]
    static let becomeMethod = ["ansible_become_method"]
    /// The login password (Ansible's ssh plugin order: the last one set wins).
    static let password = ["ansible_password", "ansible_ssh_pass", "ansible_ssh_password"]
    /// sudo's password (Ansible's sudo become plugin).
    static let becomePassword = ["ansible_become_password", "ansible_become_pass", "ansible_sudo_pass"]
    /// Ansible's connection plugin: postfleet is an SSH client, so only SSH's names pass.
    static let connection = ["ansible_connection"]
    static let sshConnections: Set = ["ssh", "smart", "paramiko", "paramiko_ssh", "ansible.builtin.ssh",
                                      "ansible.builtin.paramiko_ssh", "ansible.legacy.ssh"]
    /// postfleet's own: the jump hosts, as OpenSSH's ProxyJump (`[user@]host[:port],...`).
    static let jumpHost = ["jump_host"]
    /// Ansible's extra ssh arguments, where a ProxyJump (`-J`, `-o ProxyJump=`) is found.
    static let sshArguments = ["ansible_ssh_common_args", "ansible_ssh_extra_args"]

    /// Checks a connection variable's value where it is set, so a bad one is reported at
    /// its line even if another definition would override it. Other variables pass.
    static func check(_ name: String, _ value: Value) throws(InventoryProblem) {
        guard value != .null else { return }
        if let problem = controlCharacterProblem(name, value) { throw InventoryProblem(problem) }
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
                throw InventoryProblem("\(name) \(value.stringValue.map { "\"\($0)\"" } ?? value.kindDescription) is not supported: postfleet becomes another user with sudo only")
            }
        } else if jumpHost.contains(name) {
            guard let spec = text(value), !spec.isEmpty else {
                throw InventoryProblem("\(name) must be [user@]host[:port], or several separated by commas (as OpenSSH's ProxyJump), not \(value.kindDescription)")
            }
            if let problem = jumpSpecProblem(spec) { throw InventoryProblem("\(name): \(problem)") }
        } else if sshArguments.contains(name), let spec = text(value).flatMap({ proxyJump(in: sshOptions(inArguments: $0)) }) {
            if let problem = jumpSpecProblem(spec) { throw InventoryProblem("\(name): ProxyJump: \(problem)") }
        } else if password.contains(name) || becomePassword.contains(name) {
            // The value is never quoted back: it is a secret.
            guard text(value)?.isEmpty == false else {
                throw InventoryProblem("\(name) must be a password (a non-empty string), not \(value.stringValue == "" ? "empty" : value.kindDescription)")
            }
        } else if connection.contains(name) {
            guard text(value)?.isEmpty == false else { throw InventoryProblem("\(name) must be the name of a connection plugin, not \(value.kindDescription)") }
        } else if address.contains(name) || user.contains(name) || privateKeyFile.contains(name) || becomeUser.contains(name) {
            let what = address.contains(name) ? "a host name or address" : user.contains(name) ? "a user name" : "a file path"
            guard text(value)?.isEmpty == false else {
                let shown = value.stringValue == "" ? "empty" : value.kindDescription
                throw InventoryProblem("\(name) must be \(what), not \(shown)")
            }
        }
    }

    /// Every variable that says where or as whom to connect.
    static let connectionNames = Set(address + port + user + privateKeyFile + become + becomeUser + becomeMethod + jumpHost + sshArguments
                                     + password + becomePassword + connection)

    /// Ansible's connection, ssh and sudo variables that postfleet does not use (it is an SSH
    /// client of its own, not ssh(1), scp or sftp): listed in one warning when a selected host sets one.
    static let notHonoured: Set = [
        "ansible_ssh_executable", "ansible_ssh_args", "ansible_scp_executable", "ansible_scp_extra_args",
        "ansible_sftp_executable", "ansible_sftp_extra_args", "ansible_sftp_batch_mode", "ansible_ssh_transfer_method",
        "ansible_pipelining", "ansible_ssh_pipelining", "ansible_ssh_use_tty", "ansible_ssh_retries", "ansible_ssh_timeout",
        "ansible_control_path", "ansible_control_path_dir", "ansible_ssh_verbosity", "ansible_ssh_password_mechanism",
        "ansible_sshpass_prompt", "ansible_ssh_pkcs11_provider", "ansible_private_key", "ansible_ssh_private_key",
        "ansible_private_key_passphrase", "ansible_ssh_private_key_passphrase", "ansible_host_key_checking",
        "ansible_ssh_host_key_checking", "ansible_become_exe", "ansible_become_flags", "ansible_sudo_exe",
        "ansible_sudo_flags", "ansible_sudo_chdir",
    ]

    /// Why a connection variable's text cannot be used: a control character in it (see
    /// `String.firstControlCharacter`). Ssh arguments are split into words first, as Ansible
    /// splits them, so the line breaks of a YAML block (`|`, `>`) between options are fine.
    static func controlCharacterProblem(_ name: String, _ value: Value) -> String? {
        guard connectionNames.contains(name), let text = text(value) else { return nil }
        guard sshArguments.contains(name) else { return text.controlCharacterProblem(naming: name) }
        guard let words = try? Shlex.split(text) else {
            let unsplit = String(String.UnicodeScalarView(text.unicodeScalars.filter { !"\t\n\r".unicodeScalars.contains($0) }))
            return unsplit.controlCharacterProblem(naming: name)
        }
        return words.lazy.compactMap { $0.text.controlCharacterProblem(naming: "a word of \(name)") }.first
    }

    /// A password's text, with Ansible's indirection `{{ name }}` (the vault idiom:
    /// `ansible_become_password: "{{ vault_sudo_password }}"`) followed through `vars`, at most
    /// 10 deep; nil when unset, and `.failure` naming the problem for any other Jinja2 expression.
    static func password(_ names: [String], in vars: [String: Value]) -> Result<String, InventoryProblem>? {
        guard var value = lookup(names, in: vars) else { return nil }
        var seen: [String] = []
        while let text = text(value), let reference = Self.reference(in: text) {
            guard seen.count < 10, !seen.contains(reference) else {
                return .failure(InventoryProblem("\(names[0]) refers to itself through {{ \(seen.joined(separator: " }}, {{ ")) }}"))
            }
            seen.append(reference)
            guard let next = vars[reference], next != .null else {
                return .failure(InventoryProblem("\(names[0]) refers to {{ \(reference) }}, which is not defined for this host"))
            }
            value = next
        }
        guard let text = text(value) else { return nil }
        if text.contains("{{") || text.contains("{%") {
            return .failure(InventoryProblem("\(names[0]) is a Jinja2 expression; postfleet follows only a plain reference, {{ variable_name }}"))
        }
        return .success(text)
    }

    /// `name` of a text that is exactly `{{ name }}` (spaces optional).
    private static func reference(in text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("{{"), trimmed.hasSuffix("}}"), trimmed.count > 4 else { return nil }
        let inner = trimmed.dropFirst(2).dropLast(2).trimmingCharacters(in: .whitespaces)
        guard let first = inner.first, first == "_" || first.isLetter,
              inner.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else { return nil }
        return inner
    }

    /// Ansible's boolean: true/false, yes/no, on/off, 1/0 (as a string or a number).
    static func boolean(_ value: Value) -> Bool? {
        switch value.plain {
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

    /// The ssh options Ansible's ssh arguments give, as ssh_config lines in the order `ssh`
    /// reads them (the first value of a keyword wins): each `-o OPTION` (`-oOPTION`) as
    /// written (`Keyword=value` or `Keyword value`, both ssh_config syntax), and `-J`, `-p`,
    /// `-l`, `-i` as ProxyJump, Port, User and IdentityFile. Other flags are passed over, with
    /// their argument for those that take one. Empty when the text does not split as a shell would.
    static func sshOptions(inArguments arguments: String) -> [String] {
        guard let words = (try? Shlex.split(arguments))?.map(\.text) else { return [] }
        let keywords: [Character: String] = ["o": "", "J": "ProxyJump ", "p": "Port ", "l": "User ", "i": "IdentityFile "]
        // ssh's flags that take an argument (ssh.c's getopt string).
        let takesArgument = Set("BbcDEeFIiJLlmOoPpQRSWw")
        var options: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            guard word.count >= 2, word.hasPrefix("-"), let flag = word.dropFirst().first, takesArgument.contains(flag) else { continue }
            var argument = String(word.dropFirst(2))
            if argument.isEmpty {
                guard index < words.count else { break }
                argument = words[index]
                index += 1
            }
            if let prefix = keywords[flag] { options.append(prefix + argument) }
        }
        return options
    }

    /// The keyword and value of an ssh_config line (`Keyword value`, `Keyword=value`).
    static func option(_ line: String) -> (keyword: String, value: String)? {
        let pair = line.split(maxSplits: 1, whereSeparator: { $0 == "=" || $0 == " " || $0 == "\t" })
        guard pair.count == 2 else { return nil }
        return (String(pair[0]), pair[1].trimmingCharacters(in: CharacterSet(charactersIn: " \t=")))
    }

    /// The ProxyJump among `options` (``sshOptions(inArguments:)``): the first, as `ssh` takes it.
    static func proxyJump(in options: [String]) -> String? {
        options.lazy.compactMap(option).first { $0.keyword.lowercased() == "proxyjump" }?.value
    }

    /// The last of `names` that `vars` sets to something other than null.
    static func lookup(_ names: [String], in vars: [String: Value]) -> Value? {
        names.compactMap { vars[$0] }.last { $0 != .null }
    }

    /// `22`, or a string of digits `"22"`, from 1 to 65535.
    static func portNumber(_ value: Value) -> Int? {
        let number: Int? = switch value.plain {
        case let .int(int): int
        case let .string(string) where !string.isEmpty && string.allSatisfy(\.isASCIIDigit): Int(string)
        default: nil
        }
        return number.flatMap { (1...65535).contains($0) ? $0 : nil }
    }

    /// Strings as they are, and numbers as written (a user `1000`, an address `10`).
    static func text(_ value: Value) -> String? {
        switch value.plain {
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
