import Engine
import Foundation
import Inventory
import SSH
import SSHConfig
import Testing

/// How an inventory host becomes an SSH endpoint: the inventory, then the command line, then
/// ssh_config (looked up for ansible_host, or the name, as ssh is given it by Ansible).
@Suite struct EndpointTests {
    static let config = """
        Host edge*
          HostName %h.border.example.net
          User cfguser
          Port 2222
          IdentityFile ~/.ssh/fleet
          IdentitiesOnly yes
          UserKnownHostsFile ~/.ssh/fleet_known_hosts ~/.ssh/old_known_hosts
          GlobalKnownHostsFile /etc/ssh/fleet_known_hosts
          StrictHostKeyChecking accept-new
          ConnectTimeout 7
          ProxyJump bastion
        Host bastion
          HostName 198.51.100.9
          User jumper
          IdentityFile ~/.ssh/bastion
        Host *
          User fallback
        """

    func defaults(_ commandLine: Set<ConnectionDefaults.RunSetting> = [], user: String? = nil, become: Bool = false) throws -> ConnectionDefaults {
        let config = try SSHClientConfig.parse(Self.config, path: "config", home: "/home/ops", localUser: "ops", includeBase: "/home/ops/.ssh")
        return ConnectionDefaults(user: user, become: become, sshConfig: config, commandLine: commandLine)
    }

    @Test func sshConfigFillsInWhatTheInventoryLeavesOut() throws {
        let endpoint = Endpoint(Host(name: "edge1"), defaults: try defaults())
        #expect(endpoint.name == "edge1")
        #expect(endpoint.address == "edge1.border.example.net")
        #expect(endpoint.port == 2222)
        #expect(endpoint.user == "cfguser")
        #expect(endpoint.identityFiles == ["/home/ops/.ssh/fleet"])
        #expect(endpoint.identitiesOnly)
        #expect(endpoint.knownHostsFiles == ["/home/ops/.ssh/fleet_known_hosts", "/home/ops/.ssh/old_known_hosts"])
        #expect(endpoint.globalKnownHostsFiles == ["/etc/ssh/fleet_known_hosts"])
        #expect(endpoint.hostKeyPolicy == .acceptNew)
        #expect(endpoint.connectTimeout == .seconds(7))
        #expect(endpoint.become == nil)
        // The jump host: its own Host block, and the target's settings where it is silent.
        let jump = try #require(endpoint.jumpHosts.first)
        #expect(endpoint.jumpHosts.count == 1)
        #expect(jump.name == "bastion")
        #expect(jump.address == "198.51.100.9")
        #expect(jump.port == 22)
        #expect(jump.user == "jumper")
        #expect(jump.identityFiles == ["/home/ops/.ssh/bastion"])
    }

    @Test func theInventoryWinsThenTheCommandLine() throws {
        let host = Host(name: "mta1", vars: ["ansible_host": "edge7", "ansible_port": 22, "ansible_user": "root",
                                             "ansible_ssh_private_key_file": "/keys/mta", "jump_host": "ops@jump9:2200"])
        let endpoint = Endpoint(host, defaults: try defaults([.knownHostsFile, .hostKeyPolicy, .connectTimeout], user: "cli"))
        // ssh_config is looked up for ansible_host, whose HostName it still resolves.
        #expect(endpoint.address == "edge7.border.example.net")
        #expect(endpoint.port == 22)
        #expect(endpoint.user == "root")
        // The inventory's key first, then ssh_config's (they add up, as ssh's do).
        #expect(endpoint.identityFiles == ["/keys/mta", "/home/ops/.ssh/fleet"])
        // Given on the command line: ssh_config's do not apply.
        #expect(endpoint.knownHostsFiles == nil && endpoint.hostKeyPolicy == nil && endpoint.connectTimeout == nil)
        // --known-hosts replaces the user's files only, as `ssh -o UserKnownHostsFile=` does.
        #expect(endpoint.globalKnownHostsFiles == ["/etc/ssh/fleet_known_hosts"])
        #expect(endpoint.jumpHosts.map(\.name) == ["jump9"])
        #expect(endpoint.jumpHosts.first?.user == "ops")
        #expect(endpoint.jumpHosts.first?.port == 2200)

        // -u wins over ssh_config's User; ssh_config's over the local user.
        #expect(Endpoint(Host(name: "other"), defaults: try defaults(user: "cli")).user == "cli")
        #expect(Endpoint(Host(name: "other"), defaults: try defaults()).user == "fallback")
        #expect(Endpoint(Host(name: "edge2", vars: ["jump_host": "none"]), defaults: try defaults()).jumpHosts.isEmpty)
    }

