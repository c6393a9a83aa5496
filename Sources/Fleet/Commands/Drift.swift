import Engine
import Playbook
import Report

/// Compares every host of `workload` with the playbook, changing nothing.
public func driftReport(_ workload: Workload, playbook: String, connection: ConnectionSettings) async -> DriftReport {
    let clock = ContinuousClock()
    let start = clock.now
    let drift = await checkDrift(workload.hosts, options: connection.connectionOptions,
                                 forks: connection.forkCount(hosts: workload.hosts.count),
                                 connectRetry: connection.connectRetry(policy: workload.policy?.retries))
    return DriftReport(playbook: playbook, hosts: drift, seconds: (clock.now - start).seconds)
}
