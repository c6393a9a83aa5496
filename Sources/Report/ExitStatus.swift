/// The exit status every fleet command ends with, one rule for `run`, `postmulti`,
/// `drift`, `exec` and `instances`: a failure on any host outweighs unreachable hosts,
/// which outweigh success; bad input stops before any host is contacted.
public enum ExitStatus: Int32, Sendable, Hashable {
    /// Every host did what was asked (ok, changed, in sync, read).
    case ok = 0
    /// Bad input: an unknown flag, a playbook or inventory error.
    case badInput = 1
    /// Some host failed (or drifted, or a rolling run stopped).
    case failed = 2
    /// Some hosts were unreachable, and none of the others failed.
    case unreachable = 4

    /// The status of a command over hosts: `failed` when any host failed, else
    /// `unreachable` when any could not be reached, else `ok`.
    public static func of(failed: Bool, unreachable: Bool) -> ExitStatus {
        if failed { return .failed }
        return unreachable ? .unreachable : .ok
    }
}
