import ShellQuoting

/// ``InstanceControl/systemd``: a host whose Postfix instances systemd runs as Debian's
/// `postfix@NAME` units (`postfix@-` for the default instance).
///
/// - Start, stop, reload and restart are `systemctl VERB postfix@NAME`. The unit runs
///   Debian's `configure-instance.sh` itself (`ExecStartPre`), so it is not run again; a
///   start whose configuration the script has just checked keeps Postfix's quick start
///   (`$queue_directory/quick-start`, as ``InstanceControl/startFunction`` does).
/// - An instance runs when its unit is active, its master runs, and the master is in the
///   unit's cgroup (`/proc/PID/cgroup`): a master started outside systemd does not count.
/// - postmulti's life-cycle commands run as written; those that change the instance set
///   (create, import, assign -I, deport, destroy) are followed by one
///   `systemctl daemon-reload` before any instance is started, so that Debian's generator
///   makes (or drops) the instance's unit.
/// - `-p start|stop|reload` act on the units of the instances `postmulti -l` selects, in
///   postmulti's order (stop in reverse, `-R`), and report per instance; `flush`, `status`
///   and `-x` stay postmulti's.
extension InstanceControl {
    /// How `facts`' host is driven: ``systemd`` where systemd runs its Postfix
    /// (``HostFacts/systemdControlled``), else ``postfix``.
    public static func `for`(_ facts: HostFacts) -> InstanceControl {
        facts.systemdControlled ? .systemd : .postfix
    }

    /// `postfix@NAME`, the unit of `instance`.
    public static func unit(_ instance: PostfixInstance) -> String { "postfix@" + instance.selector }

    /// The one command for `operation` on `instance` through its unit.
    static func systemdCommand(_ operation: Operation, _ instance: PostfixInstance, checked: Bool) -> String {
        let quick = checked && (operation == .start || operation == .restart)
        return Shell.join(["pf_sd", operation.rawValue, instance.configDirectory, instance.selector] + (quick ? ["checked"] : []))
    }

    /// The commands that put a master running outside its unit back under it: stop that
    /// master (`postfix -c DIR stop`, the queue untouched; waited for, bounded), clear the
    /// unit's failed state, restart the unit. Empty for ``postfix``, where no master is
    /// outside anything.
    public func adopt(_ instance: PostfixInstance) -> [String] {
        switch self {
        case .postfix: []
        case .systemd: [Shell.join(["pf_sd_adopt", instance.configDirectory, instance.selector])]
        }
    }

    /// The command that makes systemd's units follow a changed instance set, when one of
    /// the life-cycle commands run before asked for it; nil for ``postfix``.
    public var settle: String? {
        switch self {
        case .postfix: nil
        case .systemd: "pf_sd_settle"
        }
    }

    /// Whether `command` changes the set of instances (and so the units Debian's generator makes).
    public static func changesInstanceSet(_ command: PostmultiCommand) -> Bool {
        guard case let .action(action) = command.operation else { return false }
        switch action {
        case .create, .import, .deport, .destroy: return true
        case .assign: return command.newName != nil
        default: return false
        }
    }

    /// `command` on a systemd host; `settle`: run the daemon-reload right after a command
    /// that changes the instance set (a task), or leave it to a later ``settle`` (the apply
    /// script's life-cycle steps, one daemon-reload for all of them).
    public func postmulti(_ command: PostmultiCommand, settle: Bool) -> String {
        guard self == .systemd else { return postmulti(command) }
        if Self.changesInstanceSet(command) {
            return command.commandLine + " </dev/null && pf_sd_changed" + (settle ? " && pf_sd_settle" : "")
        }
        if actsPerUnit(command), case let .action(action) = command.operation {
            return Shell.join(["pf_sd_each", action.rawValue] + command.arguments.dropLast(2)) + " </dev/null"
        }
        return command.commandLine + " </dev/null"
    }

    /// Whether `command` is carried out unit by unit on this kind of host (a `-p start`,
    /// `stop` or `reload` on a systemd host), and so reports one result per instance.
    public func actsPerUnit(_ command: PostmultiCommand) -> Bool {
        guard self == .systemd, case let .action(action) = command.operation else { return false }
        return action == .start || action == .stop || action == .reload
    }

