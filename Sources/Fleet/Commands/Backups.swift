import Engine
import Report

/// Every target host's backups (`FILE.postfleet-RUN`), `instance`'s alone when given.
public func backupsReport(on targets: Targets, connection: ConnectionSettings, instance: String?) async -> BackupsReport {
    BackupsReport(hosts: await hostRecords(on: targets, connection: connection), instance: instance)
}

/// Every target host's backups and change record, one round trip each, without the host lock.
func hostRecords(on targets: Targets, connection: ConnectionSettings) async -> [HostRecordsRead] {
    let endpoints = targets.endpoints
    return await readHostRecords(on: endpoints, options: connection.connectionOptions,
                                 forks: connection.forkCount(hosts: endpoints.count), connectRetry: connection.connectRetry())
}
