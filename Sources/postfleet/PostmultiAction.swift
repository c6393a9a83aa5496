import ArgumentParser
import Fleet
import Report
import Playbook
import Foundation
import Postfix

/// `postfleet postmulti`: one of postmulti's `-p` actions on an instance, a group or every
/// instance of every selected host, batch by batch, with `run`'s report and exit codes.
struct PostmultiAction: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postmulti",
        abstract: "Run postmulti -p ACTION on an instance group across the fleet, in rolling batches.",
        discussion: """
            On each host: postmulti -i NAME | -g GROUP | -a -p ACTION (postmulti starts instances \
            in their start order and stops them in reverse). Hosts go in batches (--serial, as \
            Ansible's serial: 2, 25%, or a ramp 1,5,25% whose last size repeats); after a batch \
            that exceeds --max-fail-percentage (or has no success at all) no later host is \
            contacted, the report lists the hosts done, failed and not started, and the exit status \
            is 2. check, set-permissions and upgrade-configuration are postfix(1)'s, for a package \
            upgrade. Exit status otherwise as postfleet run: 0 ok, 2 some host failed, 4 only \
            unreachable, 1 bad input.
            """
    )

    @OptionGroup var connection: ConnectionFlags

    @OptionGroup(title: "Changing hosts") var changes: ChangeFlags

    @Option(name: [.short, .customLong("group")], help: "The instance group (postmulti -g).")
    var group: String?

    @Option(name: .customLong("instance"), help: "One instance by name, '-' for the default (postmulti -i).")
    var instance: String?

    @Flag(name: .customLong("all"), help: "Every instance (postmulti -a).")
    var all = false

    @Option(name: .customShort("p"), help: "\(PostmultiCommand.Action.wrapperNames).")
    var action: String

    @Option(name: .customLong("serial"), help: "Batch sizes: N, N%, or a ramp like 1,5,25% (default: every host at once).")
    var serial: String?

    @Option(name: .customLong("max-fail-percentage"), help: "Stop after a batch in which more than this share of hosts failed (0-100).",
            transform: { try Limits.failPercentage($0) })
    var maxFailPercentage: Double?

    @Option(name: .customLong("health"),
            help: "default: after start, reload or flush, a host is done only when every selected instance's master runs and its smtpd listeners answer 220, twice in a row within 30 s; none: no check.")
    var health: String = "default"

    @Flag(name: .customLong("drain"), help: "With -p stop: first refuse new connections to each instance's listeners and wait until its SMTP sessions end and its incoming and active queues are empty (deferred mail is kept); at the deadline the host fails, its listeners reopened and nothing stopped.")
    var drain = false

    @Option(name: .customLong("drain-deadline"), help: "How long a drain may take (default 60s; 1s to 1h).")
    var drainDeadline: String?

    @Option(name: .customLong("json"), help: "Also write the report as JSON (schema postfleet.run/1) to this file.")
    var json: String?

    func run() async throws {
        let output = try OutputFile.prepare(json, flag: "--json")
        let chosen = [group != nil, instance != nil, all].filter { $0 }.count
        guard chosen == 1 else { throw InputError("give exactly one of --group G, --instance NAME, --all") }
        guard let verb = PostmultiCommand.Action(rawValue: action), verb.isWrapper else {
            throw InputError("-p must be one of \(PostmultiCommand.Action.wrapperNames) (got '\(action)')")
        }
        guard health == "default" || health == "none" else { throw InputError("--health must be default or none (got '\(health)')") }
        var policy = Policy()
        do {
            policy.serial = try serial.map { (text) throws(PolicyError) in try Policy.BatchSize.parseList(text) } ?? []
        } catch {
            throw InputError("--serial: \(error)")
        }
        policy.maxFailPercentage = maxFailPercentage
        if drain || drainDeadline != nil {
            guard drain else { throw InputError("--drain-deadline goes with --drain") }
            guard verb == .stop else { throw InputError("--drain goes with -p stop (a reload keeps every session; a start has nothing to drain)") }
            do {
                policy.drain = try drainDeadline.map { (text) throws(PolicyError) in try Limits.drainDeadline(text) } ?? Policy.defaultDrainDeadline
            } catch {
                throw InputError("--drain-deadline: \(error)")
            }
        }
        let target: PostmultiCommand.Target = group.map { .group($0) } ?? instance.map { .instance($0) } ?? .all
        let change = try changes.settings
        let report = await postmultiReport(verb, target: target, health: health == "default",
                                           policy: policy, on: try connection.targets(), connection: connection.settings, change: change)
        try finish(text: report.text, exitCode: report.exitCode, files: [(output, report.json)])
    }
}
