import Postfix
import SSH

/// One host's instances as ``gatherFacts(_:files:queues:timeout:)`` reads them (queues
/// counted), or why they could not be read.
public struct HostInstances: Sendable {
    public var host: String
    public var facts: HostFacts?
    public var error: HostFailure?
    /// Connection attempts made.
    public var connectAttempts: Int
}

/// Every selected host's instances, at most `forks` hosts at once; one round trip each.
public func listInstances(on endpoints: [Endpoint], options: ConnectionOptions, forks: Int,
                          connectRetry: Backoff = Backoff(attempts: 1)) async -> [HostInstances] {
    await fanOut(endpoints, limit: forks) { endpoint in
        let outcome = await withSession(endpoint, options: options, backoff: connectRetry) { session, _ in
            try await gatherFacts(session, queues: .all)
        }
        return HostInstances(host: endpoint.name, facts: outcome.value, error: outcome.error, connectAttempts: outcome.attempts)
    }
}
