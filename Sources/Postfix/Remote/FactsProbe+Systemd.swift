/// The facts probe's systemd part: whether systemd runs the host's Postfix, and per
/// instance its unit, the unit's state and the cgroup its master runs in.
///
/// On the host (only where systemd is PID 1, `/run/systemd/system`): per instance a record
/// `unit DIR` (`postfix@-` for the default instance, `postfix@NAME` for a named one) and,
/// while its master runs, `cgroup DIR` (the master's `name=systemd` cgroup from
/// `/proc/PID/cgroup`, else its unified one; shell built-ins only); then one
/// `systemctl show -p Id,LoadState,ActiveState` for every unit at once, as the body of the
/// `systemd` record after its first line `yes` (`no` where systemd does not run).
///
/// A host counts as systemd-controlled when `postfix@-.service` loads (Debian's
/// `postfix@.service` template is installed). `systemctl is-enabled postfix@-` does not
/// tell: the generator's wants links make it print `generated`, and a host whose package
/// enables only `postfix.service` prints `disabled` although systemd runs every instance.
extension FactsProbe {
    /// Defines `sd` (set where systemd is PID 1) and `sd_instance DIR PID STATUS NAME`,
    /// which the probe's `instance` calls.
    static let systemdFunctions = """
        sd=; sd_units=
        if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then sd=1; fi
        sd_instance() {
          if [ -z "$sd_units" ]; then sd_u='postfix@-'; elif [ -n "$4" ]; then sd_u="postfix@$4"; else sd_u=; fi
          [ -z "$sd_u" ] || { sd_units="$sd_units$sd_u$n"; mark unit "$1"; mark_line "$sd_u"; }
          [ "$3" = running ] && [ -r "/proc/$2/cgroup" ] || return 0
          sd_cg=
          while IFS= read -r sd_l; do
            case $sd_l in *:name=systemd:*) sd_cg=${sd_l#*:name=systemd:}; break;; 0::*) sd_cg=${sd_l#0::};; esac
          done <"/proc/$2/cgroup"
          mark cgroup "$1"; mark_line "$sd_cg"
        }
        """

    /// The `systemd` record (run with `IFS` a newline, so `$sd_units` splits into units).
    static let systemdSection = """
        mark systemd; if [ -n "$sd" ] && [ -n "$sd_units" ]; then mark_line yes; systemctl show -p Id,LoadState,ActiveState $sd_units 2>&1 </dev/null | mark_body; else mark_line no; fi
        """

    /// Reads the `systemd`, `unit` and `cgroup` records into `facts`.
    static func readSystemd(into facts: inout HostFacts, sections: [String: [Substring]]) {
        let body = sections["systemd"] ?? []
        guard body.first == "yes" else { return }
        let units = unitProperties(body.dropFirst())
        facts.systemdControlled = units["postfix@-.service"]?["LoadState"] == "loaded"
        guard facts.systemdControlled else { return }
        for k in facts.instances.indices {
            let dir = facts.instances[k].configDirectory
            guard let unit = sections["unit " + dir]?.first.map(String.init) else { continue }
            facts.instances[k].unit = unit
            facts.instances[k].unitState = units[unit + ".service"]?["ActiveState"]
            facts.instances[k].masterCgroup = sections["cgroup " + dir]?.first.map(String.init)
        }
    }

    /// `systemctl show` output for several units: blocks of `KEY=VALUE` lines separated by
    /// empty lines, each with its `Id=`; by Id.
    static func unitProperties(_ lines: ArraySlice<Substring>) -> [String: [String: String]] {
        var units: [String: [String: String]] = [:]
        var current: [String: String] = [:]
        func flush() {
            if let id = current["Id"] { units[id] = current }
            current = [:]
        }
        for line in lines {
            guard let eq = line.firstIndex(of: "=") else { flush(); continue }
            current[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        flush()
        return units
    }
}
