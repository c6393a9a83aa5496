import ShellQuoting

/// The facts probe's memory of `postconf`: on a converged fleet the three `postconf` runs
/// (the default instance's, one per secondary instance) were most of what a no-change run
/// cost each host (about 12 ms of CPU each, against 40 ms for the whole login), and their
/// answers only change when `postconf` or a main.cf does.
///
/// The answers are kept in ``cachePath`` (root's, 0600, in a 0700 directory): the files they
/// came from (`postconf` itself, the default main.cf, each instance's main.cf), each file's
/// identity (device, inode, size, modification and change time to the nanosecond, by one
/// `stat`), then the answers. A probe that finds every file as recorded reuses them and runs
/// no `postconf`; anything else (a file changed, renamed over, gone, a `postconf` that
/// failed, a fresh install, a record it cannot read or that does not add up) is a miss:
/// `postconf` runs as before. A package upgrade replaces `postconf`, so it is a miss too.
///
/// A miss writes the record anew only when each of those files last changed before the
/// probe began: its change time (which, unlike the modification time `cp -p`, `tar` and
/// `rsync -t` keep, nothing sets back) strictly before that of the temporary file the probe
/// writes first. So an answer is never recorded beside the identity of a file that changed
/// while `postconf` read it. Nothing else on the host is written; without write access
/// (no root) there is simply no record.
extension FactsProbe {
    /// Where the host keeps the probe's `postconf` answers.
    public static let cachePath = "/var/cache/postfleet/postconf"

    /// Defines `pc_default PARAMETERS...` (the default instance's `postconf -xh`) and
    /// `pc_dir DIR PARAMETERS...` (`postconf -xc DIR -h`), each setting `v` and returning
    /// postconf's status, and `pc_end`, which writes the cache after a miss. Needs `n` (a
    /// newline) and `p` (postconf's path, kept: the probe uses `p` for pids later). With
    /// `file` nil there is no cache.
    static func cacheFunctions(_ file: String?) -> String {
        """
        pc_file=\(file.map(Shell.quote) ?? "''"); pc_tmp=$pc_file.$$; pc_hit=; pc_ok=${pc_file:+1}; pc_list=; pc_vals=; pc_data=
        pc_bin=$p
        # pc_get: the next answer of the cache into v (lines behind '>', ended by '.')
        pc_get() {
          v=; pc_i=
          while case $pc_data in *"$n"*) true;; *) false;; esac; do
            pc_l=${pc_data%%"$n"*}; pc_data=${pc_data#*"$n"}
            [ "$pc_l" != . ] || return 0
            v="$v$pc_i${pc_l#>}"; pc_i=$n
          done
          return 1
        }
        # pc_put: v, as pc_get reads it, onto what a miss writes
        pc_put() {
          pc_r=$v
          while case $pc_r in *"$n"*) true;; *) false;; esac; do
            pc_vals="$pc_vals>${pc_r%%"$n"*}$n"; pc_r=${pc_r#*"$n"}
          done
          pc_vals="$pc_vals>$pc_r$n.$n"
        }
        # pc_ids 'FILE FILE...': their identities, a line each; only ever inside $(...), as it sets IFS
        pc_ids() { IFS=' '; stat -L -c '%d:%i:%s:%.9Y:%.9Z' -- $1 2>/dev/null; }
        if [ -r "$pc_file" ] && { IFS= read -r pc_list; pc_was=
             for pc_f in $pc_list; do IFS= read -r pc_l && pc_was="${pc_was:+$pc_was$n}$pc_l"; done
             while IFS= read -r pc_l; do pc_data="$pc_data$pc_l$n"; done; } <"$pc_file" 2>/dev/null \\
           && [ -n "$pc_list" ] && pc_now=$(pc_ids "$pc_list") && [ "$pc_was" = "$pc_now" ]; then
          pc_hit=1
        elif [ -n "$pc_ok" ]; then
          umask 077
          { [ -d "${pc_file%/*}" ] || mkdir -p -m 0700 "${pc_file%/*}"; } 2>/dev/null && { echo "$$" >"$pc_tmp"; } 2>/dev/null || pc_ok=
        fi
        # pc_older SECONDS.NANOSECONDS SECONDS.NANOSECONDS: whether the first time is before the second
        pc_older() { [ "${1%.*}" -lt "${2%.*}" ] || { [ "${1%.*}" -eq "${2%.*}" ] && [ "${1#*.}" -lt "${2#*.}" ]; }; }
        # pc_miss: a hit that did not last (an answer missing or not in order): postconf from here on, nothing written
        pc_miss() { [ -z "$pc_hit" ] || { pc_hit=; pc_ok=; }; }
        pc_default() {
          if [ -n "$pc_hit" ] && pc_get; then return 0; fi
          pc_miss
          v=$(postconf -xh "$@" 2>&1) || { pc_ok=; return 1; }
          pc_put
        }
        pc_dir() {
          pc_d=$1; shift
          if [ -n "$pc_hit" ] && pc_get && [ "$v" = "$pc_d" ] && pc_get; then return 0; fi
          pc_miss
          v=$pc_d; pc_put
          v=$(postconf -xc "$pc_d" -h "$@" 2>&1) || { pc_ok=; return 1; }
          pc_put
        }
        # pc_end 'DEFAULT_CONFIG_DIRECTORY DIR...': after a miss whose postconf runs all
        # answered, record the answers with their files' identities, if no file changed
        # after the probe began: each one's change time (which no tool can set back, unlike
        # the modification time cp -p, tar and rsync keep) before its temporary file's
        pc_end() {
          if [ -n "$pc_hit" ]; then return 0; fi
          if [ -n "$pc_ok" ]; then
            pc_s=$IFS; IFS=' '
            pc_list=$pc_bin; for pc_d in $1; do pc_list="$pc_list $pc_d/main.cf"; done
            if pc_now=$(pc_ids "$pc_list $pc_tmp"); then
              pc_c=${pc_now##*:}; pc_now=${pc_now%"$n"*}
              IFS=$n; for pc_l in $pc_now; do pc_older "${pc_l##*:}" "$pc_c" || pc_ok=; done
            else pc_ok=; fi
            IFS=$pc_s
          fi
          if [ -n "$pc_ok" ] && { printf '%s\\n%s\\n%s' "$pc_list" "$pc_now" "$pc_vals" >"$pc_tmp"; } 2>/dev/null; then
            mv -f "$pc_tmp" "$pc_file" 2>/dev/null || rm -f "$pc_tmp" 2>/dev/null
          elif [ -n "$pc_file" ]; then rm -f "$pc_tmp" 2>/dev/null; fi
        }
        """
    }
}
