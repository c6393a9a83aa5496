import Engine

extension [HostRecordsRead] {
    /// What `backups` and `history` exit with: 0 every host read; 2 some host answered but
    /// could not be read; 4 only unreachable hosts. What the records say (a failed run) is
    /// history, not these commands' failure.
    var readExitCode: Int32 {
        let failed = contains { $0.error.map { !$0.isUnreachable } ?? false }
        return ExitStatus.of(failed: failed, unreachable: contains { $0.error != nil }).rawValue
    }
}

extension HostRecordsRead {
    /// The line `backups` and `history` give a host that could not be read, nil for one that
    /// was: `  mta7: unreachable: connect: ... (after 3 attempts)`.
    var failureLine: String? {
        error.map { e in
            "  \(host): \(e.isUnreachable ? "unreachable" : "failed"): \(e.phase.rawValue): \(e.message)"
                + (connectAttempts > 1 ? " (after \(connectAttempts) attempts)" : "")
        }
    }
}
