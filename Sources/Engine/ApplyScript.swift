import Planning
import Foundation
import Playbook
import Postfix
import ShellQuoting

/// The one remote script that carries out a ``HostPlan`` on its host, and the reader of
/// what it prints.
///
/// Everything happens on the host in one round trip, so a connection lost half-way does
/// not leave the host half-way: the script ignores SIGHUP and SIGPIPE and runs to its end
/// (or its rollback) either way. In order:
///
/// 1. `receive`: the new files arrive as a ustar stream on stdin, into a private temporary
///    directory.
/// 2. postmulti life-cycle operations (init, create, assign, enable, disable, destroy).
/// 3. Per instance with file changes, a stage `DIR/.postfleet-stage-ID/`: a copy of the
///    live configuration directory's files, the new files over it, the postconf edits
///    applied to it, and its indexed tables built there with postmap.
/// 4. Every stage is checked by ``ConfigCheck`` (`postconf -c STAGE -n` without a warning,
///    `postfix -c STAGE check`, every table openable). If one fails, every stage is
///    removed and nothing live has changed.
/// 5. Commit: each changed file (and built table) is renamed over the live one, which is
///    kept first as a hard link `NAME.postfleet-ID`. A reader sees the old file or the new.
/// 6. Per instance, in start order: reload, stop and start, or start.
/// 7. If a commit or an action fails: every swapped file is put back (in reverse order),
///    and every instance already acted on is put back as it was (running with its old
///    configuration, or stopped).
///
/// Every value in the script is single-quoted by ``Shell/quote(_:)``.
public struct ApplyScript: Sendable {
    /// How a step shows in the report.
    struct Step: Sendable {
        let key: String
        let action: String
        let instance: String?
        /// Whether succeeding changes the host (otherwise it is a look or a preparation).
        let changes: Bool
        /// What a failure of it means for the host, for the report.
        var failure: String? = nil

        /// Putting things back after a failure: reported only when it happened.
        var isRecovery: Bool { key == "rollback" || key == "restore" }
    }

    public let id: String
    public let script: String
    /// The ustar stream the script reads on stdin.
    public let archive: [UInt8]
    let steps: [Step]
    /// Undoes a run of `script` that ended well, later, in a separate round trip (a
    /// rolling policy's `rollback_on_failure`): every file it swapped in goes back (the
    /// backup `NAME.postfleet-ID` over it, or, for a file that was new, removed), then every
    /// instance it acted on is put back as it was. Lifecycle operations are not undone.
    /// Nil when the script changes no file and acts on no instance.
    public let revert: String?

    static let marker = "@@postfleet "

    /// The files a plan writes, as they travel in the archive: at their own path under the
    /// receive directory.
    static func entries(_ plan: HostPlan, mtime: Int) -> [TarArchive.Entry] {
        plan.instances.flatMap(\.writes).map {
            TarArchive.Entry(path: String($0.path.drop { $0 == "/" }), contents: $0.contents, mode: $0.mode,
                             owner: "root", group: "root", mtime: mtime)
        }
    }

