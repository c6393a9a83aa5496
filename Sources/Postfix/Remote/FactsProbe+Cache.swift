import ShellQuoting

/// The facts probe's memory of `postconf` and of the managed files' checksums: on a
/// converged fleet the three `postconf` runs (the default instance's, one per secondary
/// instance) were most of what a no-change run cost each host (about 12 ms of CPU each,
/// against 40 ms for the whole login), and their answers only change when `postconf` or a
/// main.cf does; the `sha256sum` of the managed files only changes when one of them does.
///
/// The record is ``cachePath`` (root's, 0600, in a 0700 directory): the files postconf's
/// answers came from (`postconf` itself, the default main.cf, each instance's main.cf), each
/// file's identity (device, inode, size, modification and change time to the nanosecond,
/// permission bits), the answers; then the managed files asked for, each with its identity
/// and checksum. It is written as a shell script of quoted assignments after the line
/// ``recordHeader``, and loaded with `.`: dash reads a sourced file in 8 kB blocks, where its
/// `read` takes a byte per system call (1,700 of them for the record of a border host). It is
/// loaded only when the probe's user owns it and it starts with that line, so a record of
/// the earlier line format, or a file somebody else put there, is never run; one that does
/// not parse or does not end with `pc_rec=2` is a miss. One `stat` reads every identity. A
/// probe that finds every file as recorded reuses the answers and runs no `postconf`;
/// anything else (a file changed, renamed over, gone, a `postconf` that failed, a fresh
/// install, a record it cannot read or that does not add up) is a miss: `postconf` runs as
/// before. A package upgrade replaces `postconf`,
/// so it is a miss too. The checksums are reused when the same managed files are asked for
/// and each is as recorded; else one `sha256sum` reads them all.
///
/// A miss writes its part of the record anew only when each of its files last changed
/// before the probe began: its change time (which, unlike the modification time `cp -p`,
/// `tar` and `rsync -t` keep, nothing sets back) strictly before that of the temporary file
/// the probe writes before it reads them. So an answer or a checksum is never recorded
/// beside the identity of a file that changed while `postconf` or `sha256sum` read it.
/// Nothing else on the host is written; without write access (no root) there is simply no
/// record.
extension FactsProbe {
    /// Where the host keeps the probe's `postconf` answers and the managed files' checksums.
    public static let cachePath = "/var/cache/postfleet/postconf"

    /// The format of a file's identity in the record: device, inode, size, modification and
    /// change time to the nanosecond, and the permission bits (which the probe reports for
    /// the files asked for; changing them changes the change time too).
    static let identityFormat = "%d:%i:%s:%.9Y:%.9Z:%a"

    /// The record's first line. A file that does not start with it (a record of the line
    /// format before this one, anything else) is never loaded: it is a miss, and the probe
    /// writes the record anew.
    public static let recordHeader = "# postfleet facts record 2"

