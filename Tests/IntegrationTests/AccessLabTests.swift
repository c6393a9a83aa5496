import Engine
import Foundation
import SSH
import Testing

/// Production access, through the command line as an administrator uses it: an ordinary
/// login with sudo rights (mta25), an ssh_config that names hosts by alias and reaches one
/// only through a jump host (mta26 in front of mta27, which drops the controller's packets).
@Suite(.cleansUp, .labOf(LabHosts.access), .serialized, .timeLimit(.minutes(10)))
struct AccessLabTests {
    let lab = Lab.current!

    var binary: String { Lab.binary }

    var playbook: String { Lab.repository.appendingPathComponent("playbooks/border-cluster.yml").path }

    func onHost(_ host: String, _ command: String) async throws -> String { try await lab.onHost(host, command) }

    /// An inventory of mta25 alone, logging in as `user`.
    func inventory(in dir: URL, user: String, hostVars: [String] = []) throws -> String {
        try lab.borderInventory(in: dir, host: "mta25", user: user, hostVars: hostVars)
    }

    /// Every configuration file's checksum and `postmulti -l`: what "nothing changed" means.
    func snapshot() async throws -> String {
        try await onHost("mta25", "cd /etc && find postfix* -type f -exec sha256sum {} + | sort; postmulti -l")
    }

    @Test func anOrdinaryLoginWithSudoRightsConvergesTheHost() async throws {
        try await lab.resetForTest(["mta25"])
        try await lab.addSudoUsers(on: "mta25")
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inventory = try inventory(in: scratch, user: "pfadmin")
        let common = ["-i", inventory, "--known-hosts", lab.knownHosts]

        let plain = try await runProcess(binary, ["exec"] + common + ["id -un"])
        #expect(plain.status == 0 && plain.stdout.contains("pfadmin"), "\(plain.stdout)\(plain.stderr)")
        let became = try await runProcess(binary, ["exec", "--become"] + common + ["id -un; printf '%s\\n' \"$SUDO_USER\""])
        #expect(became.status == 0 && became.stdout.contains("root\npfadmin"), "\(became.stdout)\(became.stderr)")

        let run = try await runProcess(binary, ["run", playbook, "--become"] + common, seconds: 240)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        // The host is converged, as root would have left it.
        let listing = try await onHost("mta25", "postmulti -l")
        #expect(listing.contains("postfix-out") && listing.contains("postfix-in"), "\(listing)")
        let owners = try await onHost("mta25", "stat -c '%U %n' /etc/postfix-in/main.cf /etc/postfix-out/master.cf")
        #expect(owners == "root /etc/postfix-in/main.cf\nroot /etc/postfix-out/master.cf\n")
        let log = try await onHost("mta25", "cat /var/log/sshd.log")
        #expect(log.contains("Accepted publickey for pfadmin"), "\(log)")
        #expect(!log.contains("Accepted publickey for root"), "the run logged in as root")
        // sudo logged each command (exec's, the facts, the apply script: 34, about 2,000 and
        // 10,000 bytes) as the short line that reads it from stdin, not its text.
        let sudo = try await onHost("mta25", "cat /var/log/sudo.log").split(separator: "\n")
        #expect(sudo.count >= 3 && sudo.allSatisfy { $0.contains("USER=root ; COMMAND=/bin/sh -c 'eval \"$(head -c ") }, "\(sudo)")
        #expect(!sudo.contains { $0.contains("postconf") || $0.contains("postmulti") }, "\(sudo)")

        // A second run has nothing to do.
        let again = try await runProcess(binary, ["run", playbook, "--become"] + common, seconds: 120)
        #expect(again.status == 0 && again.stdout.contains("1 ok, 0 changed"), "\(again.stdout)")
    }

    @Test func sudoThatWantsAPasswordFailsBeforeAnyChange() async throws {
        try await lab.resetForTest(["mta25"])
        try await lab.addSudoUsers(on: "mta25")
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inventory = try inventory(in: scratch, user: "pfpw")
        let before = try await snapshot()

        let run = try await runProcess(binary, ["run", playbook, "-i", inventory, "--known-hosts", lab.knownHosts, "--become"], seconds: 120)
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("mta25"))
        #expect(run.stdout.contains("become: sudo -n refused to run commands as root for pfpw: sudo: a password is required"), "\(run.stdout)")
        await #expect(try snapshot() == before, "the host changed although sudo refused")

        // The inventory's own ansible_become does the same without the flag, for any command.
        let becoming = try self.inventory(in: scratch, user: "pfpw", hostVars: ["ansible_become: true"])
        let exec = try await runProcess(binary, ["exec", "-i", becoming, "--known-hosts", lab.knownHosts, "--", "touch /etc/postfix/pf-was-here"])
        #expect(exec.status != 0, "\(exec.stdout)")
        #expect(exec.stdout.contains("a password is required"), "\(exec.stdout)\(exec.stderr)")
        #expect(try await onHost("mta25", "ls /etc/postfix/pf-was-here 2>&1 || true").contains("No such file"))
    }
}

/// With `POSTFLEET_REQUIRE_LAB=1`, a lab too small for AccessLabTests is a failure, not a silent skip.
@Suite struct AccessLabPresence {
    @Test func theLabIsLargeEnoughWhenRequired() { expectLab(of: LabHosts.access, for: "AccessLabTests") }
}
