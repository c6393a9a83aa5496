import Postfix
import SSH

/// Reads a host's ``HostFacts`` in one round trip.
public func gatherFacts(_ session: Session, files: [String] = [], modes: [String] = [], queues: FactsProbe.QueueCount = .none,
                        timeout: Duration = .seconds(60)) async throws -> HostFacts {
    let result = try await session.exec(FactsProbe.command(files: files, modes: modes, queues: queues), timeout: timeout)
    do {
        return try FactsProbe.parse(result.stdoutText)
    } catch {
        let endpoint = session.endpoint
        throw SSHError(host: endpoint.name, address: endpoint.address, port: endpoint.port,
                       phase: .exec, code: .remoteFailure, message: "reading facts: \(error.description)")
    }
}