    @Test func knownHostsFilesAreTheUsersThenTheMachinesAsSshReadsThem() throws {
        // Nothing said: ssh's defaults.
        let plain = ConnectionOptions(home: "/home/ops")
        #expect(plain.knownHostsFiles == ["/home/ops/.ssh/known_hosts", "/home/ops/.ssh/known_hosts2"])
        #expect(plain.globalKnownHostsFiles == ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"])
        // --known-hosts replaces the user's, not the machine's.
        let given = ConnectionOptions(knownHostsFile: "/srv/kh", home: "/home/ops")
        #expect(given.knownHostsFiles == ["/srv/kh"] && given.globalKnownHostsFiles == plain.globalKnownHostsFiles)
        // ssh_config's, per host, replace either list; `none` empties it.
        let edge = plain.applying(Endpoint(Host(name: "edge1"), defaults: try defaults()))
        #expect(edge.knownHostsFiles == ["/home/ops/.ssh/fleet_known_hosts", "/home/ops/.ssh/old_known_hosts"])
        #expect(edge.globalKnownHostsFiles == ["/etc/ssh/fleet_known_hosts"])
        let none = try SSHClientConfig.parse("UserKnownHostsFile none\nGlobalKnownHostsFile none\n", path: "config", home: "/home/ops",
                                             localUser: "ops", includeBase: "/home/ops/.ssh")
        let bare = plain.applying(Endpoint(Host(name: "x"), defaults: ConnectionDefaults(sshConfig: none)))
        #expect(bare.knownHostsFiles == [] && bare.globalKnownHostsFiles == [])
        // Not said for this host: the run's stay.
        let other = plain.applying(Endpoint(Host(name: "other"), defaults: try defaults()))
        #expect(other.knownHostsFiles == plain.knownHostsFiles && other.globalKnownHostsFiles == plain.globalKnownHostsFiles)
    }

    /// Ansible's ssh arguments weigh as ssh's command line: over ssh_config, under the
    /// inventory's own variables and postfleet's command line.
    @Test func theInventorysSSHArgumentsWinOverSSHConfig() throws {
        let host = Host(name: "edge1", vars: [
            "ansible_user": "invuser",
            "ansible_ssh_common_args": "-o Port=2200 -o User=arguser -o UserKnownHostsFile=/srv/kh -o StrictHostKeyChecking=no -i /keys/arg",
        ])
        let endpoint = Endpoint(host, defaults: try defaults())
        #expect(endpoint.port == 2200)
        #expect(endpoint.user == "invuser")
        #expect(endpoint.address == "edge1.border.example.net")
        #expect(endpoint.identityFiles == ["/keys/arg", "/home/ops/.ssh/fleet"])
        #expect(endpoint.knownHostsFiles == ["/srv/kh"])
        #expect(endpoint.hostKeyPolicy == .off)
        #expect(endpoint.connectTimeout == .seconds(7))
        #expect(endpoint.jumpHosts.map(\.name) == ["bastion"])
        // Given on postfleet's command line, the run's settings stay.
        let cli = Endpoint(host, defaults: try defaults([.knownHostsFile, .hostKeyPolicy]))
        #expect(cli.knownHostsFiles == nil && cli.hostKeyPolicy == nil)
    }

