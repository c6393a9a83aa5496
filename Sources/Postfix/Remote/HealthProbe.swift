import ShellQuoting

/// The health gate's script, run on the host after its change: it repeats a check of every
/// enabled instance `postmulti -l SELECTION` lists until it has passed `passes` times in a
/// row, `interval` apart, or `deadline` seconds have gone by; it reports one
/// ``MarkedOutput`` record, `gate ok TRIES` or `gate failed TRIES WHY`.
///
/// Per instance (DIR, in GROUP): its master runs (``InstanceControl/isRunning(configDirectory:)``)
/// unless `run` is false; each of its inet services run by smtpd or postscreen, unless
/// `master_service_disable` turns it off, answers a connection with a `220` banner within
/// `bt` seconds (bash's /dev/tcp under timeout(1)); its deferred queue holds at most `md`
/// messages (`postqueue -j`) unless `md` is -1; and, when `tls` is true, every listening
/// socket its master holds serves the certificate its configuration names (``tlsFunctions``).
/// Only a script some of whose checks turn `tls` on has `tls` and the tls check at all.
public enum HealthProbe {
    /// One set of checks, as shell words: `run` (`true`/`false`), `bt`, `md`, `tls` (`true`/`false`).
    public struct Checks: Sendable, Equatable {
        public var running: String
        public var bannerTimeout: String
        public var maxDeferred: String
        public var tls: String

        public init(running: String, bannerTimeout: String, maxDeferred: String, tls: String = "false") {
            self.running = running
            self.bannerTimeout = bannerTimeout
            self.maxDeferred = maxDeferred
            self.tls = tls
        }

        /// `withTLS`: the script has the tls check, so every set says whether it is on.
        func assignments(withTLS: Bool) -> String {
            "run=\(running); bt=\(bannerTimeout); md=\(maxDeferred)" + (withTLS ? "; tls=\(tls)" : "")
        }
    }

    /// `pf_health_tls DIR` (after ``MasterSockets/functions`` and ``TLSProbe/functions``, with
    /// a scratch directory in `$t`): when the instance names a certificate
    /// (`smtpd_tls_chain_files`, else `smtpd_tls_cert_file`) and its master runs, asks each
    /// listening socket its master holds for its certificate as the tls probe does
    /// (`pf_tls_ask`: STARTTLS, or TLS from the first byte after 5 s without a greeting) and
    /// compares the SHA-256 fingerprint of the leaf it serves with that of the configured
    /// leaf (the first certificate of those files, read now). What is wrong goes to `$why`:
    /// `DIR ADDRESS:PORT: does not offer STARTTLS`, `DIR ADDRESS:PORT: serves SHA256
    /// AA:BB:CC:DD:EE:FF:00:11.. (not the configured ...)` (the first 8 bytes of each
    /// fingerprint), or in a few words what s_client said when no certificate came.
    /// `pf_tls_said FILE`: those few words, from s_client's stderr.
    static let tlsFunctions = #"""
        pf_fp() { openssl x509 -noout -fingerprint -sha256 2>/dev/null | sed 's/^[^=]*=//'; }
        pf_tls_said() {
          awk '/find STARTTLS/ { s = "does not offer STARTTLS" } /no SMTP greeting within/ && s == "" { s = $0 }
            /Connection refused/ && s == "" { s = "connection refused" }
            /:error:/ && e == "" { split($0, f, ":"); e = "TLS handshake failed" (f[6] == "" ? "" : ": " f[6]) }
            NF { l = $0 }
            END { r = "no certificate presented"; if (l != "") r = r ": " l; if (e != "") r = e; if (s != "") r = s; print r }' "$1"
        }
        pf_health_tls() {
          pf_tls_instance "$1"
          [ -n "$pf_cf$pf_cc" ] && pf_master "$pf_q" || return 0
          command -v openssl >/dev/null 2>&1 || { why="$why; $1: no openssl on the host to check its certificate"; return 0; }
          tw=$(pf_tls_configured | pf_fp)
          [ -n "$tw" ] || { why="$why; $1: no certificate could be read from its smtpd_tls_cert_file or smtpd_tls_chain_files"; return 0; }
          pf_sockets "$pf_pid" >"$t/s"
          while read -r ta tp; do
            if ! pf_tls_ask "$ta" "$tp" "$pf_h" "$t"; then
              why="$why; $1 $ta:$tp: $(pf_tls_said "$t/oe")"
            elif tg=$(pf_fp <"$t/o"); [ "$tg" != "$tw" ]; then
              why="$why; $1 $ta:$tp: serves SHA256 $(printf '%.23s' "$tg").. (not the configured $(printf '%.23s' "$tw")..)"
            fi
          done <"$t/s"
        }
        """#

    /// `selection`: postmulti's selection words (`-i NAME`, `-g GROUP`, `-a`); `groups`: the
    /// checks of instance groups that differ from `base`, in order.
    public static func script(selection: [String], base: Checks, groups: [(name: String, checks: Checks)], passes: Int,
                              interval: String, deadline: Int, control: InstanceControl) -> String {
        let tls = base.tls == "true" || groups.contains { $0.checks.tls == "true" }
        var perGroup = base.assignments(withTLS: tls)
        if !groups.isEmpty {
            perGroup += "\n    case $g in\n"
            for (name, checks) in groups {
                perGroup += "      \(Shell.quote(name))) \(checks.assignments(withTLS: tls));;\n"
            }
            perGroup += "    esac"
        }
        // Without tls anywhere, the script is what it was before tls existed: no openssl, no scratch directory.
        let tlsSetup = !tls ? "" : "\n" + [MasterSockets.functions, TLSProbe.functions, tlsFunctions].joined(separator: "\n") + """

