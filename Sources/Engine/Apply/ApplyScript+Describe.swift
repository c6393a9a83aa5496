import Planning
import Playbook
import Postfix
import ShellQuoting

/// The parts of the script that follow from the plan alone: what a step is called in the
/// report, which files a commit swaps, a task's lines.
extension ApplyScript {
    /// A task's command; with `until`/`retries`, a bounded loop that runs it again `delay`
    /// apart until its condition holds, and leaves the number of tries in "$T/tries". A
    /// postmulti task goes through `control`.
    static func taskLines(_ task: PlayTask, control: InstanceControl = .postfix) -> [String] {
        let command: String
        if case let .postmulti(postmulti) = task.action {
            command = control.postmulti(postmulti)
        } else {
            command = task.commandLine + " </dev/null"
        }
        guard let retry = task.retry else { return [command] }
        var conditions: [String] = []
        if let rc = retry.rc { conditions.append("[ \"$rc\" -eq \(rc) ]") }
        if let text = retry.stdoutContains { conditions.append("case $o in *\(Shell.quote(text))*) true;; *) false;; esac") }
        return [
            "a=0",
            "while :; do",
            "  a=$((a + 1)); echo \"$a\" >\"$T/tries\"",
            "  o=$( \(command) 2>&1 ); rc=$?",
            "  if \(conditions.joined(separator: " && ")); then printf '%s\\n' \"$o\"; return 0; fi",
            "  if [ \"$a\" -ge \(retry.attempts) ]; then",
            "    printf '%s\\n' \"$o\"; echo \"the condition did not hold after $a tries (last exit status $rc)\"",
            "    [ \"$rc\" -ne 0 ] && return \"$rc\"; return 1",
            "  fi",
            "  sleep \(retry.delay.shellSeconds)",
            "done",
        ]
    }

    static func describe(_ command: PostmultiCommand) -> String {
        guard case let .action(action) = command.operation else { return command.commandLine }
        switch action {
        case .`init`: return "postmulti init"
        case .create: return "created" + (command.newGroup.map { " in group \($0)" } ?? "")
        case .assign: return command.newGroup == "-" ? "removed from its group" : "assigned to group \(command.newGroup ?? "-")"
        case .enable: return "enabled"
        case .disable: return "disabled"
        case .destroy: return "destroyed"
        case .`import`: return "imported"
        case .deport: return "deported"
        case .start, .stop, .reload, .flush, .status, .check, .setPermissions, .upgradeConfiguration: return command.commandLine
        }
    }

    /// The files an instance's commit swaps in: the written ones, main.cf and master.cf
    /// when edited, and the indexed files postmap built.
    static func committedNames(_ i: InstancePlan) -> [String] {
        var names = i.writes.map { RemotePath.name(of: $0.path) }
        if i.editsMainCF, !names.contains("main.cf") { names.append("main.cf") }
        if i.editsMasterCF, !names.contains("master.cf") { names.append("master.cf") }
        for table in i.postmaps {
            if case let .table(name, type) = table.kind, let suffix = type.indexedFileSuffix { names.append(name + suffix) }
        }
        return names
    }

    static func describeCommit(_ plan: InstancePlan) -> String {
        var parts: [String] = []
        let written = plan.writes.map { RemotePath.name(of: $0.path) }
        if !written.isEmpty { parts.append("wrote " + written.joined(separator: ", ")) }
        let mainEdits = plan.edits.filter(\.isMainCF).count, masterEdits = plan.edits.count - mainEdits
        if mainEdits > 0 { parts.append("set \(mainEdits) main.cf parameter\(mainEdits == 1 ? "" : "s")") }
        if masterEdits > 0 { parts.append("changed \(masterEdits) master.cf service\(masterEdits == 1 ? "" : "s")") }
        if parts.isEmpty { parts.append("installed the rebuilt " + plan.postmaps.map { RemotePath.name(of: $0.path) }.joined(separator: ", ")) }
        return parts.joined(separator: ", ")
    }
}