    static func systemdPostmulti(_ command: PostmultiCommand) -> String {
        InstanceControl.systemd.postmulti(command, settle: true)
    }

    /// `pf_sd_unit DIR`: prints the unit of the instance in DIR (`postfix@-` for the default
    /// instance, else `postfix@` and its multi_instance_name). `pf_sd_running DIR`: succeeds
    /// when that unit is active and the instance's master runs inside it, else says why.
    /// Every variable is `sd_`-prefixed: the scripts that call them use short names.
    static let systemdCheckFunctions = """
        pf_sd_unit() {
          [ -n "${sd_default-}" ] || sd_default=$(postconf -h config_directory 2>/dev/null)
          if [ "$1" = "$sd_default" ]; then echo 'postfix@-'; return; fi
          sd_nm=$(postconf -c "$1" -h multi_instance_name 2>/dev/null); echo "postfix@${sd_nm:--}"
        }
        pf_sd_running() {
          sd_u=$(pf_sd_unit "$1")
          systemctl is-active --quiet "$sd_u" </dev/null || { echo "$sd_u is not active"; return 1; }
          postfix -c "$1" status </dev/null || return 1
          sd_q=$(postconf -c "$1" -h queue_directory 2>/dev/null); sd_p=
          [ ! -f "$sd_q/pid/master.pid" ] || read -r sd_p <"$sd_q/pid/master.pid"
          case " $(cat "/proc/${sd_p:-0}/cgroup" 2>/dev/null) " in
            *"/$sd_u.service"*) ;;
            *) echo "its master ($sd_p) runs outside its unit $sd_u"; return 1;;
          esac
        }
        """

    /// `pf_sd VERB DIR NAME [checked]`, `pf_sd_adopt DIR NAME`, `pf_sd_changed`,
    /// `pf_sd_settle` and `pf_sd_each VERB SELECTION...`, for the apply script and its revert
    /// (they use its `$T`).
    static let systemdFunctions = """
        pf_sd_changed() { : >"$T/sd-reload"; }
        pf_sd_settle() {
          [ -e "$T/sd-reload" ] || return 0
          systemctl daemon-reload </dev/null && rm -f -- "$T/sd-reload"
        }
        pf_sd() {
          pf_sd_settle || return 1
          qs=
          [ "${4-}" != checked ] || pf_quick "$2"
          systemctl "$1" "postfix@$3" </dev/null; sd_r=$?
          [ -z "$qs" ] || rm -f -- "$qs"
          return $sd_r
        }
        pf_sd_adopt() {
          pf_sd_settle || return 1
          postfix -c "$1" stop </dev/null || return 1
          sd_i=0
          while postfix -c "$1" status >/dev/null 2>&1 </dev/null; do
            sd_i=$((sd_i + 1)); [ "$sd_i" -lt 60 ] || { echo "the master outside postfix@$2 did not stop within 30 s"; return 1; }
            sleep 0.5
          done
          systemctl reset-failed "postfix@$2" </dev/null 2>/dev/null
          systemctl restart "postfix@$2" </dev/null
        }
        pf_sd_each() {
          sd_v=$1; shift
          pf_sd_settle || return 1
          sd_o=; [ "$sd_v" != stop ] || sd_o=-R
          sd_l=$(postmulti -l $sd_o "$@" 2>&1) || { printf '%s\\n' "$sd_l"; return 1; }
          case $sd_v in stop) sd_did=stopped;; *) sd_did=${sd_v}ed;; esac
          sd_r=0
          while read -r sd_nm sd_g sd_e sd_d; do
            [ -n "$sd_d" ] || continue
            if [ "$sd_v" != stop ] && [ "$sd_e" != y ]; then echo "postfix@$sd_nm: disabled, not $sd_did"; continue; fi
            if sd_m=$(systemctl "$sd_v" "postfix@$sd_nm" </dev/null 2>&1); then echo "postfix@$sd_nm: $sd_did"
            else echo "postfix@$sd_nm: not $sd_did: $sd_m"; sd_r=1; fi
          done <<EOF
        $sd_l
        EOF
          return $sd_r
        }
        """
}
