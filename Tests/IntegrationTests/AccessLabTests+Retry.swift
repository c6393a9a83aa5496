import Foundation
import SSH
import Testing

/// Ansible's retry file: after a run with failed and unreachable hosts, `PLAYBOOK.retry`
/// beside the playbook lists them, and `--limit @FILE` runs again on exactly them.
extension AccessLabTests {
    @Test func aRetryFileRunsAgainOnExactlyTheFailedAndUnreachableHosts() async throws {
        try await lab.resetForTest(["mta25"])
        try await lab.addSudoUsers(on: "mta25")
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // mta25 as root converges; mta25-pfpw (the same host, as pfpw, whose sudo wants a
        // password) fails at become before changing anything; ghost is a loopback port that
        // nothing listens on: unreachable.
        let address = try lab.endpoint("mta25").address
        let closed = try closedPort()
        let inventory = scratch.appendingPathComponent("inventory.yml").path
        try """
            all:
              vars: {ansible_ssh_private_key_file: \(lab.key), domain: example.com, admin: mtaadmin, mailhub: mailhub.example.com}
              children:
                border:
                  hosts:
                    mta25: {ansible_host: \(address), border_address: \(address), ansible_user: root}
                    mta25-pfpw: {ansible_host: \(address), border_address: \(address), ansible_user: pfpw, ansible_become: true}
                    ghost: {ansible_host: 127.0.0.1, ansible_port: \(closed), border_address: 127.0.0.1}
            """.write(toFile: inventory, atomically: true, encoding: .utf8)
        let playbook = scratch.appendingPathComponent("border.yml")
        try FileManager.default.copyItem(at: Lab.repository.appendingPathComponent("playbooks/border-cluster.yml"), to: playbook)
        try FileManager.default.copyItem(at: Lab.repository.appendingPathComponent("playbooks/templates"),
                                         to: scratch.appendingPathComponent("templates"))
        let common = ["-i", inventory, "--known-hosts", lab.knownHosts, "--connect-attempts", "1", "--connect-timeout", "2"]

        let first = try await runProcess(binary, ["run", playbook.path] + common, environment: ProcessInfo.processInfo.environment, seconds: 240)
        #expect(first.status == 2, "\(first.stdout)\(first.stderr)")
        let retry = scratch.appendingPathComponent("border.retry").path
        #expect(try String(contentsOfFile: retry, encoding: .utf8) == "ghost\nmta25-pfpw\n")
        #expect(first.stderr.contains("postfleet: to retry the 2 failed or unreachable hosts, use: --limit @\(retry)"), "\(first.stderr)")

        let rootLogins = "grep -c 'Accepted publickey for root' /var/log/sshd.log || true"
        let loginsBefore = try await onHost("mta25", rootLogins)
        let again = try await runProcess(binary, ["run", playbook.path, "--limit", "@\(retry)"] + common, environment: ProcessInfo.processInfo.environment, seconds: 240)
        #expect(again.status == 2, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("2 hosts: 0 ok, 0 changed, 1 failed, 1 unreachable"), "\(again.stdout)")
        #expect(again.stdout.contains("mta25-pfpw (1): failed") && again.stdout.contains("ghost (1): unreachable"), "\(again.stdout)")
        // mta25 itself was not contacted again: no new root login in its sshd log.
        #expect(try await onHost("mta25", rootLogins) == loginsBefore)
    }

    /// A loopback TCP port that nothing listens on (bound, then closed).
    func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
