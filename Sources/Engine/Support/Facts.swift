import Postfix
import SSH
import ShellQuoting

/// Reads a host's ``HostFacts`` in one round trip. An answer that cannot be read (Postfix
/// missing, or not answering) is a ``HostFailure`` in the `facts` phase, with the parse
/// error kept.
public func gatherFacts(_ session: Session, files: [String] = [], modes: [String] = [], queues: FactsProbe.QueueCount = .none,
                        timeout: Duration = .seconds(60)) async throws -> HostFacts {
    // By /bin/sh, the shell the probe is written for, whatever the login shell: on Debian
    // that is dash, which runs it in 10 ms of the host's CPU where bash takes 15 (the
    // login shell now only reads one quoted word and execs it).
    //
    // Not under timeout(1) on the host: the probe reads and changes nothing, waits on no
    // input, and every program it starts ends by itself; once the controller gives up, the
    // probe's next write to the closed channel ends it. The bound cost a second shell and
    // timeout(1) per probe, 3 ms of each host's CPU.
    let probe = FactsProbe.command(files: files, modes: modes, queues: queues)
    let result = try await session.exec("exec /bin/sh -c " + Shell.quote(probe), timeout: timeout, boundOnHost: false)
    do {
        return try FactsProbe.parse(result.stdoutText)
    } catch {
        throw HostFailure(host: session.endpoint.name, phase: .facts, message: error.description, underlying: error)
    }
}
