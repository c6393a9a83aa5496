import Foundation
import SSH

/// How one host's run of one command ended.
public enum HostStatus: String, Sendable, Codable {
    /// Ran, exit status 0.
    case ok
    /// Ran, or tried to, and did not succeed: non-zero status, a signal, or an error after login.
    case failed
    /// Never got as far as running anything: connect, handshake, host key or auth failed.
    case unreachable
}

/// One host's outcome of an ad-hoc command.
public struct CommandOutcome: Sendable {
    public var host: String
    public var status: HostStatus
    public var result: ExecResult?
    public var error: HostFailure?
    /// Seconds from the start of this host's work to its end.
    public var seconds: Double
    /// Connection attempts made (more than 1 when transient failures were retried).
    public var connectAttempts: Int

    public init(host: String, status: HostStatus, result: ExecResult?, error: HostFailure?, seconds: Double, connectAttempts: Int = 1) {
        self.host = host
        self.status = status
        self.result = result
        self.error = error
        self.seconds = seconds
        self.connectAttempts = connectAttempts
    }
}

/// Runs one shell command on many hosts, at most `forks` sessions at once; connections
/// that fail transiently are tried again as `connectRetry` says (by default they are not).
public func runCommand(
    _ command: String,
    on endpoints: [Endpoint],
    options: ConnectionOptions,
    forks: Int,
    connectRetry: Backoff = Backoff(attempts: 1)
) async -> [CommandOutcome] {
    await fanOut(endpoints, limit: forks) { endpoint in
        let clock = ContinuousClock()
        let start = clock.now
        let run = await withSession(endpoint, options: options, backoff: connectRetry) { session, _ in
            try await session.exec(command)
        }
        var outcome: CommandOutcome
        if let result = run.value {
            outcome = CommandOutcome(host: endpoint.name, status: result.succeeded ? .ok : .failed,
                                     result: result, error: nil, seconds: 0)
        } else {
            let error = run.error!
            outcome = CommandOutcome(host: endpoint.name, status: error.isUnreachable ? .unreachable : .failed,
                                     result: nil, error: error, seconds: 0)
        }
        outcome.seconds = (clock.now - start).seconds
        outcome.connectAttempts = run.attempts
        return outcome
    }
}
