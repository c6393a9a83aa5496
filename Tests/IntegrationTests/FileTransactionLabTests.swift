import ShellQuoting
import Engine
import Foundation
import SSH
import Testing

/// Staging, swapping and restoring files on a real host.
@Suite(.enabled(if: Lab.isUp, "needs the lab: scripts/lab up 10"), .timeLimit(.minutes(1)))
struct FileTransactionLabTests {
    let lab = Lab.current!

    @Test func commitKeepsBackupsAndRollbackRestoresByteForByte() async throws {
        let dir = "/etc/pf-tx-\(UUID().uuidString.prefix(8))"
        let deep = dir + "/" + String(repeating: "d", count: 70) + "/" + String(repeating: "n", count: 40) + ".cf"
        let old = "old contents\n# ü\n"
        try await Session.with(try lab.endpoint("mta7"), options: lab.options()) { session in
            #expect(try await session.exec("mkdir -p \(dir)/\(String(repeating: "d", count: 70)) && printf %s \(Shell.quote(old)) > \(dir)/existing.cf && chmod 600 \(dir)/existing.cf").succeeded)
            let tx = FileTransaction(files: [
                DesiredFile(path: "\(dir)/existing.cf", contents: Array("new contents\n".utf8), mode: 0o640, owner: "root", group: "postfix"),
                DesiredFile(path: "\(dir)/it's new.cf", contents: Array("fresh\n".utf8), mode: 0o644),
                DesiredFile(path: deep, contents: Array("deep\n".utf8), mode: 0o600),
            ])
            try await tx.stage(on: session)
            // Staged beside the targets; nothing live has changed yet.
            let staged = try await session.exec("cat \(Shell.quote(tx.stagedPath(of: "\(dir)/existing.cf"))); cat \(dir)/existing.cf")
            #expect(staged.stdoutText == "new contents\n" + old)

            try await tx.commit(on: session)
            let after = try await session.exec("""
                cat \(dir)/existing.cf; stat -c '%a %U:%G' \(dir)/existing.cf; cat \(Shell.quote(tx.backupPath(of: "\(dir)/existing.cf"))); \
                cat \(Shell.quote("\(dir)/it's new.cf")) \(Shell.quote(deep)); ls -a \(dir) | grep -c postfleet-stage || true
                """)
            #expect(after.stdoutText == "new contents\n640 root:postfix\n" + old + "fresh\ndeep\n0\n")

            try await tx.rollback(on: session)
            let restored = try await session.exec("cat \(dir)/existing.cf; stat -c %a \(dir)/existing.cf; ls \(Shell.quote("\(dir)/it's new.cf")) 2>/dev/null | wc -l; ls \(dir) | grep -c postfleet || true")
            #expect(restored.stdoutText == old + "600\n0\n0\n")
            _ = try await session.exec("rm -rf \(dir)")
        }
    }
}
