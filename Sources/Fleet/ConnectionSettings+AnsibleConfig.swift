import AnsibleConfig
import SSHConfig

extension ConnectionSettings {
    /// These settings, with ansible.cfg's (and its `ANSIBLE_*` variables') where the command
    /// line gave none: `forks`, `remote_user` (`-u`), `private_key_file` (`--identity`),
    /// `timeout` (`--connect-timeout`), `host_key_checking = false` (`--host-key-policy off`),
    /// `become` (`--become`). Like the command line's, they weigh over ssh_config and under
    /// the inventory's connection variables.
    public func applying(_ config: AnsibleConfig) -> ConnectionSettings {
        var settings = self
        settings.forks = forks ?? config.forks
        settings.user = user ?? config.remoteUser
        settings.identity = identity ?? config.privateKeyFile
        settings.connectTimeout = connectTimeout ?? config.timeout.map(Double.init)
        if hostKeyPolicy == nil, config.hostKeyChecking == false {
            settings.hostKeyPolicy = .off
            settings.hostKeyPolicyOrigin = "host_key_checking = False, from ansible.cfg or ANSIBLE_HOST_KEY_CHECKING"
        }
        settings.become = become || config.become == true
        return settings
    }
}