    public init(plan: HostPlan, tasks: [PlayTask] = [], id: String, now: Date = Date()) throws {
        self.id = id
        // Files are dated a minute back: Postfix pauses while main.cf is younger than a
        // couple of seconds, a guard against reading a file an editor is still writing.
        // These are complete files renamed into place, so the guard has nothing to guard.
        let mtime = Int(now.timeIntervalSince1970) - 60
        let entries = Self.entries(plan, mtime: mtime)
        archive = entries.isEmpty ? [] : try TarArchive.make(entries)

        var steps: [Step] = []
        var body: [String] = []
        func q(_ s: String) -> String { Shell.quote(s) }
        /// A step: a shell function and the line that runs it. A `guarded` step runs only
        /// while no stage or check has failed.
        func step(_ key: String, _ action: String, instance: String?, changes: Bool, _ lines: [String],
                  onFailure: String, guarded: Bool = false, failure: String? = nil) {
            steps.append(Step(key: key, action: action, instance: instance, changes: changes, failure: failure))
            body.append("f_\(key)() {")
            body += lines.map { "  " + $0 }
            body.append("}")
            body.append((guarded ? #"[ "$bad" = 1 ] || "# : "") + "step \(key) f_\(key) || \(onFailure)")
        }

        if !entries.isEmpty {
            step("receive", "received \(entries.count) file\(entries.count == 1 ? "" : "s")", instance: nil, changes: false,
                 [#"mkdir -- "$T/in" && tar -x -p --same-owner -C "$T/in" -f -"#], onFailure: "finish failed 1",
                 failure: "the new files did not arrive intact; nothing was changed")
        }
        for (n, command) in plan.lifecycle.enumerated() {
            step("lc\(n)", Self.describe(command), instance: Self.instanceName(command), changes: true,
                 [command.commandLine + " </dev/null"], onFailure: "finish failed 1",
                 failure: "postmulti refused; no file was changed")
        }

        let staged = plan.instances.enumerated().filter { $0.element.touchesFiles }
        // Stage and check every instance; stop before anything goes live if one fails.
        for (n, i) in staged {
            let dir = i.instance.configDirectory
            let stage = Self.stageDirectory(dir, id: id)
            var lines = [
                "s=\(q(stage))",
                #"rm -rf -- "$s" && mkdir -m 700 -- "$s" || return 1"#,
                "for f in \(q(dir))/*; do",
                #"  [ -f "$f" ] || continue"#,
                #"  case "${f##*/}" in *.postfleet-*) continue;; esac"#,
                #"  cp -p -- "$f" "$s/" || return 1"#,
                "done",
            ]
            for file in i.writes {
                lines.append("cp -p -- \"$T/in\"\(q(file.path)) \(q(stage + "/" + Self.name(of: file.path))) || return 1")
            }
            for edit in i.edits {
                lines.append(Shell.join(edit.arguments(configDirectory: stage)) + " || return 1")
            }
            if !i.edits.isEmpty {
                let edited = (i.editsMainCF ? ["main.cf"] : []) + (i.editsMasterCF ? ["master.cf"] : [])
                lines.append(#"touch -d "@$(( $(date +%s) - 60 ))" -- "# + edited.map { q(stage + "/" + $0) }.joined(separator: " "))
            }
            step("stage\(n)", "staged", instance: i.instance.name, changes: false, lines, onFailure: "bad=1", guarded: true,
                 failure: "staging the new configuration failed; the live files are unchanged")
            for (k, table) in i.postmaps.enumerated() {
                guard case let .table(name, type) = table.kind else { continue }
                step("postmap\(n)_\(k)", "postmapped \(name)", instance: i.instance.name, changes: true,
                     [Shell.join(["postmap", type.reference(path: stage + "/" + name)])], onFailure: "bad=1", guarded: true,
                     failure: "postmap rejected the table; the live files are unchanged")
            }
            step("check\(n)", "checked the staged configuration", instance: i.instance.name, changes: false,
                 ["(", ConfigCheck.command(configDirectory: stage, liveDirectory: dir), ")"], onFailure: "bad=1", guarded: true,
                 failure: "Postfix rejects the new configuration; the live files are unchanged")
        }
        if !staged.isEmpty {
            let stages = staged.map { q(Self.stageDirectory($0.element.instance.configDirectory, id: id)) }
            body.append("clean_stages() { rm -rf -- \(stages.joined(separator: " ")); }")
            body.append(#"if [ "$bad" = 1 ]; then clean_stages; finish failed 1; fi"#)
        }

        // Commit: the only part that changes live files.
        var committed: [String] = []
        for (n, i) in staged {
            let dir = i.instance.configDirectory
            let stage = Self.stageDirectory(dir, id: id)
            let names = Self.committedNames(i)
            committed += names.map { dir + "/" + $0 }
            let lines = names.map { "sw \(q(stage + "/" + $0)) \(q(dir + "/" + $0)) || return 1" }
                + ["rm -rf -- \(q(stage))"]
            step("commit\(n)", Self.describeCommit(i), instance: i.instance.name, changes: true, lines,
                 onFailure: "{ undo; finish failed 1; }",
                 failure: "swapping the files in failed; the previous files were put back")
        }

        // Make it live, in start order; on failure put everything back.
        var restores: [String] = []
        for (n, i) in plan.instances.enumerated() {
            let verb: String, verbs: [String]
            switch (i.start, i.action) {
            case (true, _): (verb, verbs) = ("started", ["start"])
            case (false, .reload): (verb, verbs) = ("reloaded", ["reload"])
            case (false, .restart): (verb, verbs) = ("restarted", ["stop", "start"])
            case (false, .none), (false, .postmap): continue
            }
            // An instance whose stage passed `postfix check` here starts without that check again.
            let commands = verbs.map { Self.control(i.instance, $0, checked: i.touchesFiles) }
            // Back as it was: running with the previous files (listeners reopened after a
            // restart), or stopped.
            let wasRunning = i.before?.running ?? false
            let ifRunning = !wasRunning ? ["stop"] : i.action == .restart ? ["stop", "start"] : ["reload"]
            let ifStopped = wasRunning ? ["start"] : []
            func line(_ verbs: [String]) -> String {
                verbs.isEmpty ? ":" : verbs.map { Self.control(i.instance, $0) }.joined(separator: " && ")
            }
            let restore = [
                "restore\(n)() {",
                "  if \(Self.control(i.instance, "status")) >/dev/null 2>&1; then \(line(ifRunning)); else \(line(ifStopped)); fi",
                "}",
                #"acted="restore\#(n) $acted""#,
            ]
            restores += restore
            body += restore
            // Postfix's commands report to the log, not to a stderr that is not a terminal: on
            // failure, show the instance's log lines of that moment.
            let dir = Shell.quote(i.instance.configDirectory)
            step("act\(n)", verb, instance: i.instance.name, changes: true,
                 ["o=$(log_size \(dir))"] + commands.map { $0 + " || { log_since \(dir) \"$o\"; return 1; }" },
                 onFailure: "{ undo; finish failed 1; }",
                 failure: "\(verb == "reloaded" ? "the reload" : verb == "started" ? "the start" : "the restart") failed; the previous files were put back and the instances put back as they were")
        }
        // The play's tasks, once everything has converged. They are commands, so they count
        // as a change whenever they run (except `postmulti -p status`, which only looks); a
        // failing task fails the host and undoes nothing.
        for (n, task) in tasks.enumerated() {
            var changes = true
            if case let .postmulti(command) = task.action, command.operation == .action(.status) { changes = false }
            step("task\(n)", task.name ?? task.commandLine, instance: nil, changes: changes, Self.taskLines(task),
                 onFailure: "finish failed 1", failure: "the task failed")
        }
        // The revert: the apply script's own rollback over the files its commits swap (each
        // with its backup, or new), then its own restore functions.
        if committed.isEmpty && restores.isEmpty {
            revert = nil
        } else {
            let backup = #"if [ -e "$p.postfleet-$ID" ]; then echo "1 $p"; else echo "0 $p"; fi"#
            revert = Self.prologue(id: id) + ([
                "for p in \(committed.map(q).joined(separator: " ")); do \(backup); done >\"$T/committed\"",
                #"if [ -s "$T/committed" ]; then step revert_files f_rollback || finish failed 1; fi"#,
            ] + restores + [
                #"if [ -n "$acted" ]; then step revert_restore f_restore || finish failed 1; fi"#,
                "finish ok 0",
            ]).joined(separator: "\n") + "\n"
        }

        steps.append(Step(key: "rollback", action: "put back the previous files", instance: nil, changes: true))
        steps.append(Step(key: "restore", action: "put the instances back as they were", instance: nil, changes: true))
        self.steps = steps

        script = Self.prologue(id: id) + body.joined(separator: "\n") + "\nfinish ok 0\n"
    }

    static func stageDirectory(_ dir: String, id: String) -> String { dir + "/.postfleet-stage-" + id }

    /// A task's command; with `until`/`retries`, a bounded loop that runs it again `delay`
    /// apart until its condition holds, and leaves the number of tries in "$T/tries".
    static func taskLines(_ task: PlayTask) -> [String] {
        let command = task.commandLine + " </dev/null"
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

    static func name(of path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }

    /// How the script starts and stops one instance: `postfix -c DIR`, which acts on that
    /// instance alone, also for the default instance of a host where a plain `postfix`
    /// command goes through the multi-instance wrapper to every instance.
    ///
    /// Before a start, Debian's `configure-instance.sh` runs where it exists, as Debian's
    /// `postfix@.service` does: it copies /etc/hosts, resolv.conf and the like into the
    /// instance's chroot, without which chrooted smtp(8) cannot find the relay host.
    ///
    /// `checked`: the script has just run `postfix check` on this very configuration (in its
    /// stage), so the start skips the same check that postfix-script would run again
    /// (check-fatal and check-warn, about a quarter of a second of CPU per start), with
    /// Postfix's own marker for it: `$queue_directory/quick-start`, which `postfix quick-stop`
    /// leaves and `postfix start` consumes. Only where the host's postfix-script knows the
    /// marker; it is removed again whatever the start does.
    static func control(_ instance: PostfixInstance, _ verb: String, checked: Bool = false) -> String {
        guard verb == "start" else { return Shell.join(["postfix", "-c", instance.configDirectory, verb]) + " </dev/null" }
        return Shell.join(["pf_start", instance.configDirectory, instance.selector, checked ? "checked" : "check"])
    }

    /// `pf_start DIR SELECTOR checked|check`: see ``control(_:_:checked:)``.
    static let startFunction = """
        pf_start() {
          if [ -x \(debianConfigureInstance) ]; then \(debianConfigureInstance) "$2" </dev/null || return 1; fi
          qs=
          if [ "$3" = checked ]; then
            { IFS= read -r q; IFS= read -r dd; } <<EOF
        $(postconf -c "$1" -h queue_directory daemon_directory 2>/dev/null)
        EOF
            if [ -n "$q" ] && [ -d "$q" ] && grep -qs 'quick-start' "$dd/postfix-script"; then qs=$q/quick-start; : >"$qs"; fi
          fi
          postfix -c "$1" start </dev/null; r=$?
          [ -z "$qs" ] || rm -f -- "$qs"
          return $r
        }
        """

    static let debianConfigureInstance = "/usr/lib/postfix/configure-instance.sh"

    static func instanceName(_ command: PostmultiCommand) -> String? {
        if case let .instance(name) = command.target { return name == "-" ? PostfixInstance.defaultName : name }
        return nil
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
        case .start, .stop, .reload, .flush, .status: return command.commandLine
        }
    }

    /// The files an instance's commit swaps in: the written ones, main.cf and master.cf
    /// when edited, and the indexed files postmap built.
    static func committedNames(_ i: InstancePlan) -> [String] {
        var names = i.writes.map { name(of: $0.path) }
        if i.editsMainCF, !names.contains("main.cf") { names.append("main.cf") }
        if i.editsMasterCF, !names.contains("master.cf") { names.append("master.cf") }
        for table in i.postmaps {
            if case let .table(name, type) = table.kind, let suffix = type.indexedFileSuffix { names.append(name + suffix) }
        }
        return names
    }

    static func describeCommit(_ plan: InstancePlan) -> String {
        var parts: [String] = []
        let written = plan.writes.map { name(of: $0.path) }
        if !written.isEmpty { parts.append("wrote " + written.joined(separator: ", ")) }
        let mainEdits = plan.edits.filter(\.isMainCF).count, masterEdits = plan.edits.count - mainEdits
        if mainEdits > 0 { parts.append("set \(mainEdits) main.cf parameter\(mainEdits == 1 ? "" : "s")") }
        if masterEdits > 0 { parts.append("changed \(masterEdits) master.cf service\(masterEdits == 1 ? "" : "s")") }
        if parts.isEmpty { parts.append("installed the rebuilt " + plan.postmaps.map { name(of: $0.path) }.joined(separator: ", ")) }
        return parts.joined(separator: ", ")
    }

    static func prologue(id: String) -> String {
        """
        # postfleet apply \(id)
        set -u
        trap '' HUP PIPE
        umask 022
        ID=\(Shell.quote(id))
        T=$(mktemp -d) || { printf '\\n\(marker)end failed\\n'; exit 1; }
        trap 'rm -rf -- "$T"' EXIT
        : >"$T/committed"
        bad=0
        acted=
        ms() { date +%s%3N; }
        step() {
          k=$1; shift; t0=$(ms); : >"$T/tries"
          "$@" >"$T/out" 2>&1; rc=$?
          a=1; [ ! -s "$T/tries" ] || read -r a <"$T/tries"
          printf '\\n\(marker)step %s %s %s %s\\n' "$k" "$rc" "$(( $(ms) - t0 ))" "$a"
          sed 's/^/| /' "$T/out"
          return $rc
        }
        finish() { printf '\\n\(marker)end %s\\n' "$1"; exit "$2"; }
        sw() {
          if [ -e "$2" ]; then ln -f -- "$2" "$2.postfleet-$ID" || return 1; b=1; else b=0; fi
          mv -f -- "$1" "$2" || return 1
          printf '%s %s\\n' "$b" "$2" >>"$T/committed"
        }
        f_rollback() {
          tac "$T/committed" | while read -r b p; do
            if [ "$b" = 1 ]; then mv -f -- "$p.postfleet-$ID" "$p" || exit 1; else rm -f -- "$p" || exit 1; fi
          done
          clean_stages
        }
        clean_stages() { :; }
        log_size() { l=$(postconf -c "$1" -h maillog_file 2>/dev/null); if [ -n "$l" ] && [ -f "$l" ]; then wc -c <"$l"; else echo 0; fi; }
        log_since() {
          l=$(postconf -c "$1" -h maillog_file 2>/dev/null)
          [ -n "$l" ] && [ -f "$l" ] && tail -c +"$(( $2 + 1 ))" -- "$l" | grep -E 'fatal|error|panic|warning' | tail -n 5
          return 0
        }
        f_restore() { r=0; for f in $acted; do "$f" || r=1; done; return $r; }
        \(startFunction)
        undo() {
          if [ -s "$T/committed" ]; then step rollback f_rollback; fi
          if [ -n "$acted" ]; then step restore f_restore; fi
        }

        """
    }

    // MARK: Reading what it printed

    /// What the revert script printed: whether it ended well, and else the output of the
    /// step that failed.
    public static func revertOutcome(_ stdout: String) -> (ok: Bool, output: String) {
        let ok = stdout.split(separator: "\n").contains { $0 == marker + "end ok" }
        let output = stdout.split(separator: "\n").filter { $0.hasPrefix("| ") }.map { String($0.dropFirst(2)) }
        return (ok, output.joined(separator: "\n"))
    }

    /// The steps the script reported, in order, as the run report shows them; steps it
    /// never reached are `skipped`. `completed` is false when the output has no end marker
    /// (the connection was lost): then steps not reported are unknown, not skipped.
    public func results(stdout: String) -> (steps: [StepResult], completed: Bool) {
        struct Seen { var rc: Int; var ms: Int; var tries: Int; var output: [String] }
        var seen: [String: Seen] = [:]
        var current: String?
        var completed = false
        for line in stdout.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(Self.marker) {
                let words = line.dropFirst(Self.marker.count).split(separator: " ")
                if words.first == "step", words.count >= 4 {
                    let key = String(words[1])
                    let tries = words.count > 4 ? Int(words[4]) ?? 1 : 1
                    seen[key] = Seen(rc: Int(words[2]) ?? -1, ms: Int(words[3]) ?? 0, tries: tries, output: [])
                    current = key
                } else if words.first == "end" {
                    completed = true
                    current = nil
                }
            } else if let key = current, line.hasPrefix("| ") || line == "|" {
                seen[key]?.output.append(String(line.dropFirst(2)))
            }
        }
        var results: [StepResult] = []
        for step in steps {
            guard let s = seen[step.key] else {
                // Never reached: skipped when the script ended; unknown when the connection was lost.
                if completed, !step.isRecovery {
                    results.append(StepResult(action: step.action, instance: step.instance, status: .skipped))
                }
                continue
            }
            let output = s.output.joined(separator: "\n")
            if s.rc == 0 {
                results.append(StepResult(action: step.action, instance: step.instance, status: step.changes ? .changed : .ok,
                                          seconds: Double(s.ms) / 1000, attempts: s.tries))
            } else {
                results.append(StepResult(action: step.action, instance: step.instance, status: .failed, seconds: Double(s.ms) / 1000,
                                          attempts: s.tries,
                                          message: step.failure.map { "\(step.action): \($0) (exit status \(s.rc))" }
                                              ?? "\(step.action) failed (exit status \(s.rc))",
                                          stderr: output.isEmpty ? nil : output))
            }
        }
        return (results, completed)
    }
}
