import Postfix
import SSH

/// Reads a host's ``HostFacts`` in one round trip. An answer that cannot be read (Postfix
/// missing, or not answering) is a ``HostFailure`` in the `facts` phase, with the parse
/// error kept.
public func gatherFacts(_ session: Session, files: [String] = [], modes: [String] = [], queues: FactsProbe.QueueCount = .none,
                        timeout: Duration = .seconds(60)) async throws -> HostFacts {
    // Not under timeout(1) on the host: the probe reads and changes nothing, waits on no
    // input, and every program it starts ends by itself; once the controller gives up, the
    // probe's next write to the closed channel ends it. The bound cost a second shell and
    // timeout(1) per probe, 3 ms of each host's CPU, a fifth of what a no-change run adds
    // to a login.
    let result = try await session.exec(FactsProbe.command(files: files, modes: modes, queues: queues), timeout: timeout,
                                        boundOnHost: false)
    do {
        return try FactsProbe.parse(result.stdoutText)
    } catch {
        throw HostFailure(host: session.endpoint.name, phase: .facts, message: error.description, underlying: error)
    }
}
