/// How a play rolls over its hosts: batches, failure thresholds, health checks, retries.
///
/// `postfleet run` acts on every key: `serial`, `max_fail_percentage`, `any_errors_fatal`,
/// `pause`, `unreachable_counts_as_failure`, `rollback_on_failure` and `drain` (Engine's
/// `rollout`), `retries` (`Backoff`) and `health` (`HealthGate`).
public struct Policy: Sendable, Hashable {
    /// A batch size: a number of hosts, or a percentage of the play's hosts.
    public enum BatchSize: Sendable, Hashable {
        case count(Int)
        case percent(Int)
    }

    /// `health:`: what "healthy" means after a host's change.
    public enum Health: Sendable, Hashable {
        /// postfleet's default checks.
        case `default`
        /// No check.
        case none
        case custom(HealthSettings)
    }

    public struct HealthSettings: Sendable, Hashable {
        /// Every instance that should run is running.
        public var running: Bool?
        /// How long to wait for each listener's SMTP banner.
        public var bannerTimeout: Duration?
        /// Most deferred messages allowed in a queue.
        public var maxDeferred: Int?
        /// Every listening socket of a running instance that names a certificate offers
        /// STARTTLS and serves that certificate (`tls: true`; default false).
        public var tls: Bool?
        /// Consecutive passing checks needed.
        public var passes: Int?
        /// Time between checks.
        public var interval: Duration?
        /// Give up after this long.
        public var deadline: Duration?
        /// Per instance group, the checks that differ from the ones above (`running`,
        /// `banner_timeout`, `max_deferred`, `tls`; the rhythm — passes, interval, deadline — is the
        /// host's).
        public var groups: [String: GroupHealth] = [:]

        public init() {}
    }

    /// `health: groups: NAME:` settings.
    public struct GroupHealth: Sendable, Hashable {
        public var running: Bool?
        public var bannerTimeout: Duration?
        public var maxDeferred: Int?
        public var tls: Bool?

        public init(running: Bool? = nil, bannerTimeout: Duration? = nil, maxDeferred: Int? = nil, tls: Bool? = nil) {
            self.running = running
            self.bannerTimeout = bannerTimeout
            self.maxDeferred = maxDeferred
            self.tls = tls
        }
    }

    public struct Retries: Sendable, Hashable {
        public var attempts: Int
        public var delay: Duration?
        public var maxDelay: Duration?

        public init(attempts: Int, delay: Duration? = nil, maxDelay: Duration? = nil) {
            self.attempts = attempts
            self.delay = delay
            self.maxDelay = maxDelay
        }
    }

    /// `serial:` batch sizes; the last repeats (Ansible's ramp). Empty: every host at once.
    public var serial: [BatchSize] = []
    public var maxFailPercentage: Double?
    public var anyErrorsFatal: Bool?
    public var pause: Duration?
    public var unreachableCountsAsFailure: Bool?
    public var rollbackOnFailure: Bool?
    public var health: Health?
    public var retries: Retries?
    /// `drain:`: before an instance is stopped or restarted, new connections to its listeners
    /// are refused and its open sessions and incoming and active queues given this long to
    /// end and empty (`true`: ``defaultDrainDeadline``). Nil: no drain.
    public var drain: Duration?
    /// `keep_backups:`: of every file a change swaps in, how many backups `NAME.postfleet-RUN`
    /// remain on the host (the newest; the run's own always). Nil: 5, or `--keep-backups`.
    public var keepBackups: Int?

    /// A drain's deadline when `drain: true` or `--drain` does not give one.
    public static let defaultDrainDeadline: Duration = .seconds(60)

    public init() {}
}
