import Engine
import Planning
import Foundation

/// How a command that changes hosts takes part in a fleet many people change: how long it
/// waits for a host another change holds, and this run's name and holder line.
public struct ChangeSettings: Sendable {
    /// `--lock-timeout`: how long to wait for a held host (zero: fail it at once).
    public var lockWait: Duration = .zero
    /// This run's name on every host (backups, stage directories, change record).
    public var run: String
    /// When this run started.
    public let started: Date

    /// `--keep-backups`, else the playbook's `keep_backups:`, else 5: backups kept per file.
    public var keepBackups: Int?
    /// `--log`, else `[postfleet] change_log` in ansible.cfg (POSTFLEET_CHANGE_LOG): the
    /// controller's own change record, one JSON line per host and change.
    public var log: String?

    public init(now: Date = Date()) {
        started = now
        run = runIdentifier(now)
    }

    /// What the change record says of this run: who, and the playbook at `path` with the
    /// SHA-256 of its text as read now.
    public func record(playbook path: String?, restores: String? = nil) -> ChangeRecord.Context {
        let digest = path.flatMap { FileManager.default.contents(atPath: $0) }.map { SHA256.hex(Array($0)) }
        return ChangeRecord.Context(holder: lock.holder, playbook: path, playbookSHA256: digest, restores: restores)
    }

    /// Appends the change record of every host that `results` applied something on to `log`
    /// (created 0600). A log that cannot be written is a warning, not a failed run: the hosts
    /// have their own record.
    public func writeLog(_ results: [HostRunResult]) -> String? {
        guard let log else { return nil }
        let lines = results.compactMap(\.record).map { $0.json + "\n" }.joined()
        guard !lines.isEmpty else { return nil }
        let fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return "cannot open the change log \(log): \(String(cString: strerror(errno)))" }
        defer { close(fd) }
        let bytes = Array(lines.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        return written == bytes.count ? nil : "cannot write the change log \(log): \(String(cString: strerror(errno)))"
    }

    /// The lock request of this run, from this controller.
    public var lock: LockRequest { LockRequest.current(run: run, wait: lockWait, now: started) }
}
