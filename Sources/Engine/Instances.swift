import Postfix
import SSH

/// One host's instances as ``gatherFacts(_:files:queues:timeout:)`` reads them (queues
/// counted), or why they could not be read.
public struct HostInstances: Sendable {
    public var host: String
    public var facts: HostFacts?
    public var error: SSHError?
    /// Connection attempts made.
    public var connectAttempts: Int
}

/// Every selected host's instances, at most `forks` hosts at once; one round trip each.
public func listInstances(on endpoints: [Endpoint], options: ConnectionOptions, forks: Int,
                          connectRetry: Backoff = Backoff(attempts: 1)) async -> [HostInstances] {
    await fanOut(endpoints, limit: forks) { endpoint in
        var tries = 0
        do {
            let facts = try await withSession(endpoint, options: options, backoff: connectRetry, tries: &tries) { session, _ in
                try await gatherFacts(session, queues: .all)
            }
            return HostInstances(host: endpoint.name, facts: facts, error: nil, connectAttempts: tries)
        } catch let error as SSHError {
            return HostInstances(host: endpoint.name, facts: nil, error: error, connectAttempts: tries)
        } catch {
            let wrapped = SSHError(host: endpoint.name, address: endpoint.address, port: endpoint.port,
                                   phase: .exec, code: .protocolError, message: "\(error)")
            return HostInstances(host: endpoint.name, facts: nil, error: wrapped, connectAttempts: tries)
        }
    }
}