    @Test func aProxyCommandIsRefusedWithWhereItCameFromAndABadOptionIsAnError() throws {
        let d = try defaults()
        let proxied = Host(name: "mta1", vars: ["ansible_ssh_common_args": #"-o ProxyCommand="ssh -W %h:%p bastion""#])
        let found = try d.unsupportedProxyCommand(for: proxied)
        #expect(found?.command == "ssh -W %h:%p bastion")
        #expect(found?.origin.hasPrefix("the inventory's ssh arguments") == true)
        // A jump host said in the inventory goes first.
        let jumped = Host(name: "mta1", vars: ["ansible_ssh_common_args": #"-o ProxyCommand="ssh -W %h:%p bastion""#, "jump_host": "bastion"])
        #expect(try d.unsupportedProxyCommand(for: jumped) == nil)
        // `ProxyCommand none` in the arguments turns off one ssh_config gives.
        let config = try SSHClientConfig.parse("Host *\n  ProxyCommand nc %h %p\n", path: "config", home: "/home/ops", localUser: "ops",
                                               includeBase: "/home/ops/.ssh")
        let withConfig = ConnectionDefaults(sshConfig: config)
        #expect(try withConfig.unsupportedProxyCommand(for: Host(name: "a"))?.origin == "ssh_config")
        #expect(try withConfig.unsupportedProxyCommand(for: Host(name: "a", vars: ["ansible_ssh_extra_args": "-o ProxyCommand=none"])) == nil)

        let bad = Host(name: "mta2", vars: ["ansible_ssh_common_args": "-o Port=22x"])
        let error = #expect(throws: ClientConfigError.self) { try d.sshSettings(for: bad) }
        #expect(error?.description.hasPrefix("mta2: ansible_ssh_common_args or ansible_ssh_extra_args: error: -o 'Port=22x': bad port '22x'") == true,
                "\(String(describing: error))")
        let host = Host(name: "mta2", vars: ["ansible_ssh_common_args": "-o 'Host *'"])
        #expect(throws: ClientConfigError.self) { try d.sshSettings(for: host) }
    }

    @Test func becomeComesFromTheInventoryThenThePlayThenTheFlag() throws {
        let plain = Host(name: "a")
        #expect(Endpoint(plain, defaults: try defaults()).become == nil)
        #expect(Endpoint(plain, defaults: try defaults(become: true)).become == Become(user: "root"))
        #expect(Endpoint(plain, defaults: try defaults(become: true), playBecome: false).become == nil)
        #expect(Endpoint(plain, defaults: try defaults(), playBecome: true, playBecomeUser: "postfix").become == Become(user: "postfix"))
        let refuses = Host(name: "b", vars: ["ansible_become": false])
        #expect(Endpoint(refuses, defaults: try defaults(become: true), playBecome: true).become == nil)
        let wants = Host(name: "c", vars: ["ansible_become": "yes", "ansible_become_user": "mailadm"])
        #expect(Endpoint(wants, defaults: try defaults()).become == Become(user: "mailadm"))
    }

    @Test func aCommandUnderBecomeRunsThroughSudoWithoutAPromptAndTravelsOnStdin() throws {
        let (wrapped, stdin) = Session.becoming(Become(user: "mail adm"), "postmulti -l | grep 'x y' # é", stdin: Array("tar".utf8))
        #expect(wrapped == #"exec sudo -n -H -u 'mail adm' -- /bin/sh -c 'eval "$(head -c 30)"'"#)
        #expect(stdin == Array("postmulti -l | grep 'x y' # é".utf8) + Array("tar".utf8))
        // What the host runs, as sudo would start it: the command from the first bytes (a byte
        // count: é is two), and the rest of stdin left for it.
        let script = "echo \"ran: $(cat)\" # ü\n"
        let (line, input) = Session.becoming(Become(), script, stdin: Array("rest of stdin".utf8))
        // The bootstrap holds no single quote, so Shell.quote wrapped it whole in a pair.
        let sh = try #require(line.components(separatedBy: "/bin/sh -c '").last.map { String($0.dropLast()) })
        #expect(sh == "eval \"$(head -c \(script.utf8.count))\"")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", sh]
        let pipe = Pipe(), output = Pipe()
        p.standardInput = pipe
        p.standardOutput = output
        try p.run()
        pipe.fileHandleForWriting.write(Data(input))
        try pipe.fileHandleForWriting.close()
        p.waitUntilExit()
        #expect(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "ran: rest of stdin\n")
    }
}
