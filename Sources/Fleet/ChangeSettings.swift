import Engine
import Foundation
import Glibc
import FileStatus

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
    /// Whether the command changes hosts: each is locked for it and keeps a record of it.
    /// False for what only looks (`postmulti -p status`): it never waits for another
    /// change, and leaves no line in the hosts' change records.
    public var changesHosts = true

    public init(now: Date = Date()) {
        started = now
        run = runIdentifier(now)
    }

    /// What the change record says of this run: who, and the playbook at `path` with the
    /// SHA-256 of its text as read now.
    public func record(playbook path: String?, restores: String? = nil) -> ChangeRecord.Context {
        ChangeRecord.Context(holder: lock.holder, playbook: path, playbookSHA256: path.flatMap(ChangeRecord.digest(ofFile:)),
                             restores: restores)
    }

    /// Appends the change record of every host that `results` applied something on to `log`
    /// (created 0600). A log that cannot be written is a warning, not a failed run: the hosts
    /// have their own record.
    public func writeLog(_ results: [HostRunResult]) -> String? {
        guard let log else { return nil }
        let lines = results.compactMap(\.record).map { $0.json + "\n" }.joined()
        guard !lines.isEmpty else { return nil }
        if !FileManager.default.fileExists(atPath: log),
           !FileManager.default.createFile(atPath: log, contents: nil, attributes: [.posixPermissions: 0o600]) {
            return "cannot create the change log \(log)"
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(lines.utf8))
            return nil
        } catch {
            return "cannot write the change log \(log): \(error.localizedDescription)"
        }
    }

    /// Checks, before any host is contacted, that the change log can be appended to: an
    /// existing regular file this user may write, or a new name in a directory where a file
    /// can be made. `source` names where the path came from in the message (`--log`).
    /// - Throws: ``InputError`` naming the source, the path and why.
    public func checkLog(source: String) throws(InputError) {
        guard let log else { return }
        guard !log.isEmpty, !log.hasSuffix("/") else { throw InputError("\(source) needs a file name\(log.isEmpty ? "" : ", not the directory \(log)")") }
        let refused = { (why: String) in InputError("\(source) \(log) cannot be written: \(why)") }
        guard let status = FileStatus.of(log) else {
            guard errno == ENOENT || errno == ENOTDIR else { throw refused(String(cString: strerror(errno))) }
            if let why = creationProblem(in: parent(of: log)) { throw refused(why) }
            return
        }
        guard status.isRegularFile else { throw refused(status.isDirectory ? "it is a directory; give a file name" : "it is not a regular file") }
        guard access(log, W_OK) == 0 else { throw refused(String(cString: strerror(errno))) }
    }

    /// The lock request of this run, from this controller.
    public var lock: LockRequest { LockRequest.current(run: run, wait: lockWait, now: started) }
}
