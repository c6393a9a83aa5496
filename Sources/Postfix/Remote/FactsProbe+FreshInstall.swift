/// What the facts probe says about a host as a package installation left it: Postfix
/// missing, too old, or installed without a main.cf (debconf's "No configuration").
extension FactsProbe {
    /// The oldest Postfix postfleet drives: 3.1. postmulti(1) (2.6) is not the limit; the
    /// plan counts a queue with `postqueue -j` before it destroys an instance (3.1), edits
    /// master.cf services with `postconf -M name/type=value` and `-MX` (2.11, 3.0), and
    /// reads values with `postconf -x` (2.10). Every supported Debian and RHEL release ships
    /// a newer one.
    public static let minimumVersion = (major: 3, minor: 1)

    /// The probe's head: with no `postconf` on the PATH (or one that cannot run) it reports
    /// `missing` and ends. The PATH is searched as `command -v` searches it, with built-ins:
    /// `$(command -v ...)` would cost a process.
    static let freshInstall = """
        p=; pc_s=$IFS; IFS=:
        for d in $PATH; do [ -n "$d" ] || d=.; if [ -f "$d/postconf" ] && [ -x "$d/postconf" ]; then p=$d/postconf; break; fi; done
        IFS=$pc_s
        if [ -z "$p" ]; then mark missing; mark_line postconf; mark end; exit 0; fi
        """

    /// Reads the default instance's `parameters` into `$v`. With no main.cf in the compiled-in
    /// configuration directory it reports `unconfigured` and reads them with `postconf -d`,
    /// which needs none. The compiled-in directory is asked for (`postconf -dh`) only when
    /// the plain `postconf` fails, as it does without a main.cf: each postconf costs about
    /// 12 ms of the host's CPU, a sixth of what the whole probe cost when every probe asked.
    static func defaultInstanceValues(_ parameters: String) -> String {
        """
        if ! pc_default \(parameters) && [ ! -f "$(postconf -dh config_directory 2>/dev/null)/main.cf" ]; then
          mark unconfigured; v=$(postconf -d -xh \(parameters) 2>&1)
        fi
        """
    }

    /// `mail_version`, or why the host cannot be driven: Postfix missing, not answering, or
    /// older than ``minimumVersion``. Each reason is one line that says what is missing.
    static func installedVersion(_ section: (String) -> [Substring]) throws(ParseError) -> String {
        if section("missing").first == "postconf" {
            throw ParseError(description: "Postfix is not installed (no postconf on the PATH)")
        }
        let version = section("version").first.map(String.init) ?? ""
        guard !version.isEmpty, !version.contains(" ") else {
            throw ParseError(description: "Postfix does not answer: postconf -h mail_version printed \(version.isEmpty ? "nothing" : "'\(version)'")")
        }
        if let number = versionNumber(version), number < minimumVersion {
            let (major, minor) = minimumVersion
            throw ParseError(description: "Postfix \(version) is older than \(major).\(minor), the oldest postfleet drives"
                             + " (it needs postqueue -j and postconf -M/-MX)")
        }
        return version
    }

    /// The major and minor number of a `mail_version` ("3.7.11", "3.10-20250112"); nil when
    /// it does not start with them.
    static func versionNumber(_ version: String) -> (major: Int, minor: Int)? {
        let parts = version.split(whereSeparator: { $0 == "." || $0 == "-" }).prefix(2).map { Int($0) }
        guard parts.count == 2, let major = parts[0], let minor = parts[1] else { return nil }
        return (major, minor)
    }

    /// Fills in what the probe read of `instance` besides its files: its queue and data
    /// directories, and, for the default instance of a host without a main.cf, that it is
    /// not configured.
    static func readFreshInstallFacts(into instance: inout InstanceFacts, section: (String) -> [Substring], unconfigured: Bool) {
        let directories = section("directories \(instance.configDirectory)").map(String.init)
        if directories.count == 2 {
            instance.queueDirectory = directories[0].isEmpty ? nil : directories[0]
            instance.dataDirectory = directories[1].isEmpty ? nil : directories[1]
        }
        if unconfigured { instance.configured = false }
    }
}
