import ShellQuoting

/// Taking instances out of service before they are stopped or restarted, so that no SMTP
/// session is cut mid-transaction and no accepted message waits in a stopped instance's
/// incoming or active queue.
///
/// Why not Postfix's own means: a service removed from master.cf is killed at once on
/// `postfix reload` (master(8): "its running processes are terminated immediately"), which
/// is the very cut a drain avoids; and a changed `-o` option reaches only new processes, so
/// it cannot close a listener. The kernel can: new connections to the instance's listening
/// sockets are refused (a TCP reset: a sending MTA moves on to the next MX at once) while
/// the sessions already open go on to their end.
///
/// `pf_drain DEADLINE KEEP DIR...` (shell, see ``functions``):
/// 1. For each running instance, the listening TCP sockets its master holds
///    (``MasterSockets``): exactly what listens.
/// 2. Each becomes an element of an nft set in the table `inet postfleet_drain`, whose rule
///    answers a new connection (a SYN) to it with a reset. Every element carries a timeout
///    of KEEP seconds: if the controller and the script die half-way, the listeners open
///    again by themselves.
/// 3. Every half second, the established connections to those sockets, then the files in
///    the instance's `incoming` and `active` queues. When it has none of either, it is
///    drained. Deferred (and held) mail stays and is kept.
/// 4. Instances are drained one after the other in reverse start order (the order in which
///    postmulti stops them): an input instance first, while the output instance it hands
///    mail to still listens, then the output instance. DEADLINE seconds is for all of them.
/// 5. One line per instance: `postfix@NAME: drained in S s (...)` with what is left in its
///    queue; or, at the deadline, `postfix@NAME: not drained: ...`, every block lifted (the
///    listeners reopened), and exit status 1.
///
/// `pf_undrain`: lifts the blocks `pf_drain` set (after the stop or restart, whatever its
/// outcome), and removes the table once nothing in it blocks anything.
///
/// The lines follow ``InstanceControl``'s `postfix@NAME: WHAT` form, so the apply script's
/// report shows one result per instance.
public enum DrainScript {
    /// The nft table, in the `inet` family (IPv4 and IPv6 alike).
    public static let table = "postfleet_drain"

    /// How long a block outlives the deadline when nothing lifts it: the stop or restart
    /// after a drain has this long to finish.
    public static let margin = 300

