import Glibc
import FileStatus

/// An open directory, and what is made under it relative to it (`openat`, `mkdirat`,
/// `renameat`), so that nothing already in it can send a write elsewhere: a symbolic link
/// where a directory or a file goes is refused, never followed; a file is written as a
/// fresh file (`O_CREAT | O_EXCL | O_NOFOLLOW`) with its final mode from the start, then
/// renamed over its name, which replaces a link put there meanwhile instead of writing
/// through it. `render --out` writes with it.
final class ConfinedDirectory {
    /// What a name in the directory is, a link not followed.
    enum Entry {
        case missing, directory, file, link, other
    }

    /// The path as the user would read it, for messages.
    let path: String
    private var descriptor: Int32

    /// Opens the directory at `path`. A link there is followed: the user chose this path.
    init(opening path: String) throws(InputError) {
        descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        self.path = path
        guard descriptor >= 0 else { throw InputError("cannot open \(path): \(Self.reason())") }
    }

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// `path/relative`, for messages.
    func shown(_ relative: String) -> String {
        path.hasSuffix("/") ? path + relative : path + "/" + relative
    }

    /// What `relative` (names joined by `/`, each directory before the last already found
    /// not to be a link) is, the last name not followed if it is a link.
    func entry(_ relative: String) throws(InputError) -> Entry {
        guard let status = FileStatus.at(descriptor, relative) else {
            if errno == ENOENT { return .missing }
            throw InputError("cannot read \(shown(relative)): \(Self.reason())")
        }
        switch status.type {
        case FileStatus.directoryType: return .directory
        case FileStatus.regularFileType: return .file
        case FileStatus.linkType: return .link
        default: return .other
        }
    }

    /// The directory `name` in this one, made (0755, less the umask) when missing. A link,
    /// or anything but a directory, is refused.
    func subdirectory(_ name: String) throws(InputError) -> ConfinedDirectory {
        if mkdirat(descriptor, name, 0o755) != 0 && errno != EEXIST {
            throw InputError("cannot create \(shown(name)): \(Self.reason())")
        }
        let opened = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard opened >= 0 else {
            let code = errno
            let what = (try? entry(name)) == .link ? Self.linkRefused : code == ENOTDIR ? "it is not a directory" : Self.reason(code)
            throw InputError("cannot write under \(shown(name)): \(what)")
        }
        return ConfinedDirectory(descriptor: opened, path: shown(name))
    }

    /// Writes `contents` as `name` with permissions `mode`: a fresh file made with `mode`
    /// (so it is never more open than that, whatever it held before), set to exactly `mode`
    /// through its own descriptor, written whole. Where nothing is called `name`, the file
    /// is made there (`O_EXCL`: never through a link, never over a file); otherwise it is
    /// made under a temporary name, then renamed over `name`.
    func write(_ contents: [UInt8], as name: String, mode: Int) throws(InputError) {
        let file = openat(descriptor, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(mode))
        if file < 0 && errno == EEXIST { return try replace(name, with: contents, mode: mode) }
        guard file >= 0 else { throw InputError("cannot write \(shown(name)): \(Self.reason())") }
        if let failure = Self.fill(file, with: contents, mode: mode) {
            unlinkat(descriptor, name, 0)
            throw InputError("cannot write \(shown(name)): \(failure)")
        }
    }

    /// Writes a fresh file under a temporary name, then renames it over `name`, which
    /// replaces whatever is there (a file, or a link put there meanwhile) without writing
    /// through it.
    private func replace(_ name: String, with contents: [UInt8], mode: Int) throws(InputError) {
        let temporary = ".postfleet-\(UInt32.random(in: 0...UInt32.max))-\(name)".prefix(255)
        let file = openat(descriptor, String(temporary), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(mode))
        guard file >= 0 else { throw InputError("cannot write \(shown(name)): \(Self.reason())") }
        var failure = Self.fill(file, with: contents, mode: mode)
        if failure == nil && renameat(descriptor, String(temporary), descriptor, name) != 0 { failure = Self.reason() }
        if let failure {
            unlinkat(descriptor, String(temporary), 0)
            throw InputError("cannot write \(shown(name)): \(failure)")
        }
    }

    /// Sets an open file's mode, writes `contents` into it whole and closes it; why not, if it failed.
    private static func fill(_ file: Int32, with contents: [UInt8], mode: Int) -> String? {
        var failure: String?
        if fchmod(file, mode_t(mode)) != 0 { failure = reason() }
        var offset = 0
        while failure == nil && offset < contents.count {
            let written = contents[offset...].withUnsafeBytes { Glibc.write(file, $0.baseAddress, $0.count) }
            if written < 0 && errno != EINTR { failure = reason() }
            if written == 0 { failure = "nothing could be written" }
            offset += max(written, 0)
        }
        if close(file) != 0 && failure == nil { failure = Self.reason() }
        return failure
    }

    static let linkRefused = "it is a symbolic link, which postfleet does not follow; remove it"

    /// The C library's sentence for `code` (`errno` when not given).
    static func reason(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}