    /// Defines `pc_default PARAMETERS...` (the default instance's `postconf -xh`) and
    /// `pc_dir DIR PARAMETERS...` (`postconf -xc DIR -h`), each setting `v` and returning
    /// postconf's status; `ck_print`, which prints the `sha256sum` lines of `ck_files` (from
    /// the record while every one of them is the file recorded with its checksum); `md_print`,
    /// the permission bits of `md_files`; and `pc_end`, which writes the record after a miss.
    /// Needs `n` (a newline), `p` (postconf's path, kept: the probe uses `p` for pids later),
    /// `ck_files` and `md_files` (the existing managed files and the existing files whose
    /// permission bits are asked for, a line each). With `file` nil there is no record.
    ///
    /// One `stat` at the start gives the identity of every file the probe needs: `postconf`
    /// and the main.cf files the record lists, the managed files and those whose bits are
    /// asked for. So on a host where nothing changed, that `stat` and the `awk` that prints
    /// the configuration files are the only programs the probe starts.
    static func cacheFunctions(_ file: String?) -> String {
        """
        pc_file=\(file.map(Shell.quote) ?? "''"); pc_tmp=$pc_file.$$; pc_hit=; pc_ok=${pc_file:+1}; pc_list=; pc_vals=; pc_data=
        pc_bin=$p; pc_ifs=$IFS; pc_stamp=; pc_answers=; pc_was=; pc_rec=; ck_hit=; ck_rec=; ck_sums=; ck_bad=; md_ids=-
        pc_magic='\(recordHeader)'; pc_sq="'"; pc_esc="'\\''"
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
        # pc_set NAME VALUE: the line NAME='VALUE' (VALUE quoted for the shell) onto pc_w
        pc_set() {
          pc_r=$2; pc_o=
          while case $pc_r in *"$pc_sq"*) true;; *) false;; esac; do pc_o="$pc_o${pc_r%%"$pc_sq"*}$pc_esc"; pc_r=${pc_r#*"$pc_sq"}; done
          pc_w="$pc_w$1=$pc_sq$pc_o$pc_r$pc_sq$n"
        }
        # pc_ids 'FILE FILE...' LINES...: one stat of the files (the first argument split at
        # spaces, the others at newlines); their identities, a line each, into pc_all. Fails
        # when a file cannot be read. Leaves IFS a newline.
        pc_ids() {
          IFS=' '; pc_a=$1; shift; set -- $pc_a "$@"; IFS=$n; set -- $*
          pc_all=
          [ $# -eq 0 ] || pc_all=$(exec stat -L -c '\(identityFormat)' -- "$@" 2>/dev/null)
        }
        # pc_ctime IDENTITY: its change time, into pc_c
        pc_ctime() { pc_c=${1%:*}; pc_c=${pc_c##*:}; }
        # pc_older SECONDS.NANOSECONDS SECONDS.NANOSECONDS: whether the first time is before the second
        pc_older() { [ "${1%.*}" -lt "${2%.*}" ] || { [ "${1%.*}" -eq "${2%.*}" ] && [ "${1#*.}" -lt "${2#*.}" ]; }; }
        # pc_stamp: the temporary file whose change time is when the probe's reading began
        pc_stamp() {
          [ -z "$pc_stamp" ] || return 0
          [ -n "$pc_file" ] || return 1
          umask 077
          { [ -d "${pc_file%/*}" ] || mkdir -p -m 0700 "${pc_file%/*}"; } 2>/dev/null && { echo "$$" >"$pc_tmp"; } 2>/dev/null && pc_stamp=1
        }
        # The record is a shell script of assignments, loaded with `.` (which reads it in
        # blocks, where `read` takes a byte per system call): after the line $pc_magic,
        # pc_list (the files postconf's answers depend on, on one line), pc_was (their
        # identities, a line each), pc_data (the answers), ck_rec (a line 'IDENTITY SHA256
        # PATH' for each managed file), then pc_rec=2. It is loaded only when it is ours
        # (-O) and starts with that line, so a record of another format is never run; a
        # record that does not parse or does not end is a miss.
        if [ -r "$pc_file" ] && [ -O "$pc_file" ] && { IFS= read -r pc_l <"$pc_file"; } 2>/dev/null && [ "$pc_l" = "$pc_magic" ] &&
           command . "$pc_file" 2>/dev/null && [ "$pc_rec" = 2 ] && [ -n "$pc_list" ]; then
          pc_answers=$pc_data
        else
          pc_list=; pc_was=; pc_data=; ck_rec=
        fi
        # One stat: the record's files, the managed files, the files whose bits are asked for
        if pc_ids "$pc_list" "$ck_files" "$md_files"; then
          pc_now=; ck_ids=; md_ids=; pc_k=0; pc_j=0
          IFS=' '; for pc_f in $pc_list; do pc_k=$((pc_k + 1)); done
          IFS=$n; for pc_f in $ck_files; do pc_j=$((pc_j + 1)); done
          for pc_l in $pc_all; do
            if [ "$pc_k" -gt 0 ]; then pc_now="${pc_now:+$pc_now$n}$pc_l"; pc_k=$((pc_k - 1))
            elif [ "$pc_j" -gt 0 ]; then ck_ids="$ck_ids$pc_l$n"; pc_j=$((pc_j - 1))
            else md_ids="$md_ids$pc_l$n"; fi
          done
          [ -z "$pc_list" ] || [ "$pc_was" != "$pc_now" ] || pc_hit=1
          # The checksums hold while every managed file is the one recorded with its checksum
          if [ -n "$ck_files" ] && [ -n "$ck_rec" ]; then
            pc_a=; pc_b=
            for pc_l in $ck_rec; do pc_a="$pc_a${pc_l%% *}$n"; pc_r=${pc_l#* }; pc_b="$pc_b${pc_r#*  }$n"; done
            [ "$pc_a" != "$ck_ids" ] || [ "$pc_b" != "$ck_files" ] || ck_hit=1
          fi
        fi
        IFS=$pc_ifs
        [ -n "$pc_hit" ] || [ -z "$pc_ok" ] || pc_stamp || pc_ok=
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
        # ck_print: the managed files' sha256sum lines, from the record or from sha256sum
        ck_print() {
          [ -n "$ck_files" ] || return 0
          pc_s=$IFS; IFS=$n
          if [ -n "$ck_hit" ]; then
            for pc_l in $ck_rec; do mark_line "${pc_l#* }"; done
          else
            pc_stamp || true
            set -- $ck_files
            ck_sums=$(exec sha256sum -- "$@") || ck_bad=1
            [ -z "$ck_sums" ] || mark_line $ck_sums
          fi
          IFS=$pc_s
        }
        # md_print: the permission bits of the files asked for, a line 'OCTAL PATH' each
        md_print() {
          [ -n "$md_files" ] || return 0
          pc_s=$IFS; IFS=$n; set -- $md_files
          if [ "$md_ids" = - ]; then
            mark_line $(stat -c '%a %n' -- "$@")
          else
            for pc_l in $md_ids; do mark_line "${pc_l##*:} $1"; shift; done
          fi
          IFS=$pc_s
        }
        # pc_end 'DEFAULT_CONFIG_DIRECTORY DIR...': records what a miss asked for (postconf's
        # answers, when its postconf runs all answered; the checksums, when sha256sum read
        # every file) if none of the files they depend on changed after the probe began: each
        # one's change time (which no tool can set back, unlike the modification time cp -p,
        # tar and rsync keep) before the temporary file's. What was a hit is kept as it was.
        pc_end() {
          [ -n "$pc_stamp" ] || return 0
          pc_s=$IFS; pc_p=; pc_q=; ck_part=
          if [ -z "$pc_hit" ] && [ -n "$pc_ok" ]; then
            IFS=' '; pc_list=$pc_bin; for pc_d in $1; do pc_list="$pc_list $pc_d/main.cf"; done; pc_p=$pc_list
          fi
          [ -z "$ck_hit" ] || ck_part=$ck_rec
          [ -n "$ck_hit" ] || [ -z "$ck_sums" ] || [ -n "$ck_bad" ] || pc_q=$ck_files
          if [ -n "$pc_ok" ] && pc_ids "$pc_tmp $pc_p" "$pc_q"; then
            set -- $pc_all; pc_ctime "$1"; pc_t=$pc_c; shift
            pc_new=; IFS=' '
            for pc_f in $pc_p; do pc_ctime "$1"; pc_older "$pc_c" "$pc_t" || pc_ok=; pc_new="${pc_new:+$pc_new$n}$1"; shift; done
            if [ -n "$pc_q" ]; then
              pc_r=$ck_sums$n; pc_a=; pc_b=1
              for pc_l in "$@"; do pc_ctime "$pc_l"; pc_older "$pc_c" "$pc_t" || pc_b=; pc_a="$pc_a$pc_l ${pc_r%%"$n"*}$n"; pc_r=${pc_r#*"$n"}; done
              [ -z "$pc_b" ] || ck_part=$pc_a
            fi
            pc_w=$pc_magic$n; pc_set pc_list "$pc_list"
            if [ -n "$pc_hit" ]; then pc_set pc_was "$pc_was"; pc_set pc_data "$pc_answers"; else pc_set pc_was "$pc_new"; pc_set pc_data "$pc_vals"; fi
            pc_set ck_rec "$ck_part"; pc_w="${pc_w}pc_rec=2$n"
          else pc_ok=; fi
          IFS=$pc_s
          if [ -n "$pc_ok" ] && printf '%s' "$pc_w" >"$pc_tmp" 2>/dev/null; then
            mv -f "$pc_tmp" "$pc_file" 2>/dev/null || rm -f "$pc_tmp" 2>/dev/null
          else rm -f "$pc_tmp" 2>/dev/null; fi
        }
        """
    }
}
