import CFileStatus

/// What `stat(2)` says of a path: its type, permission bits and owner. Every module that
/// looks at a file's status goes through this (``CFileStatus``, a few lines of C): `struct
/// stat` itself is seen by Swift through several modules at once, and which one a build
/// credits with it varies, so code that names it fails some clean builds. After a failed
/// call (nil), `errno` is the call's.
public struct FileStatus: Equatable, Sendable {
    /// The type bits (`st_mode & S_IFMT`).
    public let type: UInt32
    /// The permission bits (`st_mode & 0o7777`).
    public let permissions: UInt32
    /// The owner's uid.
    public let owner: UInt32
    /// Which file this is and which version of it: device, inode, size and modification
    /// time (ns). Two reads that see the same identity saw the same content, unless a
    /// writer kept size and mtime, which no editor and no appending `ssh` does.
    public let identity: Identity

    public struct Identity: Hashable, Sendable {
        public let device: UInt64, inode: UInt64
        public let size: Int64
        public let modified: Int64
    }

    public static let directoryType: UInt32 = 0o040000
    public static let regularFileType: UInt32 = 0o100000
    public static let linkType: UInt32 = 0o120000

    public var isDirectory: Bool { type == Self.directoryType }
    public var isRegularFile: Bool { type == Self.regularFileType }
    public var isLink: Bool { type == Self.linkType }

    init(_ status: pf_file_status) {
        type = status.mode & 0o170000
        permissions = status.mode & 0o7777
        owner = status.uid
        identity = Identity(device: status.dev, inode: status.ino, size: status.size,
                            modified: status.mtime_sec &* 1_000_000_000 &+ status.mtime_nsec)
    }

    /// The status of `path`, following a final link unless `following` is false.
    public static func of(_ path: String, following: Bool = true) -> FileStatus? {
        var status = pf_file_status()
        guard pf_stat(path, following ? 1 : 0, &status) == 0 else { return nil }
        return FileStatus(status)
    }

    /// The status of the open file `descriptor`.
    public static func of(descriptor: Int32) -> FileStatus? {
        var status = pf_file_status()
        guard pf_fstat(descriptor, &status) == 0 else { return nil }
        return FileStatus(status)
    }

    /// The status of `relative` under the open directory `descriptor`, a final link not followed.
    public static func at(_ descriptor: Int32, _ relative: String) -> FileStatus? {
        var status = pf_file_status()
        guard pf_statat(descriptor, relative, &status) == 0 else { return nil }
        return FileStatus(status)
    }
}
