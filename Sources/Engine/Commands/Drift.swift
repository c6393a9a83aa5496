import Planning
import Playbook
import Postfix
import SSH

/// One host compared with the playbook.
public struct HostDrift: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// Read, and nothing differs.
        case inSync = "in_sync"
        case drifted
        /// Reached, but its facts could not be read.
        case failed
        case unreachable
    }

    public var host: String
    /// The instances that differ; empty when in sync or not checked.
    public var instances: [InstanceDrift]
    /// Secondary instances on the host that the playbook does not list: not drift (run
    /// leaves them alone), listed for the reader.
    public var unlisted: [String]
    /// Why it could not be checked.
    public var error: HostFailure?
    public var connectAttempts: Int
    public var seconds: Double

    public init(host: String, instances: [InstanceDrift] = [], unlisted: [String] = [], error: HostFailure? = nil,
                connectAttempts: Int = 1, seconds: Double = 0) {
        self.host = host
        self.instances = instances
        self.unlisted = unlisted
        self.error = error
        self.connectAttempts = connectAttempts
        self.seconds = seconds
    }

    public var status: Status {
        if let error { return error.isUnreachable ? .unreachable : .failed }
        return instances.isEmpty ? .inSync : .drifted
    }
}

/// Compares every host of `work` with its playbook, at most `forks` at once, changing
/// nothing: per host one round trip for the facts (the same as `run`'s), and one more to
/// read the tables whose source differs, for per-key differences.
public func checkDrift(_ work: [HostWork], options: ConnectionOptions, forks: Int,
                       connectRetry: Backoff = Backoff()) async -> [HostDrift] {
    await fanOut(work, limit: forks) { item in
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = await withSession(item.endpoint, options: options, backoff: connectRetry) { session, _ in
            let facts = try await gatherFacts(session, files: HostPlan.watchedPaths(item.files), modes: HostPlan.secretPaths(item.files),
                                              queues: .only(HostPlan.queuesToCount(item.desired)))
            let changed = HostPlan.changedTables(item.files, facts: facts)
            let oldTables = changed.isEmpty ? [:] : try await readFiles(changed, on: session)
            return (InstanceDrift.compare(desired: item.desired, files: item.files, facts: facts, oldTables: oldTables),
                    InstanceDrift.unlisted(desired: item.desired, facts: facts))
        }
        return HostDrift(host: item.endpoint.name, instances: outcome.value?.0 ?? [], unlisted: outcome.value?.1 ?? [], error: outcome.error,
                         connectAttempts: outcome.attempts, seconds: (clock.now - start).seconds)
    }
}
