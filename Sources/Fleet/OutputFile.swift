import Foundation
import Glibc
import FileStatus

/// A file a command writes its report to at the end (`--json`, `--junit`), proven writable
/// before any host is contacted: a run that changed a fleet must not end in "cannot write".
///
/// ``prepare(_:flag:)`` refuses a directory, a missing directory, a path under a file and a
/// directory where no file can be made, by making a file there and removing it, so a
/// mistake later leaves nothing behind. ``write(_:)`` writes the report to a fresh file
/// beside the path and renames it over it: the path holds the old report or the whole new
/// one, never a truncated one. A link to a file is kept and the file it names replaced; a
/// device or a pipe (`/dev/stdout`, `>(jq .)`) is opened at once and written to in place.
public final class OutputFile {
    /// The option that named it, for messages: `--json`.
    public let flag: String
    /// The path as given.
    public let path: String
    /// Where the report goes: the path, or the file a link there names.
    private let target: String
    /// The permissions of the file it replaces, kept; nil: a new file (0666 less the umask).
    private let mode: mode_t?
    /// A device or a pipe, opened by `prepare`.
    private let stream: FileHandle?

    private init(flag: String, path: String, target: String, mode: mode_t?, stream: FileHandle?) {
        self.flag = flag
        self.path = path
        self.target = target
        self.mode = mode
        self.stream = stream
    }

    /// The output file `path` names (nil when the option was not given), once it is known
    /// that it can be written.
    /// - Throws: ``InputError`` naming the flag, the path and why.
    public static func prepare(_ path: String?, flag: String) throws(InputError) -> OutputFile? {
        guard let path else { return nil }
        let refused = { (why: String) in InputError("\(flag) \(path) cannot be written: \(why)") }
        guard !path.isEmpty else { throw InputError("\(flag) needs a file name") }
        guard let status = FileStatus.of(path) else {
            guard errno == ENOENT || errno == ENOTDIR else { throw refused(reason()) }
            let directory = parent(of: path)
            if let why = creationProblem(in: directory) { throw refused(why) }
            return OutputFile(flag: flag, path: path, target: path, mode: nil, stream: nil)
        }
        switch status.type {
        case FileStatus.directoryType:
            throw refused("it is a directory; give a file name")
        case FileStatus.regularFileType:
            let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            guard access(target, W_OK) == 0 else { throw refused(reason()) }
            if let why = creationProblem(in: parent(of: target)) { throw refused(why) }
            return OutputFile(flag: flag, path: path, target: target, mode: status.permissions, stream: nil)
        default:
            let descriptor = open(path, O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw refused(reason()) }
            return OutputFile(flag: flag, path: path, target: path, mode: nil, stream: FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
        }
    }

    /// Writes `data` whole: to a fresh file beside the target, renamed over it.
    /// - Throws: ``InputError`` saying what could not be done.
    public func write(_ data: Data) throws(InputError) {
        if let stream {
            do { try stream.write(contentsOf: data) } catch { throw InputError("cannot write \(path): \(error.localizedDescription)") }
            return
        }
        let directory = parent(of: target)
        let temporary = (directory == "." ? "" : directory + "/") + ".postfleet-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw InputError("cannot write \(path): \(reason())") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            if let mode, fchmod(descriptor, mode) != 0 { throw InputError(reason()) }
            try handle.write(contentsOf: data)
            try handle.close()
            guard rename(temporary, target) == 0 else { throw InputError(reason()) }
        } catch {
            unlink(temporary)
            throw InputError("cannot write \(path): \((error as? InputError)?.message ?? error.localizedDescription)")
        }
    }
}

/// The C library's sentence for `errno`.
private func reason() -> String {
    String(cString: strerror(errno))
}
