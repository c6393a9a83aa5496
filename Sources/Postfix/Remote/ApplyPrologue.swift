import ShellQuoting

/// The head of the apply script and of its revert: settings, the run's temporary directory
/// `$T`, and the shell functions their steps use. It reports in ``MarkedOutput`` records:
/// `step KEY EXIT_STATUS MILLISECONDS TRIES` with the step's output as its body, and
/// `end ok|failed` last.
///
/// - `step KEY FUNCTION`: runs FUNCTION with its output captured, then reports it;
///   a function that retries leaves its number of tries in "$T/tries".
/// - `finish ok|failed STATUS`: the end record, and exit.
/// - `sw STAGED LIVE`: swaps a staged file in: the live one is kept as the hard link
///   `LIVE.postfleet-ID` first (when there is one); each swap is listed in "$T/committed".
/// - `f_rollback`: puts back every swapped file, in reverse order, and removes the stages.
/// - `log_size DIR`, `log_since DIR SIZE`: the instance's maillog_file now, and its error
///   lines written since.
/// - `f_prune`: of every file swapped in, keeps the newest `$KEEP` backups (never this
///   run's) and removes the older ones.
/// - `f_restore`: runs every restore function the script has listed in `$acted`.
/// - `undo`: the rollback and the restore, each as a step, where there is something to do.
public enum ApplyPrologue {
    public static func text(id: String, control: InstanceControl) -> String {
        """
        # postfleet apply \(id)
        set -u
        trap '' HUP PIPE
        umask 022
        ID=\(Shell.quote(id))
        \(MarkedOutput.functions)
        T=$(mktemp -d) || { mark end failed; exit 1; }
        trap 'rm -rf -- "$T"' EXIT
        : >"$T/committed"
        bad=0
        acted=
        ms() { date +%s%3N; }
        step() {
          k=$1; shift; t0=$(ms); : >"$T/tries"
          "$@" >"$T/out" 2>&1; rc=$?
          a=1; [ ! -s "$T/tries" ] || read -r a <"$T/tries"
          mark step "$k" "$rc" "$(( $(ms) - t0 ))" "$a"
          mark_body <"$T/out"
          return $rc
        }
        finish() { [ -z "${REC:-}" ] || record "$1"; mark end "$1"; exit "$2"; }
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
        f_prune() {
          cut -d ' ' -f 2- "$T/committed" | sort -u | while IFS= read -r p; do
            set -- "$p".postfleet-[0-9]*
            [ -e "$1" ] || continue
            n=$#
            for f do
              [ "$n" -gt "$KEEP" ] || break
              [ "$f" = "$p.postfleet-$ID" ] || rm -f -- "$f"
              n=$(( n - 1 ))
            done
          done
        }
        log_size() { l=$(postconf -c "$1" -h maillog_file 2>/dev/null); if [ -n "$l" ] && [ -f "$l" ]; then wc -c <"$l"; else echo 0; fi; }
        log_since() {
          l=$(postconf -c "$1" -h maillog_file 2>/dev/null)
          [ -n "$l" ] && [ -f "$l" ] && tail -c +"$(( $2 + 1 ))" -- "$l" | grep -E 'fatal|error|panic|warning' | tail -n 5
          return 0
        }
        f_restore() { r=0; for f in $acted; do "$f" || r=1; done; return $r; }
        \(control.functions)
        undo() {
          if [ -s "$T/committed" ]; then step rollback f_rollback; fi
          if [ -n "$acted" ]; then step restore f_restore; fi
        }

        """
    }
}
