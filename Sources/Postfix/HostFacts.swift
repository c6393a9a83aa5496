/// What a host's Postfix looks like right now, read in one round trip.
public struct HostFacts: Sendable, Equatable {
    /// `mail_version`, e.g. "3.7.11".
    public var postfixVersion: String
    /// Every instance `postmulti -l` lists, in its order (the default instance first).
    public var instances: [InstanceFacts]
    /// SHA-256 (hex) of each managed file that exists; a missing file has no entry.
    public var checksums: [String: String]
    /// Whether systemd runs this host's Postfix through `postfix@` units. Such a host
    /// must not also be driven through `postfix`/`postmulti` start and stop.
    public var systemdControlled: Bool
    /// Permission bits of the files the probe was asked to stat (secret tables and their
    /// indexes), by path; a missing file is absent.
    public var modes: [String: Int]

    public init(postfixVersion: String, instances: [InstanceFacts], checksums: [String: String], systemdControlled: Bool,
                modes: [String: Int] = [:]) {
        self.postfixVersion = postfixVersion
        self.instances = instances
        self.checksums = checksums
        self.systemdControlled = systemdControlled
        self.modes = modes
    }

    public func instance(configDirectory: String) -> InstanceFacts? {
        instances.first { $0.configDirectory == configDirectory }
    }
}

/// One instance as the host reports it.
public struct InstanceFacts: Sendable, Equatable {
    /// `multi_instance_name`; nil for an unnamed (default) instance.
    public var name: String?
    public var group: String?
    public var enabled: Bool
    public var configDirectory: String
    /// The parameters its main.cf sets explicitly (what `postconf -c DIR -n` prints), read
    /// by ``MainCF`` from the file's text: the last definition of a name wins.
    public var parameters: [String: String]
    public var running: Bool
    /// The master process id while it runs, from the queue's pid/master.pid.
    public var masterPID: Int?
    /// Its master.cf services as `postconf -c DIR -M` prints them: one line per service,
    /// continuation lines joined, fields separated by single spaces.
    public var services: [String]
    /// Messages in its queue (`postqueue -c DIR -j`, one JSON line per message); nil when
    /// the probe was not asked to count them (see ``FactsProbe/QueueCount``).
    public var queuedMessages: Int?

    // MARK: systemd (set only on a host whose Postfix systemd runs, see ``HostFacts/systemdControlled``)

    /// Its unit, `postfix@-` or `postfix@NAME`; nil on a host without systemd, or for a
    /// secondary instance without a name (Debian's generator makes no unit for it).
    public var unit: String?
    /// The unit's `ActiveState` (`active`, `inactive`, `failed`, ...).
    public var unitState: String?
    /// The systemd cgroup of its running master (`/proc/PID/cgroup`, the `name=systemd`
    /// hierarchy, else the unified one), e.g. `/system.slice/system-postfix.slice/postfix@-.service`.
    public var masterCgroup: String?

    /// Its master runs, but not in its unit's cgroup: started outside systemd (by hand, or by
    /// `postfix start`), so systemd shows the unit inactive or failed while mail flows.
    public var runsOutsideUnit: Bool {
        guard running, let unit, let masterCgroup else { return false }
        return !masterCgroup.hasSuffix("/" + unit + ".service")
    }

    // MARK: Fresh installs and instances built by hand
    /// Whether the instance has a main.cf; false for the default instance of a host where
    /// Postfix was installed with debconf's "No configuration".
    public var configured = true
    /// Its `queue_directory` and `data_directory` as the host reports them; nil when the probe
    /// did not say. An instance built by hand (then `postmulti -e import`ed) has its own.
    public var queueDirectory: String?
    public var dataDirectory: String?

    public init(name: String?, group: String?, enabled: Bool, configDirectory: String,
                parameters: [String: String] = [:], running: Bool = false, masterPID: Int? = nil,
                services: [String] = [], queuedMessages: Int? = nil) {
        self.name = name
        self.group = group
        self.enabled = enabled
        self.configDirectory = configDirectory
        self.parameters = parameters
        self.running = running
        self.masterPID = masterPID
        self.services = services
        self.queuedMessages = queuedMessages
    }
}
