/// How to treat a host key that known_hosts does not vouch for (ssh_config's
/// StrictHostKeyChecking, and `--host-key-policy`).
public enum HostKeyPolicy: String, Sendable, CaseIterable {
    /// Refuse unknown and changed keys (OpenSSH's `StrictHostKeyChecking yes`).
    case strict
    /// Record unknown keys, refuse changed ones (`StrictHostKeyChecking accept-new`).
    case acceptNew = "accept-new"
    /// Check nothing. Only when asked for by name; the caller warns.
    case off
}
