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
/// messages (`postqueue -j`) unless `md` is -1.
public enum HealthProbe {
    /// One set of checks, as shell words: `run` (`true`/`false`), `bt`, `md`.
    public struct Checks: Sendable, Equatable {
        public var running: String
        public var bannerTimeout: String
        public var maxDeferred: String

        public init(running: String, bannerTimeout: String, maxDeferred: String) {
            self.running = running
            self.bannerTimeout = bannerTimeout
            self.maxDeferred = maxDeferred
        }

        var assignments: String { "run=\(running); bt=\(bannerTimeout); md=\(maxDeferred)" }
    }

    /// `selection`: postmulti's selection words (`-i NAME`, `-g GROUP`, `-a`); `groups`: the
    /// checks of instance groups that differ from `base`, in order.
    public static func script(selection: [String], base: Checks, groups: [(name: String, checks: Checks)], passes: Int,
                              interval: String, deadline: Int, control: InstanceControl) -> String {
        var perGroup = base.assignments
        if !groups.isEmpty {
            perGroup += "\n    case $g in\n"
            for (name, checks) in groups {
                perGroup += "      \(Shell.quote(name))) \(checks.assignments);;\n"
            }
            perGroup += "    esac"
        }
        return """
            \(MarkedOutput.functions)
            \(control.checkFunctions)
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
                done
                if [ "$md" -ge 0 ]; then
                  n=$(postqueue -c "$d" -j 2>/dev/null | grep -c '"queue_name": *"deferred"')
                  [ "$n" -le "$md" ] || why="$why; $d: $n deferred messages (at most $md)"
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
