import Postfix
import SSH

/// Reads a host's ``HostFacts`` in one round trip. An answer that cannot be read (Postfix
/// missing, or not answering) is a ``HostFailure`` in the `facts` phase, with the parse
/// error kept.
public func gatherFacts(_ session: Session, files: [String] = [], modes: [String] = [], queues: FactsProbe.QueueCount = .none,
                        timeout: Duration = .seconds(60)) async throws -> HostFacts {
    let result = try await session.exec(FactsProbe.command(files: files, modes: modes, queues: queues), timeout: timeout)
    do {
        return try FactsProbe.parse(result.stdoutText)
    } catch {
        throw HostFailure(host: session.endpoint.name, phase: .facts, message: error.description, underlying: error)
    }
}