    /// The shell functions, for a script that defines `ms` (milliseconds) and `$T`.
    public static let functions = MasterSockets.functions + "\n" + #"""
        pf_listeners() {
          pf_sockets "$1" | awk '{
            a = $1; gsub(/[][]/, "", a); sub(/%.*/, "", a); sub(/^::ffff:/, "", a)
            if (a == "0.0.0.0" || a == "*" || a == "::") print "any", $2; else if (index(a, ":")) print "v6", a, $2; else print "v4", a, $2
          }' | sort -u
        }
        pf_sessions() {
          ss -Htn 2>/dev/null | awk -v f="$1" 'BEGIN { while ((getline l < f) > 0) { n = split(l, w, " "); if (w[1] == "any") any[w[2]] = 1; else one[w[2] " " w[3]] = 1 } }
            $1 == "ESTAB" { s = $4; i = match(s, /:[0-9]+$/); if (!i) next
              port = substr(s, i + 1); a = substr(s, 1, i - 1); gsub(/[][]/, "", a); sub(/%.*/, "", a); sub(/^::ffff:/, "", a)
              if ((port in any) || ((a " " port) in one)) c++ }
            END { print c + 0 }'
        }
        pf_files() { dr_c=0; for dr_x in "$@"; do [ -d "$dr_x" ] && dr_c=$(( dr_c + $(find "$dr_x" -type f 2>/dev/null | wc -l) )); done; echo "$dr_c"; }
        pf_block() {
          nft list table inet postfleet_drain >/dev/null 2>&1 || nft -f - <<'EOF' || return 1
        table inet postfleet_drain {
          set v4 { type ipv4_addr . inet_service; flags timeout; }
          set v6 { type ipv6_addr . inet_service; flags timeout; }
          set any { type inet_service; flags timeout; }
          chain input {
            type filter hook input priority -10; policy accept;
            tcp flags & (syn | ack) == syn ip daddr . tcp dport @v4 reject with tcp reset
            tcp flags & (syn | ack) == syn ip6 daddr . tcp dport @v6 reject with tcp reset
            tcp flags & (syn | ack) == syn tcp dport @any reject with tcp reset
          }
        }
        EOF
          while read -r dr_set dr_a dr_p; do
            case $dr_set in any) dr_e="$dr_a";; *) dr_e="$dr_a . $dr_p";; esac
            nft add element inet postfleet_drain "$dr_set" "{ $dr_e timeout ${1}s }" || return 1
            printf '%s\n' "$dr_set $dr_e" >>"$T/drained"
          done <"$2"
        }
        pf_undrain() {
          [ -s "$T/drained" ] || return 0
          while read -r dr_set dr_e; do nft delete element inet postfleet_drain "$dr_set" "{ $dr_e }" 2>/dev/null; done <"$T/drained"
          : >"$T/drained"
          nft list table inet postfleet_drain 2>/dev/null | grep -q 'elements' || nft delete table inet postfleet_drain 2>/dev/null
          return 0
        }
        pf_drain() {
          dr_dl=$1; dr_keep=$2; shift 2; : >"$T/drained"; dr_rc=0; dr_list=
          command -v nft >/dev/null 2>&1 || { echo "drain: nft(8) is not installed on the host (Debian: apt install nftables); nothing was stopped"; return 1; }
          command -v ss >/dev/null 2>&1 || { echo "drain: ss(8) is not installed on the host (Debian: iproute2); nothing was stopped"; return 1; }
          for dr_d in "$@"; do dr_list="$dr_d $dr_list"; done
          dr_end=$(( $(ms) + dr_dl * 1000 )); dr_tries=0
          for dr_d in $dr_list; do
            { IFS= read -r dr_n; IFS= read -r dr_q; } <<EOF
        $(postconf -c "$dr_d" -h multi_instance_name queue_directory 2>/dev/null)
        EOF
            [ -n "$dr_n" ] || dr_n=-
            pf_master "$dr_q" || { echo "postfix@$dr_n: nothing to drain (not running)"; continue; }
            dr_p=$pf_pid
            pf_listeners "$dr_p" >"$T/dl"
            pf_block "$dr_keep" "$T/dl" || { dr_rc=1; echo "postfix@$dr_n: not drained: nft refused the block"; break; }
            dr_t0=$(ms)
            while :; do
              dr_s=$(pf_sessions "$T/dl"); dr_c=$(pf_files "$dr_q/incoming" "$dr_q/active")
              [ "$dr_s" -eq 0 ] && [ "$dr_c" -eq 0 ] && break
              dr_tries=$((dr_tries + 1))
              [ "$(ms)" -lt "$dr_end" ] && [ "$dr_tries" -lt $(( dr_dl * 2 + 2 )) ] || break
              sleep 0.5
            done
            dr_el=$(( $(ms) - dr_t0 )); dr_secs="$((dr_el / 1000)).$(( dr_el % 1000 / 100 ))"
            dr_left="$(pf_files "$dr_q/deferred") deferred, $(pf_files "$dr_q/hold") held kept"
            if [ "$dr_s" -eq 0 ] && [ "$dr_c" -eq 0 ]; then
              echo "postfix@$dr_n: drained in ${dr_secs}s ($dr_left)"
            else
              echo "postfix@$dr_n: not drained: at the ${dr_dl}s deadline $dr_s SMTP session(s) open, $(pf_files "$dr_q/incoming") incoming, $(pf_files "$dr_q/active") active ($dr_left); listeners reopened, nothing stopped"
              dr_rc=1; break
            fi
          done
          [ "$dr_rc" = 0 ] || pf_undrain
          return $dr_rc
        }
        pf_drain_target() {
          dr_dl=$1; dr_keep=$2; shift 2
          set -- "$dr_dl" "$dr_keep" $(postmulti -l "$@" </dev/null | awk '{ print $4 }')
          pf_drain "$@"
        }
        """#

    /// `pf_drain` of the instances in `directories`, with `deadline` seconds to drain.
    public static func drain(_ directories: [String], deadline: Int) -> String {
        Shell.join(["pf_drain", String(deadline), String(deadline + margin)] + directories)
    }

    /// `pf_drain` of the instances `target` selects on the host (postmulti -l).
    public static func drain(_ target: PostmultiCommand.Target, deadline: Int) -> String {
        Shell.join(["pf_drain_target", String(deadline), String(deadline + margin)] + target.arguments)
    }
}
