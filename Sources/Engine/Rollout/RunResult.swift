import Planning
import SSH

/// How one step of a host's run ended.
public enum StepStatus: String, Sendable, Codable {
    /// Looked, nothing to do.
    case ok
    /// Changed something on the host.
    case changed
    case failed
    /// Not run: an earlier step failed, or check mode.
    case skipped
}

/// One step of a host's run: a lifecycle operation, a file written, a postmap, a reload...
public struct StepResult: Sendable, Equatable {
    /// What was done, as a verb phrase a person reads in the report: "created", "wrote main.cf".
    public var action: String
    /// The instance it concerns ("default" for the default instance); nil for host-wide steps.
    public var instance: String?
    public var status: StepStatus
    public var seconds: Double
    /// How many times the step was tried (retries make it more than 1).
    public var attempts: Int
    /// Why it failed, and the remote stderr when there was one.
    public var message: String?
    public var stderr: String?

    public init(action: String, instance: String? = nil, status: StepStatus, seconds: Double = 0,
                attempts: Int = 1, message: String? = nil, stderr: String? = nil) {
        self.action = action
        self.instance = instance
        self.status = status
        self.seconds = seconds
        self.attempts = attempts
        self.message = message
        self.stderr = stderr
    }
}

/// The end state of one host in a run.
public enum RunHostStatus: String, Sendable, Codable {
    case ok
    case changed
    case failed
    case unreachable
}

/// Everything that happened on one host.
public struct HostRunResult: Sendable, Equatable {
    public var host: String
    public var steps: [StepResult]
    /// Set when the host could not be reached (or was lost): the phase is in it.
    public var connectionError: HostFailure?
    public var seconds: Double
    /// What the run changes (or, in check mode, would change) per instance: parameters,
    /// services and table keys.
    public var diff: [InstanceDiff]
    /// Connection attempts made (more than 1 when transient failures were retried).
    public var connectAttempts: Int = 1
    /// How its instances were driven, once its facts were read: `systemd` (`postfix@` units)
    /// or `postfix` (``Postfix/InstanceControl/name``); nil when the facts were not read.
    public var initSystem: String?
    /// What the host's change record says of this run (``ChangeRecord``), with the result as
    /// the controller saw it; nil when nothing was applied.
    public var record: ChangeRecord?

    public init(host: String, steps: [StepResult], connectionError: HostFailure? = nil, seconds: Double = 0,
                diff: [InstanceDiff] = []) {
        self.host = host
        self.steps = steps
        self.connectionError = connectionError
        self.seconds = seconds
        self.diff = diff
    }

    public var status: RunHostStatus {
        if let connectionError, connectionError.isUnreachable { return .unreachable }
        if connectionError != nil || steps.contains(where: { $0.status == .failed }) { return .failed }
        if steps.contains(where: { $0.status == .changed }) { return .changed }
        return .ok
    }

    /// The first failed step, if any.
    public var failure: StepResult? { steps.first { $0.status == .failed } }

    /// Ansible's recap counts: ok counts every step that ran without failing.
    public var counts: (ok: Int, changed: Int, failed: Int, skipped: Int) {
        var ok = 0, changed = 0, failed = 0, skipped = 0
        for step in steps {
            switch step.status {
            case .ok: ok += 1
            case .changed: ok += 1; changed += 1
            case .failed: failed += 1
            case .skipped: skipped += 1
            }
        }
        if connectionError != nil && status == .failed { failed += 1 }
        return (ok, changed, failed, skipped)
    }
}

/// The differences for one instance of one host.
public struct InstanceDiff: Sendable, Equatable {
    public var instance: String
    public var entries: [DiffEntry]

    public init(instance: String, entries: [DiffEntry]) {
        self.instance = instance
        self.entries = entries
    }
}
