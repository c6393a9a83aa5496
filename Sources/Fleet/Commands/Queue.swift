import Engine
import Report

/// Every target host's queues, and with an action, what it did to the selected messages.
public func queueReport(_ request: QueueRequest, on targets: Targets, connection: ConnectionSettings,
                        change: ChangeSettings = ChangeSettings()) async -> QueueReport {
    let endpoints = targets.endpoints
    let found = await queues(on: endpoints, request: request, options: connection.connectionOptions,
                             forks: connection.forkCount(hosts: endpoints.count), connectRetry: connection.connectRetry(), lock: change.lock)
    return QueueReport(hosts: found, request: request)
}
