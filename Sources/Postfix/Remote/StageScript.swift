import ShellQuoting

/// The apply script's stage of one instance, as shell lines of its steps: a copy of the
/// live configuration directory's files with the new ones over it, then the check.
///
/// The new files arrive in the apply script's receive directory, `"$T/in"`, each at its
/// own path; every value is quoted by ``Shell/quote(_:)``.
public enum StageScript {
    /// The stage step: a fresh private `stage`, the live directory's files copied in
    /// (without postfleet's own backups and stages), the `received` files over them, the
    /// `edits` applied, and the `edited` files (main.cf, master.cf) dated a minute back
    /// (Postfix waits while main.cf looks freshly written). Each line returns 1 on failure.
    public static func copy(live dir: String, stage: String, received: [String], edits: [PostconfEdit], edited: [String]) -> [String] {
        var lines = [
            "s=\(Shell.quote(stage))",
            #"rm -rf -- "$s" && mkdir -m 700 -- "$s" || return 1"#,
            "for f in \(Shell.quote(dir))/*; do",
            #"  [ -f "$f" ] || continue"#,
            #"  case "${f##*/}" in *.postfleet-*) continue;; esac"#,
            #"  cp -p -- "$f" "$s/" || return 1"#,
            "done",
        ]
        for path in received {
            lines.append("cp -p -- \"$T/in\"\(Shell.quote(path)) \(Shell.quote(stage + "/" + RemotePath.name(of: path))) || return 1")
        }
        for edit in edits {
            lines.append(Shell.join(edit.arguments(configDirectory: stage)) + " || return 1")
        }
        if !edited.isEmpty {
            lines.append("touch -d \(PostmultiCooling.aMinuteAgo) -- " + edited.map { Shell.quote(stage + "/" + $0) }.joined(separator: " "))
        }
        return lines
    }

    /// Builds the staged table `name` of `type` with postmap, which reads the stage's main.cf
    /// (`-c`): the configuration that goes live, and the only one on a host without a main.cf.
    public static func postmap(_ type: TableType, stage: String, name: String) -> String {
        Shell.join(["postmap", "-c", stage, type.reference(path: stage + "/" + name)])
    }

    /// The check step: ``ConfigCheck`` of the stage, in a subshell (it exits).
    public static func check(stage: String, live: String) -> [String] {
        ["(", ConfigCheck.command(configDirectory: stage, liveDirectory: live), ")"]
    }
}
