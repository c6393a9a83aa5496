import Postfix
import Playbook
import SSH

/// One host's part of a run: where it is, and what the playbook wants there.
public struct HostWork: Sendable {
    public let endpoint: Endpoint
    /// The instances the plays that target the host list, present or absent.
    public var desired: [InstanceSpec]
    /// Its rendered files.
    public var files: [RenderedFile]
    /// The `tasks:` of the plays that target it, run in order once the instances converge.
    public let tasks: [PlayTask]
    /// What must hold after a change before the host counts as done; nil: nothing checked.
    public var health: HealthGate?
    /// `postfleet restore --run RUN`: the host's files go back to what run RUN left
    /// (``RestorePlan``); `desired` and `files` come from the host, under its lock.
    public var restore: String?

    public init(endpoint: Endpoint, desired: [InstanceSpec], files: [RenderedFile], tasks: [PlayTask] = [],
                health: HealthGate? = nil) {
        self.endpoint = endpoint
        self.desired = desired
        self.files = files
        self.tasks = tasks
        self.health = health
    }
}

public struct RolloutOptions: Sendable {
    public var connection: ConnectionOptions
    public var forks: Int
    /// Read facts and report the plan; change nothing.
    public var check: Bool
    /// Compute per-parameter, per-service and per-key differences (fetches the old text of
    /// changed tables: one more round trip on hosts where a table changes).
    public var diff: Bool
    /// How long the apply script may run on a host.
    public var applyTimeout: Duration
    /// How transient connection failures are retried.
    public var connectRetry: Backoff
    /// Seconds an instance has to drain before it is stopped or restarted; nil: no drain.
    public var drain: Int?
    /// This run's name on every host: its stage directories, its backups `NAME.postfleet-RUN`
    /// and its change record.
    public var run: String = runIdentifier()
    /// The host lock each host's change holds from before its facts are read to after its
    /// health gate (``HostLock``); nil: none (tests of the script alone). Not taken in check mode.
    public var lock: LockRequest?
    /// Of every file a change swaps in, how many backups `NAME.postfleet-RUN` remain; nil: all.
    public var keepBackups: Int? = RolloutOptions.defaultKeepBackups
    public static let defaultKeepBackups = 5
    /// Who runs this and from which playbook, for the change record each host writes
    /// (``ChangeRecord``); nil: no record.
    public var record: ChangeRecord.Context?

    public init(connection: ConnectionOptions, forks: Int, check: Bool = false, diff: Bool = false,
                applyTimeout: Duration = .seconds(300), connectRetry: Backoff = Backoff()) {
        self.connection = connection
        self.forks = forks
        self.check = check
        self.diff = diff
        self.applyTimeout = applyTimeout
        self.connectRetry = connectRetry
    }

    /// ``lock`` with this run's name (the apply script checks that the holder is its own run).
    var lockRequest: LockRequest? {
        lock.map {
            var request = $0
            request.holder.run = run
            return request
        }
    }
}