            t=$(mktemp -d) || { mark gate failed 0 'postfleet: mktemp -d failed'; exit 1; }
            trap 'rm -rf "$t"' EXIT
            """
        let tlsCheck = tls ? "\n    if $tls; then pf_health_tls \"$d\"; fi" : ""
        return """
            \(MarkedOutput.functions)
            \(control.checkFunctions)\(tlsSetup)
            check() {
              why=
              pairs=$(\(Shell.join(["postmulti", "-l"] + selection)) 2>&1 | awk 'NF == 4 && $3 == "y" { print $2 "=" $4 }')
              [ -n "$pairs" ] || { why=\(Shell.quote("; no enabled instance matches " + Shell.join(selection))); return 1; }
              for gd in $pairs; do
                g=${gd%%=*}; d=${gd#*=}
                \(perGroup)
                if $run && ! \(control.isRunning(configDirectory: "\"$d\"")) >/dev/null 2>&1; then why="$why; $d: its master is not running"; continue; fi
                dis=" $(postconf -c "$d" -h master_service_disable 2>/dev/null | tr ',' ' ') "
                ifs=$(postconf -c "$d" -h inet_interfaces 2>/dev/null | tr ',' ' ')
                set -- $ifs; first=${1:-all}
                case $first in all|loopback-only|localhost) first=127.0.0.1;; esac
                for s in $(postconf -c "$d" -M 2>/dev/null | awk '$2 == "inet" && ($8 == "smtpd" || $8 == "postscreen") { print $1 }'); do
                  case $dis in *" inet "*|*" $s.inet "*) continue;; esac
                  case $s in *:*) a=${s%:*}; p=${s##*:};; *) a=$first; p=$s;; esac
                  a=${a#[}; a=${a%]}
                  case $p in *[!0-9]*) p=$(getent services "$p/tcp" | awk '{ split($2, x, "/"); print x[1]; exit }');; esac
                  if ! timeout "$bt" bash -c 'exec 3<>"/dev/tcp/$1/$2" && IFS= read -r l <&3 && printf "QUIT\\r\\n" >&3 && case $l in 220*) exit 0;; *) exit 1;; esac' _ "$a" "$p" >/dev/null 2>&1; then
                    why="$why; $d: $a:$p did not answer 220 within $bt s"
                  fi
                done\(tlsCheck)
                if [ "$md" -ge 0 ]; then
                  nd=$(postqueue -c "$d" -j 2>/dev/null | grep -c '"queue_name": *"deferred"')
                  [ "$nd" -le "$md" ] || why="$why; $d: $nd deferred messages (at most $md)"
                fi
              done
              [ -z "$why" ]
            }
            n=0; tries=0; last=; t0=$(date +%s)
            while :; do
              tries=$((tries + 1))
              if check; then n=$((n + 1)); [ "$n" -lt \(passes) ] || { mark gate ok "$tries"; exit 0; }; else n=0; last=$why; fi
              if [ $(( $(date +%s) - t0 )) -ge \(deadline) ]; then
                [ -n "$last" ] || last="; passed $n of \(passes) times in a row"
                mark gate failed "$tries" "${last#; }"; exit 1
              fi
              sleep \(interval)
            done
            """
    }

    /// What the script printed: whether the gate passed, after how many checks, and why not.
    public static func outcome(_ stdout: String) -> (passed: Bool, tries: Int, reason: String) {
        guard let record = MarkedOutput(stdout).records("gate").last else {
            return (false, 0, "the health check did not run to its end: \(stdout.suffix(200))")
        }
        let words = record.rest.split(separator: " ", maxSplits: 2)
        let tries = words.count > 1 ? Int(words[1]) ?? 0 : 0
        return (words.first == "ok", tries, words.count > 2 ? String(words[2]) : "")
    }
}
