import Foundation
import Playbook
import Postfix
import SSH

/// What `postfleet queue` is asked to do on every host.
public struct QueueRequest: Sendable {
    public var target: PostmultiCommand.Target
    /// Keep every message listed (for `--messages`); otherwise only the summaries.
    public var keepMessages: Bool
    /// The action; nil only looks.
    public var action: QueueAction?
    public var selector: QueueSelector
    /// Resolve the selection and touch nothing.
    public var check: Bool
    /// Batches of hosts for an action (Ansible's serial), and the pause between them.
    public var serial: [Policy.BatchSize]
    public var pause: Duration?

    public init(target: PostmultiCommand.Target, keepMessages: Bool = false, action: QueueAction? = nil,
                selector: QueueSelector = QueueSelector(), check: Bool = false, serial: [Policy.BatchSize] = [], pause: Duration? = nil) {
        self.target = target
        self.keepMessages = keepMessages
        self.action = action
        self.selector = selector
        self.check = check
        self.serial = serial
        self.pause = pause
    }

    /// Whether hosts are changed: an action without `--check`.
    public var changes: Bool { action != nil && !check }
}

/// One listed message and the instance it is queued in.
public struct InstanceMessage: Sendable {
    public var instance: String
    public var message: QueuedMessage
}

/// One host's queues as `postfleet queue` read them, what a selector chose there and what the
/// action did; or why the host could not be read.
public struct HostQueues: Sendable {
    public var host: String
    public var instances: [QueueProbe.InstanceQueue] = []
    /// postmulti -l's failure on the host.
    public var listFailure: String?
    /// Every message, when asked (`--messages`).
    public var messages: [InstanceMessage] = []
    /// Configuration directory → the selected ids, in showq's order (actions and `--check`).
    public var selected: [String: [String]] = [:]
    /// Configuration directory → what the action did; nil when no action ran.
    public var outcomes: [String: QueueActionScript.Outcome]?
    public var error: HostFailure?
    public var connectAttempts = 0
    /// When the queues were read, seconds since the epoch: the ages' origin.
    public var now: Int64 = 0

    public init(host: String) {
        self.host = host
    }

    /// Whether the host failed: not read, postmulti or postqueue failed, or the action failed.
    public var failed: Bool {
        error != nil || listFailure != nil || instances.contains { $0.failure != nil }
            || (outcomes?.values.contains { $0.failed } ?? false)
    }
}

/// Reads every host's queues, one round trip each, at most `forks` hosts at once; with an
/// action, resolves its selection on each host and acts on exactly those ids in a second
/// round trip, batch by batch as `request.serial` says with `request.pause` between batches.
public func queues(on endpoints: [Endpoint], request: QueueRequest, options: ConnectionOptions, forks: Int,
                   connectRetry: Backoff = Backoff(attempts: 1), lock: LockRequest? = nil) async -> [HostQueues] {
    // Only an action changes the host; a listing or a --check never waits for a lock.
    let lock = request.changes ? lock : nil
    let batches = request.changes ? Batches.split(endpoints, serial: request.serial) : [endpoints]
    var all: [HostQueues] = []
    for (index, batch) in batches.enumerated() {
        if index > 0, let pause = request.pause, pause > .zero { try? await Task.sleep(for: pause) }
        all += await fanOut(batch, limit: forks) { endpoint in
            let outcome = await withSession(endpoint, options: options, backoff: connectRetry) { session, _ in
                try await withHostLock(session, lock) { try await hostQueues(session, request: request) }
            }
            var host = outcome.value ?? HostQueues(host: endpoint.name)
            host.error = outcome.error
            host.connectAttempts = outcome.attempts
            return host
        }
    }
    return all
}

/// What the probe's reader feeds while the output streams in.
private final class QueueCollector {
    var reader: QueueProbe.Reader!
    var messages: [InstanceMessage] = []
    var selected: [String: [String]] = [:]
}

func hostQueues(_ session: Session, request: QueueRequest) async throws -> HostQueues {
    let host = session.endpoint.name
    var result = HostQueues(host: host)
    result.now = Int64(Date().timeIntervalSince1970)
    let matcher = request.action == nil ? nil : try QueueSelector.Matcher(request.selector)
    let collector = QueueCollector()
    let now = result.now
    let keep = request.keepMessages
    collector.reader = QueueProbe.Reader(now: now, host: host) { [unowned collector] instance, message in
        if keep { collector.messages.append(InstanceMessage(instance: instance.name, message: message)) }
        if let matcher, matcher.matches(message, now: now) {
            collector.selected[instance.instance.configDirectory, default: []].append(message.id)
        }
    }
    let listed: ExecResult
    do {
        listed = try await session.exec(QueueProbe.script(request.target), onStdout: { try collector.reader.feed($0) })
        guard listed.succeeded else {
            throw HostFailure(host: host, phase: .queue, message: "the queue listing failed (\(listed.failureSummary))")
        }
        try collector.reader.finish()
    } catch let error as PostfixParseError {
        throw HostFailure(host: host, phase: .queue, message: error.description, underlying: error)
    }
    result.instances = collector.reader.instances
    result.listFailure = collector.reader.listFailure
    result.messages = collector.messages
    result.selected = collector.selected
    guard let action = request.action, !request.check, result.listFailure == nil else { return result }

    let work = result.instances.compactMap { instance -> QueueActionScript.Work? in
        guard let ids = result.selected[instance.instance.configDirectory], !ids.isEmpty else { return nil }
        return QueueActionScript.Work(configDirectory: instance.instance.configDirectory, ids: ids,
                                      wholeQueue: request.selector.selectsEverything)
    }
    guard !work.isEmpty else {
        result.outcomes = [:]
        return result
    }
    let (script, stdin) = QueueActionScript.script(action, work)
    let acted = try await session.exec(script, stdin: stdin, boundOnHost: false)
    guard acted.succeeded else {
        throw HostFailure(host: host, phase: .queue, message: "the \(action.rawValue) script failed (\(acted.failureSummary))")
    }
    do {
        result.outcomes = try QueueActionScript.outcomes(action, work, output: MarkedOutput(acted.stdoutText), host: host)
    } catch let error as PostfixParseError {
        throw HostFailure(host: host, phase: .queue, message: error.description, underlying: error)
    }
    return result
}
