import Engine
import Report

/// Runs `command` on every target host at once.
public func execReport(_ command: String, on targets: Targets, connection: ConnectionSettings) async -> CommandReport {
    let endpoints = targets.endpoints
    let clock = ContinuousClock()
    let start = clock.now
    let outcomes = await runCommand(command, on: endpoints, options: connection.connectionOptions,
                                    forks: connection.forkCount(hosts: endpoints.count), connectRetry: connection.connectRetry())
    return CommandReport(outcomes: outcomes, seconds: (clock.now - start).seconds)
}
