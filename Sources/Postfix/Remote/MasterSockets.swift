/// What an instance's master process is doing right now, read on the host: whether it runs,
/// and the TCP sockets it listens on. `ss -ltnp` names each socket's owner, so the list is
/// exactly what listens, whatever master.cf, `inet_interfaces` and `master_service_disable`
/// say. The drain (``DrainScript``) refuses connections to these sockets; the certificate
/// probe (``TLSProbe``) asks each of them for its certificate.
///
/// - `pf_master QUEUE_DIRECTORY`: succeeds, with the pid in `$pf_pid`, when the instance's
///   master runs: `pid/master.pid` names a process whose `/proc/PID/status` says it is a
///   `master` and not a zombie (a stopped master that nothing reaped yet, or a pid reused by
///   another program, is not running); otherwise fails with `$pf_pid` empty. Shell built-ins
///   only: the facts probe calls it for every instance of every host. dash's `read` takes a
///   byte per system call, so it reads the first lines of `status` (`Name:`, `Umask:` since
///   Linux 4.7, `State:`; about 45 bytes) rather than the one line of `stat` (about 300).
/// - `pf_sockets PID`: each listening TCP socket PID holds, one `ADDRESS PORT` line each,
///   the address as `ss` writes it (`198.18.0.1`, `0.0.0.0`, `*`, `[::1]`, `[::]`).
public enum MasterSockets {
    public static let functions = #"""
        pf_master() {
          pf_pid=; pf_st=; pf_s=
          [ ! -f "$1/pid/master.pid" ] || IFS=' ' read -r pf_pid <"$1/pid/master.pid"
          case $pf_pid in ''|*[!0-9]*) pf_pid=; return 1;; esac
          [ ! -f "/proc/$pf_pid/status" ] || { IFS= read -r pf_st; IFS= read -r pf_s; case $pf_s in State:*) ;; *) IFS= read -r pf_s;; esac; } <"/proc/$pf_pid/status"
          case $pf_st in Name:?master) case $pf_s in State:?Z*) ;; State:*) return 0;; esac;; esac
          pf_pid=; return 1
        }
        pf_sockets() {
          ss -Hltnp 2>/dev/null | awk -v p="pid=$1," 'index($0, p) { s = $4; i = match(s, /:[0-9]+$/); if (i) print substr(s, 1, i - 1), substr(s, i + 1) }' | sort -u
        }
        """#
}
