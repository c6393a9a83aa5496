import Engine
import Report

/// `postfleet restore --run RUN`: every target host's files back to what run RUN left
/// (``Engine/RestorePlan``), as a change like any other: under the host lock, staged and
/// checked, swapped atomically with backups, the least disruptive action per instance, and
/// a change record that names the run restored.
public func restoreReport(run: String, on targets: Targets, connection: ConnectionSettings, check: Bool, diff: Bool,
                          change: ChangeSettings) async -> RunReport {
    let work = targets.endpoints.map { endpoint -> HostWork in
        var work = HostWork(endpoint: endpoint, desired: [], files: [])
        work.restore = run
        return work
    }
    return await rolloutReport(work, policy: nil, name: "restore --run \(run)", connection: connection, check: check, diff: diff,
                               change: change, record: change.record(playbook: nil, restores: run))
}

/// Whether `text` is a run's name (`20261206T121044Z-37fb`).
public func isRunName(_ text: String) -> Bool { RunName.time(text) != nil }
