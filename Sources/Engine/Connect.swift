import SSH

/// Opens a session, trying again after transient failures (refused, reset, timed out,
/// unreachable) with ``Backoff``; a host key or authentication failure is never retried.
/// `tries` counts the connection attempts made, also when the last one fails, so that the
/// report can say how many there were.
public func connect(_ endpoint: Endpoint, options: ConnectionOptions, backoff: Backoff, tries: inout Int) async throws -> Session {
    var made = 0
    defer { tries = made }
    return try await backoff.run(isRetryable: { ($0 as? SSHError)?.isTransient == true }) { attempt in
        made = attempt
        return try await Session.connect(endpoint, options: options)
    }.value
}

/// ``connect(_:options:backoff:tries:)``, then `body` with the session and the number of
/// attempts it took; the session is closed whatever `body` does.
public func withSession<T: Sendable>(_ endpoint: Endpoint, options: ConnectionOptions, backoff: Backoff, tries: inout Int,
                                     _ body: (Session, Int) async throws -> T) async throws -> T {
    let session = try await connect(endpoint, options: options, backoff: backoff, tries: &tries)
    let attempts = tries
    do {
        let result = try await body(session, attempts)
        await session.close()
        return result
    } catch {
        await session.close()
        throw error
    }
}
