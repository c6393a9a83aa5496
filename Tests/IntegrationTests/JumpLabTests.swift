import Engine
import Foundation
import SSH
import Testing

/// Hosts behind a jump host (ProxyJump), against the lab's OpenSSH servers. mta27 drops
/// everything the controller (198.18.0.254) sends it, so the only way in is through mta26
/// (and, for two hops, mta3 then mta26).
@Suite(.cleansUp, .labOf(LabHosts.jump), .serialized, .timeLimit(.minutes(10)))
struct JumpLabTests {
    let lab = Lab.current!

    static let isolate = """
        nft add table inet pfjump && nft add chain inet pfjump input '{ type filter hook input priority 0; }' && \
        nft add rule inet pfjump input ip saddr 198.18.0.254 drop
        """
    static let open = "nft delete table inet pfjump 2>/dev/null || true"

    /// Cuts `hosts` (mta27 by default) off from the controller for the length of `body`.
    func withIsolatedTarget<T>(_ hosts: [String] = ["mta27"], _ body: () async throws -> T) async throws -> T {
        for host in hosts {
            try await lab.onHost(host, Self.open)
            try await lab.onHost(host, Self.isolate)
        }
        do {
            let result = try await body()
            for host in hosts { try await lab.onHost(host, Self.open) }
            return result
        } catch {
            for host in hosts { _ = try? await lab.onHost(host, Self.open) }
            throw error
        }
    }

    func target(through jumps: [String]) throws -> Endpoint {
        var target = try lab.endpoint("mta27")
        target.jumpHosts = try jumps.map { try lab.endpoint($0) }
        return target
    }

    @Test func aHostOnlyAJumpHostCanReachAnswersThroughIt() async throws {
        try await withIsolatedTarget {
            var quick = lab.options()
            quick.connectTimeout = .seconds(1)
            // Directly: nothing answers.
            let direct = await #expect(throws: SSHError.self) { try await Session.connect(try lab.endpoint("mta27"), options: quick) }
            #expect(direct?.phase == .connect && direct?.code == .timeout, "\(String(describing: direct))")

            let session = try await Session.connect(try target(through: ["mta26"]), options: lab.options())
            let who = try await session.exec("uname -n; echo $SSH_CONNECTION")
            let lines = who.stdoutText.split(separator: "\n")
            #expect(lines.first == "mta27")
            // sshd on mta27 saw the connection come from the jump host.
            #expect(lines.last?.hasPrefix("198.18.0.26 ") == true, "\(who.stdoutText)")

            // Bulk both ways, larger than every window on the path, byte for byte.
            let payload = (0..<(6 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
            let echoed = try await session.exec("cat", stdin: payload)
            #expect(echoed.succeeded)
            #expect(echoed.stdout.count == payload.count)
            #expect(echoed.stdout == payload)
            await session.close()
        }
    }

    /// A slow link to the jump host (its lab veth's queue lets 20 Mbit/s through from the
    /// controller): the controller's socket fills, and libssh2 stops with packets half-sent,
    /// in a session of its own and in the jump host's session under a tunnel. Bulk data
    /// still goes both ways, byte for byte.
    @Test func bulkDataOverASlowLink() async throws {
        let veth = "pflab-mta26"
        let slow = try await runProcess("/usr/sbin/tc", ["qdisc", "replace", "dev", veth, "root", "tbf", "rate", "20mbit", "burst", "32kbit", "latency", "400ms"])
        try #require(slow.status == 0, "tc: \(slow.stderr)")
        afterTest { _ = try await runProcess("/usr/sbin/tc", ["qdisc", "del", "dev", veth, "root"]) }
        let payload = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_246_822_519 >> 11) }

        let direct = try await Session.connect(try lab.endpoint("mta26"), options: lab.options())
        let echoed = try await direct.exec("cat; echo done >&2", stdin: payload)
        #expect(echoed.succeeded && echoed.stderrText == "done\n")
        #expect(echoed.stdout == payload)
        await direct.close()

        try await withIsolatedTarget {
            let session = try await Session.connect(try target(through: ["mta26"]), options: lab.options())
            let echoed = try await session.exec("cat; echo done >&2", stdin: payload)
            #expect(echoed.succeeded && echoed.stderrText == "done\n")
            #expect(echoed.stdout == payload)
            await session.close()
        }
    }

