import ArgumentParser
import Engine
import Fleet
import Playbook
import Postfix
import Report

/// `postfleet queue [ACTION]`: every instance's mail queue across the fleet in one view, and
/// hold, release, requeue, flush or delete of exactly the messages a selection names.
struct Queue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "See every instance's mail queue across the fleet; hold, release, requeue, flush or delete selected messages.",
        discussion: """
            Without ACTION: one round trip per host (postqueue -c DIR -j for each selected instance, \
            streamed and summarised as it arrives): messages and bytes per queue, the oldest \
            message's age, the deferral reasons across the fleet (queue ids, addresses and numbers \
            taken out, with the hosts they come from) and the recipient domains by age, as qshape \
            shows them. Hosts whose queues look the same share a line.

            With ACTION (hold, release, requeue, flush, delete): the selectors (--id, --sender, \
            --recipient, --reason, --older-than, --queue; all must hold) are resolved on each host \
            into exact queue ids, and only those are acted on, in a second round trip \
            (postsuper -c DIR -h|-H|-r|-d with the ids on stdin; postqueue -c DIR -i ID for flush, \
            or -f when no selector narrows it). Where each id is before and after is read back: \
            the report says what moved, and a message that left the queue meanwhile counts as \
            gone, not as a failure. --check lists the selection and touches nothing; delete needs \
            --yes. --serial and --pause roll the action through the hosts in batches.

            Exit status: 0 every host read (and every selected message acted on); 2 some host, \
            instance or message failed; 4 only unreachable hosts; 1 bad input (nothing contacted).
            """
    )

    @Argument(help: "hold, release, requeue, flush or delete; none: only look.")
    var action: String?

    @OptionGroup var connection: ConnectionFlags

    @OptionGroup(title: "Changing hosts") var changes: ChangeFlags

    @Option(name: [.short, .customLong("group")], help: "Only the instances of this group (postmulti -g).")
    var group: String?

    @Option(name: .customLong("instance"), help: "Only this instance, '-' for the default (postmulti -i).")
    var instance: String?

    @Flag(name: .customLong("all"), help: "Every instance (the default).")
    var all = false

    @Option(name: .customLong("id"), help: "Select this queue id (repeatable).")
    var ids: [String] = []

    @Option(name: .customLong("sender"), help: "Select messages whose envelope sender matches this regular expression ('^$': bounces).")
    var sender: String?

    @Option(name: .customLong("recipient"), help: "Select messages with a recipient in @DOMAIN, or matching this regular expression.")
    var recipient: String?

    @Option(name: .customLong("reason"), help: "Select messages with a recipient whose delay reason matches this regular expression.")
    var reason: String?

    @Option(name: .customLong("older-than"), help: "Select messages queued at least this long ago: 90s, 30m, 4h, 2d, 1w.")
    var olderThan: String?

    @Option(name: .customLong("queue"), help: "Select messages in this queue: incoming, active, deferred, hold (repeatable).")
    var queues: [String] = []

    @Flag(name: .customLong("check"), help: "List what the action would select, per host and instance; change nothing.")
    var check = false

    @Flag(name: .customLong("yes"), help: "Confirm delete.")
    var yes = false

    @Option(name: .customLong("serial"), help: "With an action: batch sizes, N, N% or a ramp like 1,5,25% (default: every host at once).")
    var serial: String?

    @Option(name: .customLong("pause"), help: "With an action: wait this long between batches (500ms, 5s, 2m).")
    var pause: String?

    @Flag(name: .customLong("messages"), help: "Put every message (id, instance, queue, age, size, sender, recipients, reasons) in the JSON.")
    var messages = false

    @Option(name: .customLong("json"), help: "Also write the report as JSON (schema postfleet.queue/1) to this file.")
    var json: String?

    func request() throws -> QueueRequest {
        let chosen = [group != nil, instance != nil, all].filter { $0 }.count
        guard chosen <= 1 else { throw InputError("give at most one of --group G, --instance NAME, --all") }
        let target: PostmultiCommand.Target = group.map { .group($0) } ?? instance.map { .instance($0) } ?? .all
        var request = QueueRequest(target: target, keepMessages: messages)
        if let action {
            guard let verb = QueueAction(rawValue: action) else {
                throw InputError("unknown queue action '\(action)': expected one of \(QueueAction.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            request.action = verb
        }
        var selector = QueueSelector(ids: Set(ids), sender: sender, recipient: recipient, reason: reason)
        do {
            selector.olderThan = try olderThan.map { (text) throws(PolicyError) in try Limits.age(text) }
        } catch {
            throw InputError("--older-than: \(error)")
        }
        for name in queues {
            guard let queue = QueueName(rawValue: name), queue != .corrupt, queue != .maildrop else {
                throw InputError("--queue: '\(name)' is not a queue: expected incoming, active, deferred or hold")
            }
            selector.queues.insert(queue)
            // postqueue -j lists new mail in maildrop as well as incoming: both are "incoming" here.
            if queue == .incoming { selector.queues.insert(.maildrop) }
        }
        do {
            try selector.validate()
        } catch {
            throw InputError(error.description)
        }
        let selects = !selector.selectsEverything
        guard request.action != nil || (!selects && !check && serial == nil && pause == nil && !yes) else {
            throw InputError("selectors, --check, --yes, --serial and --pause go with an action: postfleet queue hold|release|requeue|flush|delete ...")
        }
        if request.action == .delete && !check && !yes {
            throw InputError("delete removes mail for good: add --yes (or --check to see what it would delete)")
        }
        if request.action == .delete && !selects && yes && !check {
            // Deleting every message needs a selector: a forgotten filter must not empty the fleet's queues.
            throw InputError("delete needs a selector (--id, --sender, --recipient, --reason, --older-than or --queue); to empty whole queues, say --queue for each")
        }
        request.selector = selector
        request.check = check
        do {
            request.serial = try serial.map { (text) throws(PolicyError) in try Policy.BatchSize.parseList(text) } ?? []
        } catch {
            throw InputError("--serial: \(error)")
        }
        do {
            request.pause = try pause.map { (text) throws(PolicyError) in try Limits.pause(text) }
        } catch {
            throw InputError("--pause: \(error)")
        }
        return request
    }

    func run() async throws {
        let output = try OutputFile.prepare(json, flag: "--json")
        let request = try request()
        let change = try changes.settings
        let report = await queueReport(request, on: try connection.targets(), connection: connection.settings, change: change)
        try finish(text: report.text, exitCode: report.exitCode, files: [(output, report.json)])
    }
}
