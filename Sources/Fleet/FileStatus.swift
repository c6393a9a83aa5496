import Glibc
// `struct stat` comes from Glibc, but with Foundation in the same build the compiler may
// attribute its initializer and members to CoreFoundation's view of the same header, and
// which one it picks differs between builds (a clean CI clone failed where an incremental
// build passed). Under MemberImportVisibility every file touching `stat` would need both
// imports, so the rest of Fleet reads file status only through this file.
@preconcurrency import CoreFoundation

/// What `stat(2)` says of a path: its type and permission bits. After a failed call
/// (nil), `errno` is the call's.
struct FileStatus: Equatable {
    /// The type bits (`st_mode & S_IFMT`).
    let type: mode_t
    /// The permission bits (`st_mode & 0o7777`).
    let permissions: mode_t

    var isDirectory: Bool { type == S_IFDIR }
    var isRegularFile: Bool { type == S_IFREG }
    var isLink: Bool { type == S_IFLNK }

    private init(_ status: stat) {
        type = status.st_mode & S_IFMT
        permissions = status.st_mode & 0o7777
    }

    /// The status of `path`, following a final link unless `following` is false.
    static func of(_ path: String, following: Bool = true) -> FileStatus? {
        var status = stat()
        guard (following ? stat(path, &status) : lstat(path, &status)) == 0 else { return nil }
        return FileStatus(status)
    }

    /// The status of `relative` under the open directory `descriptor`, a final link not followed.
    static func at(_ descriptor: Int32, _ relative: String) -> FileStatus? {
        var status = stat()
        guard fstatat(descriptor, relative, &status, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return FileStatus(status)
    }
}
