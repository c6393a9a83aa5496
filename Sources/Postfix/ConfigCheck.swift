import ShellQuoting
/// The remote check a staged configuration directory must pass before it goes live.
///
/// `postfix check` alone accepts a main.cf that names a table type Postfix does not
/// have, and `postconf -n` only warns about a parameter it does not know (often a
/// typo). So the check fails on any of:
/// - a warning or error from `postconf -c DIR -n` (with master.cf beside it, so that
///   parameters used only in `-o` overrides are known);
/// - `postfix -c DIR check` failing;
/// - a table in a `*_maps` parameter that `postmap -q` cannot open: an unknown type, a
///   missing indexed file (run postmap on staged tables first).
/// It prints Postfix's own messages on stderr and exits non-zero; it changes nothing.
///
/// For a staged copy of a live directory (`liveDirectory`), a table that the staged
/// main.cf names by its live path (`cdb:/etc/postfix/generic`) is probed in the stage when
/// the stage has that file: the staged table is the one that will go live.
public enum ConfigCheck {
    public static func command(configDirectory dir: String, liveDirectory: String? = nil) -> String {
        let d = Shell.quote(dir)
        var map = ""
        if let live = liveDirectory.map(Shell.quote) {
            map = "p=${t#*:}; case \"$p\" in \(live)/*) n=${p#\(live)/}; [ -e \"$d/$n\" ] && t=\"${t%%:*}:$d/$n\";; esac"
        }
        return """
            d=\(d); fail=0; e=$(mktemp); trap 'rm -f "$e"' EXIT
            w=$(postconf -c "$d" -n 2>&1 >/dev/null); if [ -n "$w" ]; then echo "$w" >&2; fail=1; fi
            postfix -c "$d" check >&2 || fail=1
            for t in $(postconf -c "$d" -x -n 2>/dev/null | awk -F' = ' '$1 ~ /_maps$/ { print $2 }' | tr ', ' '\\n\\n' | grep -E '^[a-z0-9]+:' ); do
              case "$t" in proxy:*|static:*|inline:*|fail:*|randmap:*|pipemap:*|unionmap:*) continue;; esac
              \(map)
              postmap -c "$d" -q postfleet-probe "$t" >/dev/null 2>"$e"; rc=$?
              if [ $rc -gt 1 ] || grep -q 'fatal' "$e"; then cat "$e" >&2; fail=1; fi
            done
            exit $fail
            """
    }
}
