import Postfix
import ShellQuoting

/// The revert: undoing, later and in a round trip of its own, a run that ended well.
extension ApplyScript {
    /// The apply script's own rollback over the files its commits swap (each with its
    /// backup, or new), then its own restore functions; nil when there is nothing to undo.
    static func revert(id: String, control: InstanceControl, committed: [String], restores: [String], guarded: Bool = false) -> String? {
        if committed.isEmpty && restores.isEmpty { return nil }
        let backup = #"if [ -e "$p.postfleet-$ID" ]; then echo "1 $p"; else echo "0 $p"; fi"#
        return ApplyPrologue.text(id: id, control: control) + (guarded ? HostLock.applyGuard + "\n" : "") + ([
            "for p in \(committed.map(Shell.quote).joined(separator: " ")); do \(backup); done >\"$T/committed\"",
            #"if [ -s "$T/committed" ]; then step revert_files f_rollback || finish failed 1; fi"#,
        ] + restores + [
            #"if [ -n "$acted" ]; then step revert_restore f_restore || finish failed 1; fi"#,
            "finish ok 0",
        ]).joined(separator: "\n") + "\n"
    }

    /// What the revert script printed: whether it ended well, and else the output of the
    /// step that failed.
    public static func revertOutcome(_ stdout: String) -> (ok: Bool, output: String) {
        let records = MarkedOutput(stdout).records
        let ok = records.contains { $0.kind == "end" && $0.rest == "ok" }
        return (ok, records.flatMap(\.body).joined(separator: "\n"))
    }
}
