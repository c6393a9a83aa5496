import Engine
import Playbook
import Postfix
import Report

/// One of postmulti's `-p` actions on every target host, batch by batch as `policy` says,
/// each changed host gated on its health unless `health` is false (only start, reload and
/// flush are gated: ``PostmultiCommand/Action/isGated``).
public func postmultiReport(_ action: PostmultiCommand.Action, target: PostmultiCommand.Target, health: Bool, policy: Policy,
                            on targets: Targets, connection: ConnectionSettings,
                            change: ChangeSettings = ChangeSettings()) async -> RunReport {
    let command = PostmultiCommand(.action(action), target: target)
    let gate = health && action.isGated ? HealthGate(target: target) : nil
    let mark = SourceMark(file: "postfleet postmulti", line: 1, column: 1, sourceLine: command.commandLine)
    let task = PlayTask(name: command.commandLine, action: .postmulti(command), mark: mark)
    let work = targets.endpoints.map { HostWork(endpoint: $0, desired: [], files: [], tasks: [task], health: gate) }
    var change = change
    // status and check only look: they neither wait for the host lock nor leave a record.
    if action.onlyLooks { change.changesHosts = false }
    return await rolloutReport(work, policy: policy, name: command.commandLine, connection: connection, change: change)
}
