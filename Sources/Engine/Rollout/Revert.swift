import Playbook
import SSH

/// Runs the revert script of each converged host that has one, at most `options.forks` at
/// once, and adds the outcome to its steps; returns the results and the hosts put back.
/// `converged` are `work`'s, in the same order.
func revertChanges(_ converged: [HostConvergence], work: [HostWork], options: RolloutOptions) async
    -> (results: [HostRunResult], reverted: [String]) {
    let action = "rolled back to the previous configuration (rollback_on_failure)"
    let updated: [HostRunResult] = await fanOut(Array(zip(converged, work)), limit: options.forks) { converged, work in
        var result = converged.result
        guard let revert = converged.revert else { return result }
        let clock = ContinuousClock()
        let start = clock.now
        let run = await withSession(work.endpoint, options: options.connection, backoff: options.connectRetry) { session, _ in
            try await withHostLock(session, options.lockRequest) {
                try await session.exec(revert, timeout: options.applyTimeout, boundOnHost: false)
            }
        }
        let (ok, output) = run.value.map { ApplyScript.revertOutcome($0.stdoutText) } ?? (false, "")
        result.steps.append(StepResult(action: action, status: ok ? .changed : .failed, seconds: (clock.now - start).seconds,
                                       message: ok ? nil : run.error.map { "\($0)" } ?? "putting the previous configuration back failed",
                                       stderr: ok || output.isEmpty ? nil : SecretValues(work.files).hiding(in: output)))
        return result
    }
    let reverted = updated.filter { $0.steps.last?.action == action && $0.steps.last?.status == .changed }.map(\.host)
    return (updated, reverted)
}
