import Foundation
import Inventory

extension SettingReader {
    /// Settings that change how Ansible connects and that postfleet does not follow, with the
    /// values that change nothing for postfleet (which speaks SSH itself, and becomes root
    /// with sudo), lowercased.
    static let unfollowed: [(name: String, setting: Setting, harmless: Set<String>)] = [
        ("remote_port", Setting(["ANSIBLE_REMOTE_PORT"], [("defaults", "remote_port")]), []),
        ("transport", Setting(["ANSIBLE_TRANSPORT"], [("defaults", "transport")]), ["ssh", "smart"]),
        ("ssh_args", Setting(["ANSIBLE_SSH_ARGS"], [("ssh_connection", "ssh_args")]), []),
        ("ssh_common_args", Setting(["ANSIBLE_SSH_COMMON_ARGS"], [("ssh_connection", "ssh_common_args")]), []),
        ("ssh_extra_args", Setting(["ANSIBLE_SSH_EXTRA_ARGS"], [("ssh_connection", "ssh_extra_args")]), []),
        ("ask_pass", Setting(["ANSIBLE_ASK_PASS"], [("defaults", "ask_pass")]), falseWords),
        ("become_user", Setting(["ANSIBLE_BECOME_USER"], [("privilege_escalation", "become_user")]), ["root"]),
        ("become_method", Setting(["ANSIBLE_BECOME_METHOD"], [("privilege_escalation", "become_method")]), ["sudo"]),
        ("become_ask_pass", Setting(["ANSIBLE_BECOME_ASK_PASS"], [("privilege_escalation", "become_ask_pass")]), falseWords),
    ]

    /// One warning naming every such setting that is set (and where), or none.
    func unfollowed() -> [String] {
        var found: [String] = []
        for (name, setting, harmless) in Self.unfollowed {
            guard let raw = raw(setting) else { continue }
            let value = raw.text.trimmingCharacters(in: .whitespaces).ansibleUnquoted.lowercased()
            if harmless.contains(value) || (name == "ssh_args" && Self.onlyConnectionSharing(value)) { continue }
            if let variable = raw.variable {
                found.append(variable)
            } else if let entry = raw.entry, let file {
                found.append("\(name) (\(file.source.path):\(entry.line))")
            }
        }
        guard !found.isEmpty else { return [] }
        return ["these Ansible settings are not followed by postfleet: \(found.joined(separator: ", ")); say ports, ssh options and become users in the inventory (ansible_port, ansible_ssh_common_args, ansible_become_user) or in ssh_config"]
    }

    /// ssh arguments that only compress or share connections (`-C -o ControlMaster=auto
    /// -o ControlPersist=60s`, Ansible's default): nothing postfleet needs to follow.
    static func onlyConnectionSharing(_ arguments: String) -> Bool {
        arguments.split(whereSeparator: \.isWhitespace).allSatisfy { word in
            let option = word.hasPrefix("-o") && word.count > 2 ? word.dropFirst(2) : word[...]
            return option == "-c" || option == "-o" || ["controlmaster", "controlpersist", "controlpath"].contains { option.hasPrefix($0) }
        }
    }
}
