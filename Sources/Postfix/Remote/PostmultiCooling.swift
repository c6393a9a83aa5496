import ShellQuoting

/// Dates the main.cf files a postmulti operation just edited a minute back (see
/// `ApplyScript.Builder.lifecycle`): Postfix programs pause while a main.cf is younger than
/// about two seconds, and `postconf -e` has renamed a complete file into place.
///
/// `stamp` runs before the operation, `cool` after it; only a main.cf changed in between
/// (newer than the stamp, to the nanosecond) is touched, in a directory named directly or
/// through a symbolic link (`find -H`), and a failure to touch it is no
/// failure of the step: the next program merely pauses, as it would have.
public enum PostmultiCooling {
    /// Defines `pf_cool`, which back-dates the main.cf files of `directories` newer than the stamp.
    public static func function(directories: [String]) -> String {
        guard !directories.isEmpty else { return "pf_cool() { return 0; }" }
        return """
        pf_cool() {
          find -H \(directories.map { Shell.quote($0) }.joined(separator: " ")) -maxdepth 1 -name main.cf -newer "$T/cool" -exec touch -c -d \(aMinuteAgo) -- {} + 2>/dev/null
          return 0
        }
        """
    }

    /// A minute before now, as `touch -d` takes it: the date of every main.cf the apply script
    /// writes on the host (the postconf edits in a stage, ``StageScript``, and postmulti's),
    /// as the files it sends carry.
    public static let aMinuteAgo = #""@$(( $(date +%s) - 60 ))""#

    /// The line before an operation.
    public static let stamp = #": >"$T/cool""#
    /// The line after it.
    public static let cool = "pf_cool"
}
