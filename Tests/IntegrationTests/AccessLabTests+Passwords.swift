import Foundation
import Testing

/// Password logins and sudo with a password (Ansible's `ansible_password`,
/// `ansible_become_password`), on mta25: the user `pfpass` has no key, only a password.
extension AccessLabTests {
    static let loginPassword = "Wr0ng'Way \"round$HOME;`id`"

    @Test func aPasswordLoginWithSudoThatAsksForAPasswordConvergesTheHost() async throws {
        try await lab.resetForTest(["mta25"])
        try await lab.addPasswordUser(on: "mta25", password: Self.loginPassword)
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // The vault idiom: the password variables refer to variables that hold the secrets.
        let quoted = "'" + Self.loginPassword.replacingOccurrences(of: "'", with: "''") + "'"
        let inventory = try inventory(in: scratch, user: "pfpass", hostVars: [
            "vault_login: \(quoted)", "ansible_password: '{{ vault_login }}'",
            "ansible_become_password: '{{ vault_login }}'", "ansible_become: true",
        ])
        let common = ["-i", inventory, "--known-hosts", lab.knownHosts]

        let became = try await runProcess(binary, ["exec"] + common + ["id -un; printf '%s\\n' \"$SUDO_USER\""])
        #expect(became.status == 0 && became.stdout.contains("root\npfpass"), "\(became.stdout)\(became.stderr)")
        let run = try await runProcess(binary, ["run", playbook, "--diff"] + common, seconds: 240)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let listing = try await onHost("mta25", "postmulti -l")
        #expect(listing.contains("postfix-out") && listing.contains("postfix-in"), "\(listing)")
        let log = try await onHost("mta25", "cat /var/log/sshd.log")
        #expect(log.contains("Accepted password for pfpass"), "\(log)")
        // The key was offered first and refused, as ssh does; the password never shows.
        for output in [became.stdout + became.stderr, run.stdout + run.stderr] {
            #expect(!output.contains("Wr0ng"), "the password was printed")
        }
        // sudo read the password and ran the short line that reads the command, as root.
        let sudo = try await onHost("mta25", "cat /var/log/sudo.log").split(separator: "\n")
        #expect(sudo.count >= 3 && sudo.allSatisfy { $0.contains("pfpass") && $0.contains("USER=root") }, "\(sudo)")
        #expect(!sudo.contains { $0.contains("incorrect password") }, "\(sudo)")
    }

    @Test func aWrongPasswordFailsAtItsPhaseWithoutShowingItAndChangesNothing() async throws {
        try await lab.resetForTest(["mta25"])
        try await lab.addPasswordUser(on: "mta25", password: Self.loginPassword)
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let before = try await snapshot()
        let quoted = "'" + Self.loginPassword.replacingOccurrences(of: "'", with: "''") + "'"

        let badLogin = try inventory(in: scratch, user: "pfpass", hostVars: ["ansible_password: 'not-Wr0ng-this'"])
        let login = try await runProcess(binary, ["run", playbook, "-i", badLogin, "--known-hosts", lab.knownHosts], seconds: 120)
        // A login that fails leaves the host unreachable (exit 4), as a refused key does.
        #expect(login.status == 4, "\(login.stdout)\(login.stderr)")
        #expect(login.stdout.contains("auth: authentication failed: the server refused the password (ansible_password) for user pfpass"), "\(login.stdout)")
        #expect(!(login.stdout + login.stderr).contains("Wr0ng"))

        let badSudo = try inventory(in: scratch, user: "pfpass", hostVars: [
            "ansible_password: \(quoted)", "ansible_become_password: 'not-Wr0ng-this'", "ansible_become: true",
        ])
        let sudo = try await runProcess(binary, ["run", playbook, "-i", badSudo, "--known-hosts", lab.knownHosts], seconds: 120)
        #expect(sudo.status == 2, "\(sudo.stdout)\(sudo.stderr)")
        #expect(sudo.stdout.contains("become: sudo refused the password (ansible_become_password) of pfpass"), "\(sudo.stdout)")
        #expect(!(sudo.stdout + sudo.stderr).contains("Wr0ng"))
        await #expect(try snapshot() == before, "the host changed although the passwords were wrong")
    }

    @Test func aBecomePasswordThatSudoDoesNotAskForIsNeverRunAsACommand() async throws {
        try await lab.resetForTest(["mta25"])
        try await lab.addSudoUsers(on: "mta25")
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // pfadmin's sudo asks for no password; a password that is also a command must not run.
        let inventory = try inventory(in: scratch, user: "pfadmin", hostVars: [
            "ansible_become_password: 'touch /etc/postfix/pf-password-ran'", "ansible_become: true",
        ])
        let exec = try await runProcess(binary, ["exec", "-i", inventory, "--known-hosts", lab.knownHosts, "--", "id -un; id -un"])
        #expect(exec.status == 0 && exec.stdout.contains("root\nroot"), "\(exec.stdout)\(exec.stderr)")
        #expect(try await onHost("mta25", "ls /etc/postfix/pf-password-ran 2>&1 || true").contains("No such file"))
        #expect(!(exec.stdout + exec.stderr).contains("pf-password-ran"))
    }
}
