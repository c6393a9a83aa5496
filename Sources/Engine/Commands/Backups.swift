import SSH

/// One host's backups and change record as ``HostRecords`` reads them, or why they could
/// not be read: what `postfleet backups` and `postfleet history` report.
public struct HostRecordsRead: Sendable {
    public var host: String
    public var records: HostRecords?
    public var error: HostFailure?
    /// Connection attempts made.
    public var connectAttempts: Int

    public init(host: String, records: HostRecords? = nil, error: HostFailure? = nil, connectAttempts: Int = 1) {
        self.host = host
        self.records = records
        self.error = error
        self.connectAttempts = connectAttempts
    }
}

/// Every selected host's backups and change record, at most `forks` hosts at once; one
/// round trip each. Without the host lock: reading changes nothing, and a change running
/// meanwhile only adds a backup or a record line.
public func readHostRecords(on endpoints: [Endpoint], options: ConnectionOptions, forks: Int,
                            connectRetry: Backoff = Backoff(attempts: 1)) async -> [HostRecordsRead] {
    await fanOut(endpoints, limit: forks) { endpoint in
        let outcome = await withSession(endpoint, options: options, backoff: connectRetry) { session, _ in
            try await HostRecords.read(on: session)
        }
        return HostRecordsRead(host: endpoint.name, records: outcome.value, error: outcome.error, connectAttempts: outcome.attempts)
    }
}
