import Glibc
import FileStatus

// The local files configuration names: paths with `~`, Include's globs, and reading a file as
// `ssh` does.

/// File names as `ssh` expands them.
enum ConfigPaths {
    static func joined(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// `~` and `~/...` with `home`, `~user/...` with that user's home directory; anything else,
    /// and an unknown user, unchanged.
    static func tildeExpanded(_ path: String, home: String) -> String {
        guard path.hasPrefix("~") else { return path }
        let afterTilde = path.dropFirst()
        let slash = afterTilde.firstIndex(of: "/")
        let name = afterTilde[..<(slash ?? afterTilde.endIndex)]
        let rest = slash.map { String(afterTilde[afterTilde.index(after: $0)...]) } ?? ""
        let directory: String
        if name.isEmpty {
            directory = home
        } else if let other = homeOf(String(name)) {
            directory = other
        } else {
            return path
        }
        if slash == nil { return directory }
        return directory == "/" ? "/" + rest : (directory.hasSuffix("/") ? String(directory.dropLast()) : directory) + "/" + rest
    }

    private static func homeOf(_ user: String) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>? = nil
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getpwnam_r(user, &entry, &buffer, buffer.count, &result) == 0, let found = result,
              let dir = found.pointee.pw_dir else { return nil }
        return String(cString: dir)
    }

    /// The files `pattern` names, in lexical order; none when it matches nothing.
    static func glob(_ pattern: String, _ c: LineContext, _ w: ConfigWord) throws(ClientConfigError) -> [String] {
        var matches = glob_t()
        defer { globfree(&matches) }
        let rc = Glibc.glob(pattern, 0, nil, &matches)
        if rc == GLOB_NOMATCH { return [] }
        guard rc == 0 else { throw c.error(w, "cannot expand Include \(pattern)") }
        var files: [String] = []
        for k in 0..<Int(matches.gl_pathc) {
            if let p = matches.gl_pathv[k] { files.append(String(cString: p)) }
        }
        return files
    }
}

/// Reads a configuration file, telling a missing file from one that cannot be read.
enum ConfigFileReader {
    enum Result {
        case text(String)
        case missing
        case directory
        case failed(String)
    }

    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// The file's text. With `checkPermissions`, as `ssh` for included files: a file owned by
    /// another user than root or us, or writable by anyone, is refused.
    static func read(_ path: String, checkPermissions: Bool = false) -> Result {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            return code == ENOENT ? .missing : .failed(describe(code))
        }
        defer { close(fd) }
        guard let info = FileStatus.of(descriptor: fd) else { return .failed(describe(errno)) }
        if info.isDirectory { return .directory }
        if checkPermissions && ((info.owner != 0 && info.owner != getuid()) || info.permissions & 0o002 != 0) {
            return .failed("bad owner or permissions (it must be ours or root's and not writable by others)")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failed(describe(errno))
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return .text(String(decoding: bytes, as: UTF8.self))
    }
}
