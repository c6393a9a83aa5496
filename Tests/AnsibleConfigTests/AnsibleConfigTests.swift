import Foundation
import Inventory
import Testing

@testable import AnsibleConfig

/// A fresh directory tree with `files` (relative path → text), removed after `body`.
private func inDirectory<T>(_ files: [String: String], _ body: (String) throws -> T) throws -> T {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("postfleet-config-tests-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    for (path, text) in files.merging(["cwd/.keep": "", "home/.keep": ""]) { $1 } {
        try FileManager.default.createDirectory(atPath: ((root + "/" + path) as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try text.write(toFile: root + "/" + path, atomically: true, encoding: .utf8)
    }
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root + "/cwd")
    return try body(root)
}

/// The configuration as seen from `root/cwd`, with `root/home` as home; `$ROOT` in the environment is `root`.
private func load(_ root: String, _ environment: [String: String] = [:]) throws -> AnsibleConfig {
    try AnsibleConfig.load(environment: environment.mapValues { $0.replacingOccurrences(of: "$ROOT", with: root) },
                           currentDirectory: root + "/cwd", home: root + "/home")
}

@Suite("ansible.cfg found as Ansible finds it; ANSIBLE_* over it; the settings postfleet has")
struct AnsibleConfigTests {
    @Test("The first of ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg that exists, only that one")
    func search() throws {
        let files = ["env.cfg": "[defaults]\nforks = 1\n", "cwd/ansible.cfg": "[defaults]\nforks = 2\n",
                     "home/.ansible.cfg": "[defaults]\nforks = 3\ntimeout = 9\n", "dir/ansible.cfg": "[defaults]\nforks = 4\n"]
        try inDirectory(files) { root in
            #expect(try load(root, ["ANSIBLE_CONFIG": "$ROOT/env.cfg"]).forks == 1)
            #expect(try load(root, ["ANSIBLE_CONFIG": "$ROOT/dir"]).forks == 4)
            #expect(try load(root, ["ANSIBLE_CONFIG": "$ROOT/missing.cfg"]).forks == 2)
            let local = try load(root)
            #expect(local.file == root + "/cwd/ansible.cfg" && local.forks == 2 && local.timeout == nil)
            try FileManager.default.removeItem(atPath: root + "/cwd/ansible.cfg")
            #expect(try load(root).forks == 3)
            try FileManager.default.removeItem(atPath: root + "/home/.ansible.cfg")
            #expect(try load(root) == AnsibleConfig())
        }
    }

    @Test("./ansible.cfg in a world-writable directory is passed over, with a warning, as Ansible does")
    func worldWritable() throws {
        try inDirectory(["cwd/ansible.cfg": "[defaults]\nforks = 2\n", "home/.ansible.cfg": "[defaults]\nforks = 3\n"]) { root in
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: root + "/cwd")
            let config = try load(root)
            #expect(config.forks == 3)
            #expect(config.warnings.count == 1 && config.warnings[0].contains("is world-writable"))
            #expect(try load(root, ["ANSIBLE_CONFIG": "$ROOT/cwd/ansible.cfg"]) .warnings.isEmpty)
        }
    }

    @Test("ANSIBLE_CONFIG naming a file Ansible cannot read as INI")
    func badExtension() throws {
        try inDirectory(["ansible.yml": "forks: 2\n"]) { root in
            let error = try #require(throws: ConfigSettingError.self) { try load(root, ["ANSIBLE_CONFIG": "$ROOT/ansible.yml"]) }
            #expect(error.description.hasPrefix("ANSIBLE_CONFIG: error: \(root)/ansible.yml must end in .cfg or .ini"))
        }
    }

    @Test("Every setting: the environment over the file, paths relative to the file or the current directory")
    func settings() throws {
        let text = """
            [defaults]
            inventory = hosts.ini, ~/inv ,$SITE/extra.yml,
            remote_user = 'deploy'
            private_key_file = keys/id_ed25519
            forks = 20
            host_key_checking = False
            timeout = 15
            vault_password_file = ~/.vault_pass
            vault_identity_list = prod@~/prod.pass, dev@prompt
            vault_id_match = yes
            retry_files_enabled = yes
            retry_files_save_path = retries
            [ssh_connection]
            timeout = 30
            [privilege_escalation]
            become = true
            """
        try inDirectory(["conf/ansible.cfg": text]) { root in
            let config = try load(root, ["ANSIBLE_CONFIG": "$ROOT/conf/ansible.cfg", "SITE": "/srv/site"])
            #expect(config.inventory == ["\(root)/conf/hosts.ini", "\(root)/home/inv", "/srv/site/extra.yml"])
            #expect(config.remoteUser == "deploy" && config.privateKeyFile == "\(root)/conf/keys/id_ed25519")
            #expect(config.forks == 20 && config.hostKeyChecking == false && config.timeout == 30 && config.become == true)
            #expect(config.vaultPasswordFile == "\(root)/home/.vault_pass")
            #expect(config.vaultIdentityList == ["prod@~/prod.pass", "dev@prompt"] && config.vaultIdMatch)
            #expect(config.retryFilesEnabled == true && config.retryFilesSavePath == "\(root)/conf/retries")

            let environment = ["ANSIBLE_CONFIG": "$ROOT/conf/ansible.cfg", "ANSIBLE_INVENTORY": "a,b", "ANSIBLE_FORKS": "3",
                               "ANSIBLE_TIMEOUT": "5", "ANSIBLE_SSH_TIMEOUT": "6", "ANSIBLE_HOST_KEY_CHECKING": "",
                               "ANSIBLE_REMOTE_USER": "'ops'"]
            let overridden = try load(root, environment)
            #expect(overridden.inventory == ["\(root)/cwd/a", "\(root)/cwd/b"])
            #expect(overridden.forks == 3 && overridden.timeout == 6)
            // Empty: the default, ansible.cfg unread. Quotes are only taken off in ansible.cfg.
            #expect(overridden.hostKeyChecking == nil && overridden.remoteUser == "'ops'")
        }
    }

    @Test("A value that cannot be used: at its line, or naming its variable", arguments: [
        ("forks = many", [:], "ansible.cfg:2:9: error: forks must be a whole number, not 'many'"),
        ("forks = 0", [:], "ansible.cfg:2:9: error: forks must be at least 1, not 0"),
        ("timeout = 1.5", [:], "ansible.cfg:2:11: error: timeout must be a whole number, not '1.5'"),
        ("host_key_checking = maybe", [:], "ansible.cfg:2:21: error: host_key_checking must be true or false"),
        ("inventory_ignore_patterns = [", [:], "ansible.cfg:2:29: error: inventory_ignore_patterns: '[' is not a regular expression"),
        ("forks = 2", ["ANSIBLE_FORKS": "x"], "ANSIBLE_FORKS: error: forks must be a whole number, not 'x'"),
        ("forks = 2", ["ANSIBLE_SSH_HOST_KEY_CHECKING": "sure"], "ANSIBLE_SSH_HOST_KEY_CHECKING: error: host_key_checking must be true or false"),
    ] as [(String, [String: String], String)])
    func refused(_ line: String, _ environment: [String: String], _ message: String) throws {
        try inDirectory(["cwd/ansible.cfg": "[defaults]\n\(line)\n"]) { root in
            do {
                _ = try load(root, environment)
                Issue.record("loaded")
            } catch {
                #expect("\(error)".replacingOccurrences(of: root + "/cwd/", with: "").hasPrefix(message), "\(error)")
            }
        }
    }

    @Test("Booleans and whole numbers as Ansible writes them")
    func words() throws {
        for (word, value) in [("yes", true), ("On", true), ("1", true), ("t", true), ("no", false), ("OFF", false), ("0", false)] {
            try inDirectory(["cwd/ansible.cfg": "[defaults]\nhost_key_checking = \(word)\nforks = 4.0\n"]) { root in
                let config = try load(root)
                #expect(config.hostKeyChecking == value && config.forks == 4, "\(word)")
            }
        }
    }

    @Test("Settings Ansible follows and postfleet does not, in one warning; Ansible's default ssh_args are not among them")
    func unfollowed() throws {
        let text = "[defaults]\nremote_port = 2222\n[ssh_connection]\nssh_args = -C -o ControlMaster=auto -o ControlPersist=60s\n"
            + "ssh_common_args = -o ProxyJump=bastion\n[privilege_escalation]\nbecome_method = sudo\nbecome_user = postfix\n"
        try inDirectory(["cwd/ansible.cfg": text]) { root in
            let config = try load(root, ["ANSIBLE_SSH_EXTRA_ARGS": "-4"])
            let path = root + "/cwd/ansible.cfg"
            #expect(config.warnings == ["these Ansible settings are not followed by postfleet: remote_port (\(path):2), ssh_common_args (\(path):5), ANSIBLE_SSH_EXTRA_ARGS, become_user (\(path):8); say ports, ssh options and become users in the inventory (ansible_port, ansible_ssh_common_args, ansible_become_user) or in ssh_config"])
        }
    }

    @Test("Path expansion: {{CWD}}, $VAR and ${VAR} (unset ones kept), ~, normalization")
    func paths() {
        let paths = PathExpansion(environment: ["A": "/a", "B": "b"], currentDirectory: "/work", home: "/home/me")
        #expect(paths.resolve("$A/x/${B}/$UNSET/../y", relativeTo: nil) == "/a/x/b/y")
        #expect(paths.resolve("~/inv", relativeTo: "/etc") == "/home/me/inv")
        #expect(paths.resolve("{{CWD}}/hosts", relativeTo: "/etc") == "/work/hosts")
        #expect(paths.resolve("./a//b/../c", relativeTo: "/etc/ansible") == "/etc/ansible/a/c")
        #expect(PathExpansion.normalized("//x/../y") == "//y" && PathExpansion.normalized("/../x") == "/x")
    }
}
