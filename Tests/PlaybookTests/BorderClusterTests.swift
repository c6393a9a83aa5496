import Foundation
import Inventory
import Playbook
import Postfix
import Testing

/// The shipped border-cluster playbook, rendered for the example inventory, judged by the
/// real postconf(1): every instance's main.cf, with its master.cf beside it, must be read
/// without a single warning.
@Suite struct BorderClusterTests {
    let inventory: Inventory
    let playbook: Playbook

    init() throws {
        inventory = try Inventory.load(path: repositoryRoot + "/inventories/example.yml")
        playbook = try Playbook.load(path: repositoryRoot + "/playbooks/border-cluster.yml")
    }

    @Test func theExampleInventoryIsTheLabsLayout() throws {
        #expect(inventory.hosts(inGroup: "border").map(\.name) == (1...8).map { "mta\($0)" })
        #expect(inventory.hosts(inGroup: "hub").map(\.name) == ["mailhub"])
        for k in 1...8 {
            let host = try inventory.requireHost("mta\(k)")
            #expect(host.address == "198.18.0.\(k)")
            #expect(host.user == "root")
            #expect(host.vars["domain"] == "example.com")
            #expect(host.vars["admin"] == "mtaadmin")
            #expect(host.vars["mailhub"] == "mailhub.example.com")
        }
        #expect(try inventory.requireHost("mailhub").address == "198.18.0.250")
    }