    /// Through mta3, then mta26. mta26 is cut off from the controller as well, so the only
    /// way to it is through mta3: a session that skipped the first hop could not get in. Its
    /// sshd logs the connection from mta3's address, and mta27's the one from mta26's.
    @Test func twoJumpHostsInARow() async throws {
        try await withIsolatedTarget(["mta26", "mta27"]) {
            let before = try await lab.sshdConnections("mta26").count
            let session = try await Session.connect(try target(through: ["mta3", "mta26"]), options: lab.options())
            let who = try await session.exec("uname -n; echo $SSH_CONNECTION")
            #expect(who.stdoutText.hasPrefix("mta27\n198.18.0.26 "), "\(who.stdoutText)")
            await session.close()
            let new = try await lab.sshdConnections("mta26").dropFirst(before)
            #expect(new.count == 1 && new.allSatisfy { $0.hasPrefix("198.18.0.3 port ") }, "mta26's sshd: \(new)")
        }
    }

    /// The jump host's key is checked like any host's: an unknown one stops the connection
    /// there, and the failure is reported for the host asked for, naming the jump host.
    @Test func theJumpHostsKeyIsChecked() async throws {
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // A known_hosts file with every lab host but mta26.
        let all = try String(contentsOfFile: lab.knownHosts, encoding: .utf8)
        let withoutJump = all.split(separator: "\n").filter { !$0.hasPrefix("198.18.0.26 ") && !$0.hasPrefix("mta26") }
        try #require(withoutJump.count < all.split(separator: "\n").count, "the lab's known_hosts has no line for mta26")
        let known = scratch.appendingPathComponent("known_hosts").path
        try (withoutJump.joined(separator: "\n") + "\n").write(toFile: known, atomically: true, encoding: .utf8)

        let error = await #expect(throws: SSHError.self) {
            try await Session.connect(try target(through: ["mta26"]), options: lab.options(knownHosts: known))
        }
        #expect(error?.host == "mta27")
        #expect(error?.phase == .hostKey)
        #expect(error?.code == .hostKeyUnknown)
        #expect(error?.description.contains("jump host mta26 (198.18.0.26:22)") == true, "\(String(describing: error))")
    }

    /// A jump host that cannot reach the target: reported for the target, in the connect phase.
    @Test func aJumpHostThatCannotReachTheTarget() async throws {
        var target = try lab.endpoint("mta27")
        target.port = 2  // nothing listens there
        target.jumpHosts = [try lab.endpoint("mta26")]
        let error = await #expect(throws: SSHError.self) { try await Session.connect(target, options: lab.options()) }
        #expect(error?.host == "mta27" && error?.phase == .connect, "\(String(describing: error))")
        #expect(error?.description.contains("the jump host mta26 could not connect to 198.18.0.27 port 2") == true,
                "\(String(describing: error))")
    }

    var binary: String { Lab.binary }

    /// Through the command line, with an ssh_config (-F) that names the host by an alias,
    /// says how to reach it (HostName, User, IdentityFile, IdentitiesOnly, a known_hosts file
    /// of its own with accept-new, ProxyJump to a jump host with its own block): the inventory
    /// only says `edge27`, and its own port wins over the config's.
    @Test func anSSHConfigNamesTheHostAndItsJumpHost() async throws {
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let known = scratch.appendingPathComponent("edge_known_hosts").path
        FileManager.default.createFile(atPath: known, contents: nil)
        let config = scratch.appendingPathComponent("ssh_config").path
        try """
            # as an administrator's ~/.ssh/config would say it
            Host edge*
              HostName 198.18.0.27
              User root
              Port 2
              IdentityFile \(lab.key)
              IdentitiesOnly yes
              UserKnownHostsFile \(known)
              StrictHostKeyChecking accept-new
              ConnectTimeout 3
              ProxyJump bastion
            Host bastion
              HostName 198.18.0.26
              IdentityFile \(lab.key)
              UserKnownHostsFile \(lab.knownHosts)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let inventory = scratch.appendingPathComponent("inventory.yml").path
        try "all:\n  hosts:\n    edge27:\n      ansible_port: 22\n".write(toFile: inventory, atomically: true, encoding: .utf8)

        try await withIsolatedTarget {
            let run = try await runProcess(binary, ["exec", "-i", inventory, "-F", config, "--connect-attempts", "1", "--", "uname -n"])
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            #expect(run.stdout.contains("edge27 (1)") && run.stdout.contains("\nmta27\n"), "\(run.stdout)")
            // accept-new recorded mta27's key in the known_hosts file the config names.
            let recorded = try String(contentsOfFile: known, encoding: .utf8)
            #expect(recorded.hasPrefix("198.18.0.27 ssh-ed25519 "), "\(recorded)")

            // Without the config (and so without the jump host), mta27 does not answer. (The
            // address is given: a bare `edge27` would be looked up in DNS, outside the lab.)
            let direct = scratch.appendingPathComponent("direct.yml").path
            try "all:\n  hosts:\n    edge27:\n      ansible_host: 198.18.0.27\n      ansible_ssh_private_key_file: \(lab.key)\n"
                .write(toFile: direct, atomically: true, encoding: .utf8)
            let without = try await runProcess(binary, ["exec", "-i", direct, "-F", "none", "--known-hosts", lab.knownHosts,
                                                  "--connect-timeout", "1", "--connect-attempts", "1", "--", "uname -n"])
            #expect(without.status == 4, "\(without.stdout)\(without.stderr)")
            #expect(without.stdout.contains("connect: no answer from 198.18.0.27 port 22"), "\(without.stdout)")
        }
    }

    /// Production access as a whole: mta27 answers only its bastion (mta26, entered as root),
    /// and on mta27 postfleet logs in as an ordinary user with sudo rights. A rollout of the
    /// border cluster converges it, `instances` and `drift` read it back, all through the
    /// bastion and sudo; sshd on mta27 saw only the ordinary user, coming from the bastion.
    @Test func aRolloutThroughABastionAsAnOrdinaryUserWithSudo() async throws {
        try await lab.resetForTest(["mta27"])
        try await lab.addSudoUsers(on: "mta27")
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inventory = try lab.borderInventory(in: scratch, host: "mta27", user: "pfadmin",
                                                hostVars: ["ansible_become: true", "jump_host: root@198.18.0.26"])
        let playbook = Lab.repository.appendingPathComponent("playbooks/border-cluster.yml").path
        let common = ["-i", inventory, "--known-hosts", lab.knownHosts, "-F", "none"]

        try await withIsolatedTarget {
            let run = try await runProcess(binary, ["run", playbook] + common, seconds: 240)
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            #expect(run.stdout.contains("1 changed"), "\(run.stdout)")

            let listing = try await lab.onHost("mta27", "postmulti -l")
            #expect(listing.contains("postfix-out     mta             y") && listing.contains("postfix-in      mta             y"),
                    "\(listing)")
            let owner = try await lab.onHost("mta27", "stat -c %U /etc/postfix-in/main.cf")
            #expect(owner == "root\n")

            let instances = try await runProcess(binary, ["instances"] + common)
            #expect(instances.status == 0, "\(instances.stdout)\(instances.stderr)")
            let inRow = instances.stdout.split(separator: "\n").first { $0.hasPrefix("mta27  postfix-in ") }
            #expect(inRow?.split(separator: " ", omittingEmptySubsequences: true).prefix(5) == ["mta27", "postfix-in", "mta", "yes", "yes"],
                    "\(instances.stdout)")

            let drift = try await runProcess(binary, ["drift", playbook] + common, seconds: 120)
            #expect(drift.status == 0 && drift.stdout.hasPrefix("mta27 (1): no drift\n"), "\(drift.stdout)\(drift.stderr)")

            let log = try await lab.onHost("mta27", "cat /var/log/sshd.log")
            #expect(log.contains("Accepted publickey for pfadmin from 198.18.0.26 "), "\(log)")
            #expect(!log.contains("Accepted publickey for root"), "postfleet logged in to mta27 as root")
        }
    }

    /// An Ansible inventory that reaches its hosts with ssh arguments
    /// (`ansible_ssh_common_args`): postfleet reads them as `ssh` would, so the same
    /// inventory serves both. A ProxyCommand, which postfleet cannot run, and a bad option
    /// are bad input, and no host is contacted.
    @Test func anInventorysSSHArgumentsAreReadAsSshReadsThem() async throws {
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let known = scratch.appendingPathComponent("kh").path
        // The bastion's own settings, as an administrator's ssh_config gives them.
        let config = scratch.appendingPathComponent("ssh_config").path
        try "Host 198.18.0.26\n  UserKnownHostsFile \(lab.knownHosts)\n".write(toFile: config, atomically: true, encoding: .utf8)
        func postfleet(_ arguments: String) async throws -> (status: Int32, stdout: String, stderr: String) {
            let inventory = scratch.appendingPathComponent("inventory.yml").path
            try """
                all:
                  hosts:
                    mta27:
                      ansible_host: 198.18.0.27
                      ansible_ssh_private_key_file: \(lab.key)
                      ansible_ssh_common_args: '\(arguments)'
                """.write(toFile: inventory, atomically: true, encoding: .utf8)
            return try await runProcess(binary, ["exec", "-i", inventory, "-F", config, "--connect-attempts", "1", "--", "uname -n"])
        }

        try await withIsolatedTarget {
            let jumped = try await postfleet("-J root@198.18.0.26 -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=\(known) -o ConnectTimeout=3")
            #expect(jumped.status == 0 && jumped.stdout.contains("\nmta27\n"), "\(jumped.stdout)\(jumped.stderr)")
            let recorded = try String(contentsOfFile: known, encoding: .utf8)
            #expect(recorded.hasPrefix("198.18.0.27 ssh-ed25519 "), "\(recorded)")

            let proxied = try await postfleet(#"-o ProxyCommand="ssh -W %h:%p root@198.18.0.26""#)
            #expect(proxied.status == 1)
            #expect(proxied.stderr.contains("the inventory's ssh arguments (ansible_ssh_common_args, ansible_ssh_extra_args) give mta27 the ProxyCommand 'ssh -W %h:%p root@198.18.0.26', which postfleet cannot run"),
                    "\(proxied.stderr)")
            #expect(proxied.stdout.isEmpty)

            let bad = try await postfleet("-o Port=22x")
            #expect(bad.status == 1)
            #expect(bad.stderr.contains("mta27: ansible_ssh_common_args or ansible_ssh_extra_args: error: -o 'Port=22x': bad port '22x'"),
                    "\(bad.stderr)")
            #expect(bad.stdout.isEmpty)
        }
    }

    /// A bastion with sshd's default MaxStartups (10:30:100, where the lab's hosts allow
    /// more): 25 hosts at once through it, each tried once, all get through, because their
    /// logins to the bastion take turns, and the rare one sshd still drops before its banner
    /// (other tests log in to mta26 meanwhile, as other admins would) is logged in again.
    /// (Without either, about one in five was dropped.) The 25 are mta27 under 25 names:
    /// the load is on the bastion.
    @Test func manyHostsAtOnceThroughABastionWithSshdsDefaultMaxStartups() async throws {
        @Sendable func maxStartups(_ value: String) async throws {
            try await lab.onHost("mta26", """
                sed -i 's/^MaxStartups .*/MaxStartups \(value)/' /etc/ssh/sshd_config.pflab && kill -HUP "$(cat /run/sshd.pid)"
                sleep 0.2
                for i in $(seq 50); do
                  timeout 1 bash -c 'exec 3<>/dev/tcp/198.18.0.26/22 && head -c 4 <&3' 2>/dev/null | grep -q SSH- && exit 0
                  sleep 0.1
                done
                echo "sshd on mta26 did not come back after SIGHUP" >&2; exit 1
                """)
        }
        try await maxStartups("10:30:100")
        afterTest { try await maxStartups("100:30:200") }
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inventory = scratch.appendingPathComponent("inventory.yml").path
        try ("all:\n  vars:\n    ansible_host: 198.18.0.27\n    ansible_ssh_private_key_file: \(lab.key)\n"
             + "    jump_host: root@198.18.0.26\n  hosts:\n" + (1...25).map { "    edge\($0): {}\n" }.joined())
            .write(toFile: inventory, atomically: true, encoding: .utf8)

        let run = try await runProcess(binary, ["exec", "-i", inventory, "--known-hosts", lab.knownHosts, "-F", "none",
                                          "-f", "25", "--connect-attempts", "1", "--", "uname -n"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("edge[1-25] (25)\n") && run.stdout.contains("ok=25 failed=0 unreachable=0"), "\(run.stdout)")
    }

    /// A mistake in ssh_config is bad input: its file, line and column, and no host contacted.
    @Test func aMistakeInSSHConfigIsBadInput() async throws {
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = scratch.appendingPathComponent("ssh_config").path
        try "Host mta26\n  Port 22x\n".write(toFile: config, atomically: true, encoding: .utf8)
        let run = try await runProcess(binary, ["exec", "-i", lab.inventoryPath, "-l", "mta26", "-F", config, "--", "true"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(config):2:8: error: "), "\(run.stderr)")
        #expect(run.stdout.isEmpty)

        // A ProxyCommand, which postfleet cannot run, is refused rather than gone around.
        try "Host 198.18.0.26\n  ProxyCommand ssh -W %h:%p bastion\n".write(toFile: config, atomically: true, encoding: .utf8)
        let proxied = try await runProcess(binary, ["exec", "-i", lab.inventoryPath, "-l", "mta26", "-F", config, "--", "true"])
        #expect(proxied.status == 1)
        #expect(proxied.stderr.contains("ssh_config gives mta26 the ProxyCommand 'ssh -W %h:%p bastion', which postfleet cannot run"),
                "\(proxied.stderr)")
        #expect(proxied.stdout.isEmpty)
    }
}

/// With `POSTFLEET_REQUIRE_LAB=1`, a lab too small for JumpLabTests is a failure, not a silent skip.
@Suite struct JumpLabPresence {
    @Test func theLabIsLargeEnoughWhenRequired() { expectLab(of: LabHosts.jump, for: "JumpLabTests") }
}
