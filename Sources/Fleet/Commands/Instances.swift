import Engine
import Report

/// Every target host's Postfix instances, queues counted.
public func instancesReport(on targets: Targets, connection: ConnectionSettings) async -> InstancesReport {
    let endpoints = targets.endpoints
    let found = await listInstances(on: endpoints, options: connection.connectionOptions,
                                    forks: connection.forkCount(hosts: endpoints.count), connectRetry: connection.connectRetry())
    return InstancesReport(hosts: found)
}
