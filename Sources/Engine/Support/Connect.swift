import SSH

/// What came of work on one host's session: the value, or the failure that stopped it
/// (naming the host and phase), and how many connection attempts were made.
public struct HostOutcome<Value> {
    public var value: Value?
    public var error: HostFailure?
    public var attempts: Int
}

extension HostOutcome: Sendable where Value: Sendable {}

/// Opens a session to `endpoint`, trying again after transient failures (refused, reset,
/// timed out, unreachable) with `backoff` (a host key or authentication failure is never
/// retried), runs `body` with the session and the number of attempts it took, and closes
/// the session whatever `body` does. Never throws: a failure is in the outcome, with the
/// attempts made, so that every report can say how many there were.
public func withSession<T: Sendable>(_ endpoint: Endpoint, options: ConnectionOptions, backoff: Backoff,
                                     _ body: (Session, Int) async throws -> T) async -> HostOutcome<T> {
    var attempts = 0
    do {
        let session = try await backoff.run(isRetryable: { ($0 as? SSHError)?.isTransient == true }) { attempt in
            attempts = attempt
            return try await Session.connect(endpoint, options: options)
        }.value
        do {
            let value = try await body(session, attempts)
            await session.close()
            return HostOutcome(value: value, error: nil, attempts: attempts)
        } catch {
            await session.close()
            throw error
        }
    } catch let error as SSHError {
        return HostOutcome(value: nil, error: HostFailure(error), attempts: attempts)
    } catch let error as HostLockRefused {
        return HostOutcome(value: nil, error: HostFailure(host: endpoint.name, phase: .lock, message: error.description, underlying: error),
                           attempts: attempts)
    } catch let error as HostFailure {
        return HostOutcome(value: nil, error: error, attempts: attempts)
    } catch {
        // Not from the SSH layer, and not said where (a script that cannot be built): still
        // this host's failure, after login, with its own error kept.
        return HostOutcome(value: nil, error: HostFailure(host: endpoint.name, phase: .prepare, message: "\(error)",
                                                          underlying: error), attempts: attempts)
    }
}
