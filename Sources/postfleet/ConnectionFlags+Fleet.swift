import AnsibleConfig
import Fleet
import SSHConfig

/// What the options mean to the library: its connection settings, and the two ways every
/// command starts (the selected hosts, or a playbook's work on them), warnings on stderr.
extension ConnectionFlags {
    /// The connection options as the library takes them, ansible.cfg's (and its ANSIBLE_*
    /// variables') filling in what the command line leaves out. Every command reads the
    /// configuration first through ``targets()`` or ``workload(_:)``, which report its errors;
    /// here it is read again from the process's one copy.
    var settings: ConnectionSettings {
        commandLineSettings.applying((try? AnsibleConfig.current()) ?? AnsibleConfig())
    }

    /// The options of the command line alone.
    private var commandLineSettings: ConnectionSettings {
        var settings = ConnectionSettings()
        settings.forks = forks
        settings.user = user
        settings.identity = identity
        settings.become = become
        settings.sshConfigFile = sshConfigFile
        settings.knownHosts = knownHosts
        settings.hostKeyPolicy = hostKeyPolicy.flatMap(HostKeyPolicy.init(rawValue:))
        settings.connectTimeout = connectTimeout
        settings.commandTimeout = commandTimeout
        settings.connectAttempts = connectAttempts
        return settings
    }

    /// The selected hosts (bad input: exit 1, no host contacted); its warnings go to stderr.
    func targets() throws -> Targets {
        let inventory = try sources.options()
        warn(configurationWarnings(inventory.config))
        let targets = try Targets.load(inventory: inventory, limit: limit, connection: settings)
        OutputSecrets.add(targets.vaultPlaintexts)
        warn(targets.warnings(for: targets.endpoints, connection: settings))
        return targets
    }

    /// A playbook's work on the selected hosts (bad input: exit 1, no host contacted).
    func workload(_ playbook: String) throws -> Workload {
        let inventory = try sources.options()
        warn(configurationWarnings(inventory.config))
        let workload = try Workload.load(playbook: playbook, inventory: inventory, limit: limit, connection: settings)
        OutputSecrets.add(workload.vaultPlaintexts)
        warn(workload.warnings)
        return workload
    }
}

/// ansible.cfg's warnings, as `postfleet: warning: ...` lines for stderr.
func configurationWarnings(_ config: AnsibleConfig) -> [String] {
    config.warnings.map { "postfleet: warning: \($0)" }
}
