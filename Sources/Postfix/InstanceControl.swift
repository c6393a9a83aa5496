import ShellQuoting

/// How a host's Postfix instances are started, stopped, reloaded, restarted and asked
/// whether they run, and how a postmulti(1) command is carried out there: the one place
/// that says so for every remote script (the apply script and its revert, the health probe,
/// a playbook's `postmulti` tasks).
///
/// Today there is one way, ``postfix``: `postfix -c DIR VERB` and `postmulti ... -p VERB`.
/// A host whose instances systemd runs (`postfix@NAME` units) gets its own case here, and
/// its own answers below (`systemctl start postfix@NAME`, a daemon-reload after a create or a
/// destroy, `systemctl is-active`), without a change in the scripts that use it.
public enum InstanceControl: Sendable, Hashable {
    /// `postfix -c DIR VERB`, which acts on that instance alone, also for the default
    /// instance of a host where a plain `postfix` command goes through the multi-instance
    /// wrapper to every instance; `postmulti` commands as written.
    case postfix

    /// `systemctl VERB postfix@NAME` (``PostfixInstance/selector``: `postfix@-` for the
    /// default instance), as on a Debian host that boots systemd; postmulti's life-cycle
    /// commands as written, followed by one `systemctl daemon-reload` before any start;
    /// `-p start|stop|reload` acted on through the units. See `InstanceControl+Systemd.swift`.
    case systemd

    /// What is done to one instance.
    public enum Operation: String, Sendable, Hashable, CaseIterable {
        case start, stop, reload, restart
    }

    /// The shell functions the commands below call, defined once near the top of a script
    /// that uses them.
    public var functions: String {
        switch self {
        case .postfix: Self.quickStartFunction + "\n" + Self.startFunction
        case .systemd: Self.quickStartFunction + "\n" + Self.systemdCheckFunctions + "\n" + Self.systemdFunctions
        }
    }

    /// The commands that carry out `operation` on `instance`, to run in order (each stops
    /// the sequence when it fails); each a complete command line, stdin from /dev/null.
    ///
    /// `checked`: the script has just run `postfix check` on this very configuration (in its
    /// stage), so a start may skip the same check (see ``startFunction``).
    public func commands(_ operation: Operation, _ instance: PostfixInstance, checked: Bool = false) -> [String] {
        switch (self, operation) {
        case (.postfix, .start):
            [Shell.join(["pf_start", instance.configDirectory, instance.selector, checked ? "checked" : "check"])]
        case (.postfix, .stop), (.postfix, .reload):
            [Shell.join(["postfix", "-c", instance.configDirectory, operation.rawValue]) + " </dev/null"]
        case (.postfix, .restart):
            commands(.stop, instance) + commands(.start, instance, checked: checked)
        case (.systemd, _):
            [Self.systemdCommand(operation, instance, checked: checked)]
        }
    }

    /// A command that succeeds exactly when `instance`'s master runs; its output is Postfix's.
    public func status(_ instance: PostfixInstance) -> String {
        isRunning(configDirectory: Shell.quote(instance.configDirectory)) + " </dev/null"
    }

    /// The shell functions ``isRunning(configDirectory:)`` calls, for a script that does
    /// not define ``functions`` (the health probe); empty for ``postfix``.
    public var checkFunctions: String {
        switch self {
        case .postfix: ""
        case .systemd: Self.systemdCheckFunctions
        }
    }

    /// What the session calls this way of driving instances in reports: `postfix` or `systemd`.
    public var name: String {
        switch self {
        case .postfix: "postfix"
        case .systemd: "systemd"
        }
    }

    /// ``status(_:)`` for the instance whose configuration directory is the shell word
    /// `word` (a quoted path, or `"$d"` in a loop over `postmulti -l`).
    public func isRunning(configDirectory word: String) -> String {
        switch self {
        case .postfix: "postfix -c \(word) status"
        case .systemd: "pf_sd_running \(word)"
        }
    }

    /// The command line that carries out `command` (a life-cycle `-e` action, a `-p`
    /// action on `-i`/`-g`/`-a`, or `-x`), stdin from /dev/null.
    public func postmulti(_ command: PostmultiCommand) -> String {
        switch self {
        case .postfix: command.commandLine + " </dev/null"
        case .systemd: Self.systemdPostmulti(command)
        }
    }

    /// `pf_start DIR SELECTOR checked|check`: starts one instance.
    ///
    /// Before a start, Debian's `configure-instance.sh` runs where it exists, as Debian's
    /// `postfix@.service` does: it copies /etc/hosts, resolv.conf and the like into the
    /// instance's chroot, without which chrooted smtp(8) cannot find the relay host.
    ///
    /// `checked` skips the check that postfix-script would run again (see
    /// ``quickStartFunction``).
    static let startFunction = """
        pf_start() {
          if [ -x \(debianConfigureInstance) ]; then \(debianConfigureInstance) "$2" </dev/null || return 1; fi
          qs=
          [ "$3" != checked ] || pf_quick "$1"
          postfix -c "$1" start </dev/null; r=$?
          [ -z "$qs" ] || rm -f -- "$qs"
          return $r
        }
        """

    /// `pf_quick DIR`: before the start of an instance whose staged configuration has just
    /// passed `postfix check`, skips the check that postfix-script would run again
    /// (check-fatal and check-warn, about a quarter of a second of CPU per start), with
    /// Postfix's own marker for it: `$queue_directory/quick-start`, which `postfix quick-stop`
    /// leaves and `postfix start` consumes. Only where the host's postfix-script knows the
    /// marker; it leaves the marker's path in `qs`, for the caller to remove whatever the
    /// start does.
    static let quickStartFunction = """
        pf_quick() {
          { IFS= read -r q; IFS= read -r dd; } <<EOF
        $(postconf -c "$1" -h queue_directory daemon_directory 2>/dev/null)
        EOF
          if [ -n "$q" ] && [ -d "$q" ] && grep -qs 'quick-start' "$dd/postfix-script"; then qs=$q/quick-start; : >"$qs"; fi
        }
        """

    static let debianConfigureInstance = "/usr/lib/postfix/configure-instance.sh"
}
