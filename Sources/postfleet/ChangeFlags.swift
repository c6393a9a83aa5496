import AnsibleConfig
import ArgumentParser
import Fleet
import Playbook

/// The options of every command that changes hosts (`run`, `postmulti -p`, queue actions).
struct ChangeFlags: ParsableArguments {
    @Option(name: .customLong("lock-timeout"),
            help: "How long to wait for a host another change holds (500ms, 30s, 5m; default: fail that host at once, naming the holder).")
    var lockTimeout: String?

    @Option(name: .customLong("keep-backups"),
            help: "Backups NAME.postfleet-RUN kept per changed file, 1 to 1000 (default: the playbook's keep_backups, else 5).")
    var keepBackups: String?

    @Option(name: .customLong("log"),
            help: "Also append the change record (one JSON line per changed host) to this file (default: [postfleet] change_log of ansible.cfg, POSTFLEET_CHANGE_LOG).")
    var log: String?

    var settings: ChangeSettings {
        get throws {
            var settings = ChangeSettings()
            do {
                settings.lockWait = try lockTimeout.map { (text) throws(PolicyError) in try Limits.pause(text) } ?? .zero
            } catch {
                throw InputError("--lock-timeout: \(error)")
            }
            do {
                settings.keepBackups = try keepBackups.map { (text) throws(PolicyError) in try Limits.count(text, in: Limits.keepBackups) }
            } catch {
                throw InputError("--keep-backups: \(error)")
            }
            settings.log = log ?? (try? AnsibleConfig.current())?.changeLog
            try settings.checkLog(source: log != nil ? "--log" : "the change log ([postfleet] change_log)")
            return settings
        }
    }
}
