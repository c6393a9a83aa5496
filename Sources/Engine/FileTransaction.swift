import ShellQuoting
import Foundation
import SSH

/// A file as it should be on a host.
public struct DesiredFile: Sendable, Equatable {
    public var path: String
    public var contents: [UInt8]
    public var mode: Int
    public var owner: String
    public var group: String

    public init(path: String, contents: [UInt8], mode: Int = 0o644, owner: String = "root", group: String = "root") {
        self.path = path
        self.contents = contents
        self.mode = mode
        self.owner = owner
        self.group = group
    }
}

/// Replaces a set of files on one host so that nothing is lost when anything fails:
///
/// 1. ``stage(on:)`` writes every new file into a stage directory beside its target
///    (`DIR/.postfleet-stage-ID/NAME`), all in one round trip, so the staged set can be
///    validated where it stands (`postconf -c DIR/.postfleet-stage-ID`).
/// 2. ``commit(on:)`` swaps each one in: the live file is kept as a hard link
///    `NAME.postfleet-ID` (its backup, same inode), then the staged file is renamed over
///    it. A reader sees the old file or the new one, never a part.
/// 3. ``rollback(on:)`` puts every backup back and removes files that did not exist before.
///
/// Every path reaches the shell quoted.
public struct FileTransaction: Sendable {
    public let id: String
    public let files: [DesiredFile]

    /// `id` names the stage directories and backups; by default a UTC timestamp.
    public init(files: [DesiredFile], id: String = FileTransaction.timestamp()) {
        self.files = files
        self.id = id
    }

    public static func timestamp(_ date: Date = Date()) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: date)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func name(of path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// The stage directory for files that go into `directory`.
    public func stageDirectory(for directory: String) -> String {
        (directory == "/" ? "" : directory) + "/.postfleet-stage-\(id)"
    }

    public func stagedPath(of path: String) -> String {
        stageDirectory(for: Self.directory(of: path)) + "/" + Self.name(of: path)
    }

    public func backupPath(of path: String) -> String { path + ".postfleet-\(id)" }

    var stageDirectories: [String] {
        var seen: [String] = []
        for f in files {
            let d = stageDirectory(for: Self.directory(of: f.path))
            if !seen.contains(d) { seen.append(d) }
        }
        return seen
    }

    /// Writes every file into its stage directory in one round trip.
    public func stage(on session: Session) async throws {
        precondition(files.allSatisfy { $0.path.hasPrefix("/") }, "managed paths are absolute")
        let now = Int(Date().timeIntervalSince1970)
        let archive = try TarArchive.make(files.map {
            TarArchive.Entry(path: String(stagedPath(of: $0.path).dropFirst()), contents: $0.contents,
                             mode: $0.mode, owner: $0.owner, group: $0.group, mtime: now)
        })
        let dirs = stageDirectories.map(Shell.quote).joined(separator: " ")
        // The stage directories are made here, private to root, so tar creates nothing above them.
        let command = "set -e; umask 077; mkdir -p -- \(dirs); tar -x -p --same-owner --no-overwrite-dir -C / -f -"
        try await run(command, stdin: archive, on: session, failing: "staging \(files.count) file(s) failed")
    }

    /// Swaps every staged file in, keeping the old one as its backup.
    public func commit(on session: Session) async throws {
        var lines = ["set -e"]
        for f in files {
            let target = Shell.quote(f.path), backup = Shell.quote(backupPath(of: f.path)), staged = Shell.quote(stagedPath(of: f.path))
            lines.append("if [ -e \(target) ]; then ln -f -- \(target) \(backup); fi; mv -f -- \(staged) \(target)")
        }
        lines.append("rmdir -- \(stageDirectories.map(Shell.quote).joined(separator: " "))")
        try await run(lines.joined(separator: "\n"), on: session, failing: "swapping files in failed")
    }

    /// Puts back every file this transaction replaced and removes the ones it created.
    public func rollback(on session: Session) async throws {
        var lines: [String] = []
        for f in files {
            let target = Shell.quote(f.path), backup = Shell.quote(backupPath(of: f.path))
            lines.append("if [ -e \(backup) ]; then mv -f -- \(backup) \(target); else rm -f -- \(target); fi")
        }
        lines.append("rm -rf -- \(stageDirectories.map(Shell.quote).joined(separator: " "))")
        try await run(lines.joined(separator: "\n"), on: session, failing: "restoring the previous files failed")
    }

    /// Removes what ``stage(on:)`` wrote, touching no live file.
    public func discard(on session: Session) async throws {
        _ = try await session.exec("rm -rf -- \(stageDirectories.map(Shell.quote).joined(separator: " "))")
    }

    /// Runs one step's script; a non-zero exit is an upload failure with the remote stderr.
    private func run(_ script: String, stdin: [UInt8] = [], on session: Session, failing what: String) async throws {
        let r = try await session.exec(script, stdin: stdin)
        guard r.succeeded else {
            let e = session.endpoint
            throw SSHError(host: e.name, address: e.address, port: e.port, phase: .upload, code: .remoteFailure,
                           message: "\(what): \(r.failureSummary)")
        }
    }
}
