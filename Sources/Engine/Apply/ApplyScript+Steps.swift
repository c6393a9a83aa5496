import Planning
import Playbook
import Postfix
import ShellQuoting

extension ApplyScript {
    /// The script's body as it is built, part by part in the order the script runs them:
    /// its steps and the shell lines that define and run them.
    struct Builder {
        let id: String
        let control: InstanceControl
        /// Seconds an instance has to drain before a stop or restart; nil: no drain.
        var drain: Int? = nil
        /// Whether some step drains (the script then defines ``DrainScript/functions``).
        var drains = false
        /// Whether some step checks staged certificates (the script then defines ``TLSStageCheck/functions``).
        var checksCertificates = false
        var steps: [Step] = []
        var body: [String] = []
        /// Every live file a commit swaps, for the revert.
        var committed: [String] = []
        /// Every restore function's definition, for the revert.
        var restores: [String] = []

        /// A step: a shell function and the line that runs it. A `guarded` step runs only
        /// while no stage or check has failed.
        mutating func step(_ key: String, _ action: String, instance: String?, changes: Bool, _ lines: [String],
                           onFailure: String, guarded: Bool = false, failure: String? = nil) {
            steps.append(Step(key: key, action: action, instance: instance, changes: changes, failure: failure))
            body.append("f_\(key)() {")
            body += lines.map { "  " + $0 }
            body.append("}")
            body.append((guarded ? #"[ "$bad" = 1 ] || "# : "") + "step \(key) f_\(key) || \(onFailure)")
        }

        /// `receive`: the new files arrive as a ustar stream on stdin.
        mutating func receive(count: Int) {
            step("receive", count == 0 ? "received the change record" : "received \(count) file\(count == 1 ? "" : "s")", instance: nil, changes: false,
                 [#"mkdir -- "$T/in" && tar -x -p --same-owner -C "$T/in" -f -"#], onFailure: "finish failed 1",
                 failure: "the new files did not arrive intact; nothing was changed")
        }

        /// postmulti life-cycle operations (init, create, assign, enable, disable, destroy).
        ///
        /// Each edits main.cf files with `postconf -e`, and every Postfix program that reads
        /// a main.cf less than about two seconds old pauses (300 ms at a time) until it is
        /// older, a guard against reading a file an editor is still writing. `postconf -e`
        /// renames a complete file into place, so after each operation the main.cf files of
        /// `directories` it changed are dated a minute back, as the files postfleet sends are
        /// (``ApplyScript/init(plan:tasks:id:now:control:drain:guarded:keep:record:)``): on a
        /// fresh host the next operation then starts at once (the pauses inside postmulti's own
        /// script remain). A fresh border host's rollout went from 12.2–12.6 s to 8.6–9.5 s on the lab.
        mutating func lifecycle(_ commands: [PostmultiCommand], directories: [String]) {
            if !commands.isEmpty {
                body.append(PostmultiCooling.function(directories: directories))
            }
            for (n, command) in commands.enumerated() {
                step("lc\(n)", ApplyScript.describe(command), instance: command.instanceName, changes: true,
                     [PostmultiCooling.stamp, control.postmulti(command, settle: false) + " || return", PostmultiCooling.cool],
                     onFailure: "finish failed 1", failure: "postmulti refused; no file was changed")
            }
            // One daemon-reload for every change to the instance set, before anything starts.
            if let settle = control.settle, commands.contains(where: InstanceControl.changesInstanceSet) {
                step("units", "reloaded systemd's units (daemon-reload)", instance: nil, changes: true, [settle],
                     onFailure: "finish failed 1", failure: "systemctl daemon-reload failed; no file was changed")
            }
        }

        /// Stage and check every instance; stop before anything goes live if one fails.
        mutating func stage(_ staged: [(offset: Int, element: InstancePlan)], key prefix: String = "") {
            for (n, i) in staged {
                let n = prefix + String(n)
                let dir = i.instance.configDirectory
                let stage = RemotePath.stage(dir, id: id)
                let edited = i.edits.isEmpty ? [] : (i.editsMainCF ? ["main.cf"] : []) + (i.editsMasterCF ? ["master.cf"] : [])
                step("stage\(n)", "staged", instance: i.instance.name, changes: false,
                     StageScript.copy(live: dir, stage: stage, received: i.writes.map(\.path), edits: i.edits, edited: edited),
                     onFailure: "bad=1", guarded: true,
                     failure: "staging the new configuration failed; the live files are unchanged")
                for (k, table) in i.postmaps.enumerated() {
                    guard case let .table(name, type) = table.kind else { continue }
                    step("postmap\(n)_\(k)", "postmapped \(name)", instance: i.instance.name, changes: true,
                         [StageScript.postmap(type, stage: stage, name: name)], onFailure: "bad=1", guarded: true,
                         failure: "postmap rejected the table; the live files are unchanged")
                }
                step("check\(n)", "checked the staged configuration", instance: i.instance.name, changes: false,
                     StageScript.check(stage: stage, live: dir), onFailure: "bad=1", guarded: true,
                     failure: "Postfix rejects the new configuration; the live files are unchanged")
                if let settings = i.tlsCheck, i.mayChangeCertificates {
                    checksCertificates = true
                    step("tls\(n)", "checked the staged certificates", instance: i.instance.name, changes: false,
                         TLSStageCheck.lines(stage: stage, live: dir, settings: settings), onFailure: "bad=1", guarded: true,
                         failure: "the new certificate fails its check; the live files are unchanged")
                }
            }
            if !staged.isEmpty {
                let stages = staged.map { Shell.quote(RemotePath.stage($0.element.instance.configDirectory, id: id)) }
                body.append("clean_stages() { rm -rf -- \(stages.joined(separator: " ")); }")
                body.append(#"if [ "$bad" = 1 ]; then clean_stages; finish failed 1; fi"#)
            }
        }

        /// Commit: the only part that changes live files.
        mutating func commit(_ staged: [(offset: Int, element: InstancePlan)], key prefix: String = "") {
            for (n, i) in staged {
                let n = prefix + String(n)
                let dir = i.instance.configDirectory
                let stage = RemotePath.stage(dir, id: id)
                let names = ApplyScript.committedNames(i)
                committed += names.map { dir + "/" + $0 }.filter { !committed.contains($0) }
                let lines = names.map { "sw \(Shell.quote(stage + "/" + $0)) \(Shell.quote(dir + "/" + $0)) || return 1" }
                    + ["rm -rf -- \(Shell.quote(stage))"]
                step("commit\(n)", ApplyScript.describeCommit(i), instance: i.instance.name, changes: true, lines,
                     onFailure: "{ undo; finish failed 1; }",
                     failure: "swapping the files in failed; the previous files were put back")
            }
        }

        /// Make it live, in start order; on failure put everything back.
        mutating func act(_ instances: [InstancePlan]) {
            for (n, i) in instances.enumerated() {
                if let withheld = i.withheld, !i.start, !i.adopt {
                    // Nothing runs on the host for it: the report says what was not done.
                    var held = Step(key: "held\(n)", action: "\(withheld == .restart ? "restart" : "reload") held back (reload: false): the new files go live at the instance's next reload",
                                    instance: i.instance.name, changes: false)
                    held.held = true
                    steps.append(held)
                    continue
                }
                let verb: String, operation: InstanceControl.Operation
                switch (i.start, i.action) {
                case (true, _): (verb, operation) = ("started", .start)
                case (false, _) where i.adopt: (verb, operation) = ("moved under its unit", .restart)
                case (false, .reload): (verb, operation) = ("reloaded", .reload)
                case (false, .restart): (verb, operation) = ("restarted", .restart)
                case (false, .none), (false, .postmap): continue
                }
                let restore = restoreFunction(n, i)
                restores += restore
                body += restore
                // An instance whose stage passed `postfix check` here starts without that check again.
                let commands = i.adopt ? control.adopt(i.instance) : control.commands(operation, i.instance, checked: i.touchesFiles)
                // Postfix's commands report to the log, not to a stderr that is not a terminal: on
                // failure, show the instance's log lines of that moment.
                let dir = Shell.quote(i.instance.configDirectory)
                let what = verb == "reloaded" ? "the reload" : verb == "started" ? "the start" : "the restart"
                // A restart of a running instance is drained first; its listeners reopen after it, whatever it did.
                let drained = drain != nil && operation == .restart && (i.before?.running ?? false)
                if let deadline = drain, drained {
                    drains = true
                    step("drain\(n)", "drained", instance: i.instance.name, changes: false,
                         [DrainScript.drain([i.instance.configDirectory], deadline: deadline)],
                         onFailure: "{ undo; finish failed 1; }",
                         failure: "the drain did not finish within its deadline; its listeners were reopened, the files put back and nothing restarted")
                    steps[steps.count - 1].perInstance = true
                }
                let undrain = drained ? " pf_undrain;" : ""
                step("act\(n)", verb, instance: i.instance.name, changes: true,
                     ["o=$(log_size \(dir))"] + commands.map { $0 + " || { log_since \(dir) \"$o\";\(undrain) return 1; }" }
                        + (drained ? ["pf_undrain"] : []),
                     onFailure: "{ undo; finish failed 1; }",
                     failure: "\(what) failed; the previous files were put back and the instances put back as they were")
            }
        }

        /// `restoreN`: puts instance `i` back as it was, running with the previous files
        /// (listeners reopened after a restart), or stopped; listed in `$acted` once defined.
        func restoreFunction(_ n: Int, _ i: InstancePlan) -> [String] {
            let wasRunning = i.before?.running ?? false
            let ifRunning: InstanceControl.Operation? = !wasRunning ? .stop : i.action == .restart ? .restart : .reload
            let ifStopped: InstanceControl.Operation? = wasRunning ? .start : nil
            func line(_ operation: InstanceControl.Operation?) -> String {
                operation.map { control.commands($0, i.instance).joined(separator: " && ") } ?? ":"
            }
            return [
                "restore\(n)() {",
                "  if \(control.status(i.instance)) >/dev/null 2>&1; then \(line(ifRunning)); else \(line(ifStopped)); fi",
                "}",
                #"acted="restore\#(n) $acted""#,
            ]
        }

        /// The play's tasks, once everything has converged. They are commands, so they count
        /// as a change whenever they run (except `postmulti -p status` and `check`, which only look); a
        /// failing task fails the host and undoes nothing.
        mutating func tasks(_ tasks: [PlayTask]) {
            for (n, task) in tasks.enumerated() {
                var changes = true
                if case let .postmulti(command) = task.action, case let .action(action) = command.operation, action.onlyLooks { changes = false }
                var lines = ApplyScript.taskLines(task, control: control)
                if let deadline = drain, case let .postmulti(command) = task.action, case .action(.stop) = command.operation,
                   let target = command.target {
                    drains = true
                    step("drain_t\(n)", "drained", instance: nil, changes: false, [DrainScript.drain(target, deadline: deadline)],
                         onFailure: "finish failed 1",
                         failure: "the drain did not finish within its deadline; its listeners were reopened and nothing was stopped")
                    steps[steps.count - 1].perInstance = true
                    lines = ["run_task() {"] + lines.map { "  " + $0 } + ["}", "run_task; r=$?", "pf_undrain", "return $r"]
                }
                step("task\(n)", task.name ?? task.commandLine, instance: nil, changes: changes,
                     lines, onFailure: "finish failed 1", failure: "the task failed")
                if case let .postmulti(command) = task.action, control.actsPerUnit(command) {
                    steps[steps.count - 1].perInstance = true
                }
            }
        }
    }
}
