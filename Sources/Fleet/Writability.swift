import Glibc
import FileStatus

/// The directory a path is in, as POSIX `dirname` says: `.` for a bare name, `/` for `/`.
func parent(of path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    guard let slash = trimmed.lastIndex(of: "/") else { return "." }
    var head = trimmed[..<slash]
    while head.hasSuffix("/") { head = head.dropLast() }
    return head.isEmpty ? "/" : String(head)
}

/// Why no file can be made in `directory` (it is missing, not a directory, or refuses it),
/// found by making one and removing it; nil when one can.
func creationProblem(in directory: String) -> String? {
    guard let status = FileStatus.of(directory) else {
        let code = errno
        return code == ENOENT ? "directory \(directory) does not exist"
            : code == ENOTDIR ? "\(directory): a part of it is a file, not a directory" : "\(directory): \(String(cString: strerror(code)))"
    }
    guard status.isDirectory else { return "\(directory) is not a directory" }
    let probe = (directory.hasSuffix("/") ? directory : directory + "/") + ".postfleet-probe-\(UInt32.random(in: 0...UInt32.max))"
    let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { return "cannot create a file in \(directory): \(String(cString: strerror(errno)))" }
    close(descriptor)
    unlink(probe)
    return nil
}
