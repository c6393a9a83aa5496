import Foundation
import Engine
import Playbook
import Report
import SSH

/// Converges `work` batch by batch under `policy`, with live progress on stderr, and
/// reports it under `name` (the playbook, or the command): `run` and `postmulti`.
public func rolloutReport(_ work: [HostWork], policy: Policy?, name: String, connection: ConnectionSettings,
                          check: Bool = false, diff: Bool = false, change: ChangeSettings = ChangeSettings(),
                          record: ChangeRecord.Context? = nil) async -> RunReport {
    let connectionOptions = connection.connectionOptions
    var options = RolloutOptions(connection: connectionOptions, forks: connection.forkCount(hosts: work.count), check: check, diff: diff)
    if let timeout = connectionOptions.commandTimeout { options.applyTimeout = timeout }
    options.connectRetry = connection.connectRetry(policy: policy?.retries)
    options.drain = policy?.drain.map { Int($0.components.seconds) }
    options.run = change.run
    options.lock = change.changesHosts ? change.lock : nil
    options.keepBackups = change.keepBackups ?? policy?.keepBackups ?? RolloutOptions.defaultKeepBackups
    options.record = change.changesHosts ? record ?? ChangeRecord.Context(holder: change.lock.holder) : nil
    let progress = Progress(total: work.count)
    let clock = ContinuousClock()
    let start = clock.now
    let outcome = await rollout(work, options: options, policy: policy) { progress.hostFinished($0) }
    progress.finish()
    if let problem = change.writeLog(outcome.results) {
        FileHandle.standardError.write(Data("postfleet: warning: \(problem)\n".utf8))
    }
    return RunReport(playbook: name, results: outcome.results, seconds: (clock.now - start).seconds, checkMode: check,
                     batches: outcome.batches, stop: outcome.stop)
}
