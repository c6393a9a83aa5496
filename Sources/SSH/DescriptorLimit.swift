import Glibc

/// The process's limit on open files, raised to what it may be before sessions are opened.
///
/// Every session holds a socket. A login shell on Debian starts with a soft limit of 1,024
/// descriptors (the hard limit is far higher, 524,288 under systemd), so `--forks 1000`
/// would fail hosts with "Too many open files" a few dozen short of 1,000. postfleet waits
/// with epoll, never select(2), so a descriptor above 1,023 is as good as any: the soft
/// limit is raised to the hard one, as `ssh` users would otherwise do with `ulimit -n`.
public enum DescriptorLimit {
    /// Raises the soft limit to the hard limit; returns the soft limit now in force (the old
    /// one when it cannot be raised).
    @discardableResult
    public static func raise() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        guard limit.rlim_cur < limit.rlim_max else { return UInt64(limit.rlim_cur) }
        var raised = limit
        raised.rlim_cur = limit.rlim_max
        return setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 ? UInt64(raised.rlim_cur) : UInt64(limit.rlim_cur)
    }
}
