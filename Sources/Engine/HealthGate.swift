import Foundation
import Playbook
import Postfix
import SSH
import ShellQuoting

/// What must hold on a host after its change before its batch counts as done, checked on
/// the host by one script (one round trip) that repeats the check until it has passed
/// `passes` times in a row, `interval` apart, or `deadline` has gone by.
///
/// For every enabled instance the target selects (`postmulti -l -g G`, `-i NAME`, `-a`):
/// - its master runs (`postfix -c DIR status`), unless `running` is off;
/// - each of its inet services run by smtpd or postscreen, unless `master_service_disable`
///   turns it off, answers a connection with a `220` banner within `bannerTimeout` (the
///   address is the service's own, or the first of `inet_interfaces`, 127.0.0.1 for `all`
///   and `loopback-only`; read with bash's /dev/tcp under timeout(1), both in every Debian);
/// - its deferred queue holds at most `maxDeferred` messages (`postqueue -j`), when set.
public struct HealthGate: Sendable, Equatable {
    public var target: PostmultiCommand.Target
    public var running = true
    public var bannerTimeout: Duration = .seconds(5)
    public var maxDeferred: Int?
    public var passes = 2
    public var interval: Duration = .seconds(1)
    public var deadline: Duration = .seconds(30)
    /// Per instance group, checks that differ from `running`, `bannerTimeout`, `maxDeferred`.
    public var groups: [String: Policy.GroupHealth] = [:]

    /// The default gate for `target`.
    public init(target: PostmultiCommand.Target) {
        self.target = target
    }

    /// The gate a policy's `health:` asks for, or nil for `health: none`. Without `health:`
    /// a rolling policy gets the default gate.
    public init?(target: PostmultiCommand.Target, health: Policy.Health?) {
        self.init(target: target)
        switch health {
        case .none?: return nil
        case .default?, nil: break
        case let .custom(settings)?:
            running = settings.running ?? running
            bannerTimeout = settings.bannerTimeout ?? bannerTimeout
            maxDeferred = settings.maxDeferred ?? maxDeferred
            passes = settings.passes ?? passes
            interval = settings.interval ?? interval
            deadline = settings.deadline ?? deadline
            groups = settings.groups
        }
    }

    static let marker = "@@postfleet gate "

    /// The checks for an instance of `group` (or of no group): `running`, the banner
    /// timeout, the deferred limit (-1: none), as shell words.
    func checks(_ group: String?) -> (running: String, timeout: String, maxDeferred: String) {
        let own = group.flatMap { groups[$0] }
        let limit = own?.maxDeferred ?? maxDeferred
        return ((own?.running ?? running) ? "true" : "false", (own?.bannerTimeout ?? bannerTimeout).shellSeconds,
                limit.map(String.init) ?? "-1")
    }

    /// The script; its last line is `@@postfleet gate ok TRIES` or `@@postfleet gate failed TRIES WHY`.
    public var script: String {
        let select = Shell.join(["postmulti", "-l"] + Self.selection(target))
        let base = checks(nil)
        var perGroup = "run=\(base.running); bt=\(base.timeout); md=\(base.maxDeferred)"
        if !groups.isEmpty {
            perGroup += "\n    case $g in\n"
            for name in groups.keys.sorted() {
                let c = checks(name)
                perGroup += "      \(Shell.quote(name))) run=\(c.running); bt=\(c.timeout); md=\(c.maxDeferred);;\n"
            }
            perGroup += "    esac"
        }
        return """
            check() {
              why=
              pairs=$(\(select) 2>&1 | awk 'NF == 4 && $3 == "y" { print $2 "=" $4 }')
              [ -n "$pairs" ] || { why=\(Shell.quote("; no enabled instance matches " + Shell.join(Self.selection(target)))); return 1; }
              for gd in $pairs; do
                g=${gd%%=*}; d=${gd#*=}
                \(perGroup)
                if $run && ! postfix -c "$d" status >/dev/null 2>&1; then why="$why; $d: its master is not running"; continue; fi
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
              if check; then n=$((n + 1)); [ "$n" -lt \(passes) ] || { echo "\(Self.marker)ok $tries"; exit 0; }; else n=0; last=$why; fi
              if [ $(( $(date +%s) - t0 )) -ge \(Int(deadline.seconds.rounded(.up))) ]; then
                [ -n "$last" ] || last="; passed $n of \(passes) times in a row"
                echo "\(Self.marker)failed $tries ${last#; }"; exit 1
              fi
              sleep \(interval.shellSeconds)
            done
            """
    }

    static func selection(_ target: PostmultiCommand.Target) -> [String] {
        switch target {
        case let .instance(name): ["-i", name == PostfixInstance.defaultName ? "-" : name]
        case let .group(group): ["-g", group]
        case .all: ["-a"]
        }
    }

    /// What the script printed: whether the gate passed, after how many checks, and why not.
    public static func outcome(_ stdout: String) -> (passed: Bool, tries: Int, reason: String) {
        guard let line = stdout.split(separator: "\n").last(where: { $0.hasPrefix(marker) }) else {
            return (false, 0, "the health check did not run to its end: \(stdout.suffix(200))")
        }
        let words = line.dropFirst(marker.count).split(separator: " ", maxSplits: 2)
        let tries = words.count > 1 ? Int(words[1]) ?? 0 : 0
        return (words.first == "ok", tries, words.count > 2 ? String(words[2]) : "")
    }

    /// Runs the gate on `session`; its deadline bounds it, with a minute to spare.
    public func run(on session: Session) async throws -> StepResult {
        let clock = ContinuousClock()
        let start = clock.now
        let longest = groups.values.compactMap(\.bannerTimeout).reduce(bannerTimeout) { $0 > $1 ? $0 : $1 }
        let result = try await session.exec(script, timeout: deadline + longest * 4 + .seconds(60))
        let (passed, tries, reason) = Self.outcome(result.stdoutText)
        let action = "health gate (\(passes) pass\(passes == 1 ? "" : "es") in a row)"
        return StepResult(action: action, status: passed ? .ok : .failed, seconds: (clock.now - start).seconds,
                          attempts: max(tries, 1), message: passed ? nil : reason)
    }
}
