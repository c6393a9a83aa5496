import Foundation
import Testing

/// Inventory sources, -e and ansible.cfg through the real binary: a source that gives no
/// inventory stops every command with exit 1 and its message, before any host is contacted.
/// The good source's host listens on loopback and never answers; nothing may arrive there.
@Suite struct InventorySourceCommandTests {
    let listener: LoopbackListener
    init() throws { listener = try LoopbackListener() }

    static let commands: [[String]] = [["exec", "--", "true"], ["instances"], ["run", "site.yml", "--check"], ["drift", "site.yml"],
                                       ["render", "site.yml", "--all", "--out", "out"], ["inventory", "--list"]]

    var files: [String: String] {
        ["hosts.ini": "[border]\nquiet1 ansible_host=127.0.0.1 ansible_port=\(listener.port)\n",
         "site.yml": "- hosts: all\n  instances:\n    - name: default\n",
         "fail.sh": "#!/bin/sh\necho 'cmdb: connection refused' >&2\nexit 3\n",
         "text.sh": "#!/bin/sh\necho 'quiet2 quiet3'\n",
         "bad.cfg": "[defaults]\nforks = many\n"]
    }

    func expectRefused(_ arguments: [String], environment: [String: String] = [:], error: String,
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        try withTemporaryDirectory { directory in
            try write(files, into: directory)
            for script in ["fail.sh", "text.sh"] {
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory + "/" + script)
            }
            let environment = environment.mapValues { $0.replacingOccurrences(of: "$DIR", with: directory) }
            for command in Self.commands {
                let result = try run(postfleetUnderTest, [command[0]] + arguments + command.dropFirst(), in: directory,
                                     environment: environment)
                #expect(result.status == 1, "\(command)", sourceLocation: sourceLocation)
                #expect(result.out == "", "\(command)", sourceLocation: sourceLocation)
                // Commands that connect say `postfleet: ` before a file's error; inventory and render need not.
                let printed = result.err.replacingOccurrences(of: directory + "/", with: "")
                #expect(printed == error || printed == "postfleet: " + error, "\(command): \(result.err)", sourceLocation: sourceLocation)
                #expect(listener.connections() == 0, "\(command)", sourceLocation: sourceLocation)
                #expect(!FileManager.default.fileExists(atPath: directory + "/out"), sourceLocation: sourceLocation)
            }
        }
    }

    @Test func aScriptThatFails() throws {
        try expectRefused(["-i", "hosts.ini", "-i", "fail.sh"], error: """
            fail.sh: error: fail.sh --list exited with status 3
              its standard error:
                cmdb: connection refused

            """)
    }

    @Test func aScriptThatPrintsSomethingElseThanJSON() throws {
        try expectRefused(["-i", "hosts.ini", "-i", "text.sh"], error: """
            text.sh: error: text.sh --list printed something else than JSON: 'quiet2 quiet3'

            """)
    }

    @Test func aMissingInventory() throws {
        try expectRefused(["-i", "hosts.ini", "-i", "hosts.yml"], error: "hosts.yml: error: no such file\n")
    }

    @Test func aWordWithoutEqualsInExtraVars() throws {
        try expectRefused(["-i", "hosts.ini", "-e", "relay=mailhub quiet"], error: """
            -e:1:15: error: expected NAME=VALUE, found 'quiet'; -e takes NAME=VALUE words, YAML or JSON text starting with { or [, or @FILE
            relay=mailhub quiet
                          ^

            """)
    }

    @Test func aMissingExtraVarsFile() throws {
        try expectRefused(["-i", "hosts.ini", "-e", "@vars.yml"], error: "-e @vars.yml: error: no such file\n")
    }

    @Test func aBadLineInAnsibleCfg() throws {
        try expectRefused(["-i", "hosts.ini"], environment: ["ANSIBLE_CONFIG": "$DIR/bad.cfg"], error: """
            bad.cfg:2:9: error: forks must be a whole number, not 'many'
            forks = many
                    ^

            """)
    }
}

/// ansible.cfg, its ANSIBLE_* variables and -e take effect in commands that connect. The
/// hosts are on loopback ports: one where nothing listens (refused at once), one that listens
/// and never answers (which must see no connection when -e moves the host away from it).
@Suite struct AnsibleSettingsCommandTests {
    let listener: LoopbackListener
    init() throws { listener = try LoopbackListener() }

    func exec(_ arguments: [String], files: [String: String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        try withTemporaryDirectory { directory in
            try write(files, into: directory)
            let environment = environment.mapValues { $0.replacingOccurrences(of: "$DIR", with: directory) }
            return try run(postfleetUnderTest, ["exec", "--connect-attempts", "1"] + arguments + ["--", "true"], in: directory,
                           environment: environment)
        }
    }

    @Test("ansible.cfg's inventory when there is no -i, and host_key_checking = False from the environment")
    func inventoryAndHostKeyChecking() throws {
        let closed = try closedLoopbackPort()
        let result = try exec([], files: ["conf/ansible.cfg": "[defaults]\ninventory = ../inv/hosts\n",
                                          "inv/hosts": "quiet1 ansible_host=127.0.0.1 ansible_port=\(closed)\n"],
                              environment: ["ANSIBLE_CONFIG": "$DIR/conf/ansible.cfg", "ANSIBLE_HOST_KEY_CHECKING": "False"])
        #expect(result.status == 4, "\(result.err)")
        #expect(result.out.contains("quiet1 (1): unreachable"), "\(result.out)")
        #expect(result.err.contains("host keys are NOT checked (host_key_checking = False, from ansible.cfg or ANSIBLE_HOST_KEY_CHECKING)"))
    }

    @Test("-e ansible_port over the inventory's: the host is reached where -e says")
    func extraVarsConnect() throws {
        let closed = try closedLoopbackPort()
        let result = try exec(["-i", "hosts", "-e", "ansible_port=\(closed)"],
                              files: ["hosts": "quiet1 ansible_host=127.0.0.1 ansible_port=\(listener.port)\n"])
        #expect(result.status == 4, "\(result.err)")
        #expect(result.out.contains("cannot connect to port \(closed)"), "\(result.out)")
        #expect(listener.connections() == 0)
    }

    @Test("No inventory anywhere: a clear error", .enabled(if: !FileManager.default.fileExists(atPath: "/etc/ansible/hosts")))
    func noInventory() throws {
        let result = try exec([], files: ["conf/ansible.cfg": "[defaults]\nforks = 2\n"], environment: ["ANSIBLE_CONFIG": "$DIR/conf/ansible.cfg"])
        #expect(result.status == 1)
        #expect(result.err.hasPrefix("postfleet: no inventory: give -i INVENTORY"))
    }
}