    @Test func mta3GetsEveryFileOfTheWalkThrough() throws {
        let files = try playbook.render(for: inventory.requireHost("mta3"), inventory: inventory)
        #expect(files.map(\.path) == [
            "/etc/postfix/main.cf", "/etc/postfix/generic", "/etc/postfix/virtual",
            "/etc/postfix-out/main.cf", "/etc/postfix-out/master.cf.postconf",
            "/etc/postfix-in/main.cf",
        ])
        let generic = try #require(files.text(at: "/etc/postfix/generic"))
        let entries = generic.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(entries.count == 1)
        #expect(entries.first?.split(whereSeparator: { $0 == " " || $0 == "\t" }) == ["root", "mtaadmin+root=mta3"])
        #expect(generic.contains("\nroot\tmtaadmin+root=mta3\n"))
        let virtual = try #require(files.text(at: "/etc/postfix/virtual"))
        #expect(virtual.split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { $0.split(whereSeparator: \.isWhitespace) } == [["root", "mtaadmin"], ["postmaster", "root"]])
    }

    @Test(.enabled(if: Postconf.isInstalled))
    func postconfAcceptsEveryInstanceOfMta3WithoutAWarning() throws {
        let settings = try checkedSettings(for: "mta3")
        let main = try #require(settings["/etc/postfix"])
        #expect(main["myhostname"] == "mta3.example.com")
        #expect(main["mydomain"] == "example.com")
        #expect(main["myorigin"] == "$mydomain")
        #expect(main["master_service_disable"] == "inet")
        #expect(main["mydestination"] == "")
        #expect(main["local_transport"] == "error:5.1.1 Mailbox unavailable")
        #expect(main["relayhost"] == "[mailhub.example.com]")
        #expect(main["default_database_type"] == "cdb")
        #expect(main["indexed"] == "${default_database_type}:${config_directory}/")
        #expect(main["smtp_generic_maps"] == "${indexed}generic")
        #expect(main["virtual_alias_maps"] == "${indexed}virtual")
        #expect(main["compatibility_level"] == "3.6")
        #expect(main["maillog_file"] == "/var/log/postfix.log")
        #expect(main["multi_instance_wrapper"] == "${command_directory}/postmulti -p --")
        #expect(main["multi_instance_enable"] == "yes")
        #expect(main["multi_instance_directories"] == "/etc/postfix-out /etc/postfix-in")

        let out = try #require(settings["/etc/postfix-out"])
        #expect(out["multi_instance_name"] == "postfix-out")
        #expect(out["multi_instance_group"] == "mta")
        #expect(out["multi_instance_enable"] == "yes")
        #expect(out["queue_directory"] == "/var/spool/postfix-out")
        #expect(out["data_directory"] == "/var/lib/postfix-out")
        #expect(out["master_service_disable"] == "")
        #expect(out["authorized_submit_users"] == "root")
        #expect(out["inet_interfaces"] == "loopback-only")
        #expect(out["smtpd_recipient_restrictions"] == "permit_mynetworks, reject")
        #expect(out["relay_domains"] == "example.com, .example.com")
        #expect(out["relayhost"] == "[mailhub.example.com]")
        #expect(out["maillog_file"] == "/var/log/postfix-out.log")

        let input = try #require(settings["/etc/postfix-in"])
        #expect(input["multi_instance_name"] == "postfix-in")
        #expect(input["multi_instance_group"] == "mta")
        #expect(input["queue_directory"] == "/var/spool/postfix-in")
        // Listening on the Internet: the host's public address from the inventory, and
        // the loopback (as rendered; the check above ran with the loopback alone); the
        // guide's XCLIENT test setting is not there.
        let rendered = try playbook.render(for: inventory.requireHost("mta3"), inventory: inventory)
        let inputMainCF = try #require(rendered.first { $0.path == "/etc/postfix-in/main.cf" })
        #expect(MainCF(inputMainCF.text).value(of: "inet_interfaces") == "\(Self.mta3Address), 127.0.0.1")
        #expect(input["inet_interfaces"] == "127.0.0.1")
        #expect(input["smtpd_authorized_xclient_hosts"] == nil)
        #expect(input["default_transport"] == "smtp:[127.0.0.1]:10025")
        #expect(input["relay_transport"] == "$default_transport")
        #expect(input["smtp_send_xforward_command"] == "yes")
        #expect(input["master_service_disable"] == "")
        #expect(input["authorized_submit_users"] == "root")
        #expect(input["maillog_file"] == "/var/log/postfix-in.log")
    }

    @Test(.enabled(if: Postconf.isInstalled))
    func theOutputInstanceListensOnTheReinjectionPortOnly() throws {
        let files = try playbook.render(for: inventory.requireHost("mta3"), inventory: inventory)
        try withTemporaryDirectory { directory in
            try stage(files, instance: "/etc/postfix-out", in: directory)
            let services = try run(Postconf.path, ["-c", directory, "-M"])
            #expect(services.err == "")
            let inet = services.out.split(separator: "\n").filter { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first == "inet" }
            #expect(inet.map { $0.split(separator: " ").first.map(String.init) } == ["127.0.0.1:10026"])
            #expect(inet.first?.split(whereSeparator: \.isWhitespace).map(String.init) == ["127.0.0.1:10026", "inet", "n", "-", "n", "-", "-", "smtpd"])
        }
    }

    @Test(.enabled(if: Postconf.isInstalled))
    func everyHostOfTheClusterRendersAndPassesPostconf() throws {
        var rendered: [String] = []
        for host in inventory.hosts {
            let files = try playbook.render(for: host, inventory: inventory)
            if host.name == "mailhub" {
                #expect(files.isEmpty)
                continue
            }
            rendered.append(host.name)
            #expect(files.count == 6)
            #expect(files.text(at: "/etc/postfix/generic")?.contains("\nroot\tmtaadmin+root=\(host.name)\n") == true)
            let settings = try checkedSettings(for: host.name)
            #expect(settings["/etc/postfix"]?["myhostname"] == "\(host.name).example.com")
        }
        #expect(rendered == (1...8).map { "mta\($0)" })
    }

    @Test func genericMapsRendersOnlyTheGenericTable() throws {
        let genericMaps = try Playbook.load(path: repositoryRoot + "/playbooks/generic-maps.yml")
        for host in inventory.hosts(inGroup: "border") {
            let files = try genericMaps.render(for: host, inventory: inventory)
            #expect(files.map(\.path) == ["/etc/postfix/generic"])
            #expect(files.first?.kind == .table(name: "generic", type: .cdb))
            #expect(files.first?.text.contains("\nroot\tmtaadmin+root=\(host.name)\n") == true)
        }
        #expect(try genericMaps.render(for: inventory.requireHost("mailhub"), inventory: inventory).isEmpty)
    }

    @Test func groupRestartHasTasksAndNoFiles() throws {
        let restart = try Playbook.load(path: repositoryRoot + "/playbooks/group-restart.yml")
        #expect(try restart.render(for: inventory.requireHost("mta1"), inventory: inventory).isEmpty)
        #expect(try restart.plays[0].hosts(in: inventory).count == 8)
    }

    // MARK: -

    /// mta3's border_address in inventories/example.yml.
    static let mta3Address = "198.18.0.3"

    /// Stages each instance's configuration as it will be on `host` in a temporary directory
    /// (the rendered main.cf; master.cf from the stock one, with the rendered postconf edits
    /// applied by the real postconf), runs `postconf -c DIR -n`, requires an empty stderr,
    /// and returns each instance's settings.
    private func checkedSettings(for host: String) throws -> [String: [String: String]] {
        let files = try playbook.render(for: inventory.requireHost(host), inventory: inventory)
        var settings: [String: [String: String]] = [:]
        for instance in playbook.plays[0].postfixInstances {
            try withTemporaryDirectory { directory in
                try stage(files, instance: instance.configDirectory, in: directory)
                let result = try run(Postconf.path, ["-c", directory, "-n"])
                #expect(result.status == 0, "\(host) \(instance.name)")
                #expect(result.err == "", "postconf -n for \(instance.name) of \(host) warned: \(result.err)")
                var values: [String: String] = [:]
                for line in result.out.split(separator: "\n") {
                    guard let range = line.range(of: " =") else { continue }
                    let value = line[range.upperBound...]
                    values[String(line[..<range.lowerBound])] = String(value.hasPrefix(" ") ? value.dropFirst() : value)
                }
                settings[instance.configDirectory] = values
            }
        }
        return settings
    }

    /// Writes the instance's main.cf and master.cf into `directory`.
    private func stage(_ files: [RenderedFile], instance configDirectory: String, in directory: String) throws {
        let main = try #require(files.first { $0.path == configDirectory + "/main.cf" })
        // postconf refuses an inet_interfaces address that is none of this machine's: the
        // host's own address (border_address) is checked on the host, here the loopback stands in.
        let text = main.text.replacingOccurrences(of: #"inet_interfaces = 198\.18\.0\.\d+, "#, with: "inet_interfaces = ",
                                                  options: .regularExpression)
        try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/main.cf"))
        try coolDown(directory + "/main.cf")
        if let master = files.first(where: { $0.path == configDirectory + "/master.cf" }) {
            try Data(master.contents).write(to: URL(fileURLWithPath: directory + "/master.cf"))
        } else {
            try FileManager.default.copyItem(atPath: "/usr/share/postfix/master.cf.dist", toPath: directory + "/master.cf")
        }
        if let edits = files.first(where: { $0.path == configDirectory + "/master.cf.postconf" }) {
            for edit in edits.edits {
                let result = try run(Postconf.path, Array(edit.arguments(configDirectory: directory).dropFirst()))
                #expect(result.status == 0 && result.err == "", "\(edit): \(result.err)")
            }
        }
    }
}
