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
