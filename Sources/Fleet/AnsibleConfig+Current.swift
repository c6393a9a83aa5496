import AnsibleConfig
import Foundation

extension AnsibleConfig {
    /// This process's configuration (its environment, its current directory's ansible.cfg,
    /// `~/.ansible.cfg`, ...), read once and kept: every part of a command sees the same.
    /// - Throws: `FILE:LINE:COL: error: ...` for a mistake in ansible.cfg, ``InputError`` for an
    ///   `ANSIBLE_*` variable that cannot be used.
    public static func current() throws -> AnsibleConfig {
        try CurrentConfig.shared.value()
    }
}

/// The one reading of the configuration, under a lock.
private final class CurrentConfig: @unchecked Sendable {
    static let shared = CurrentConfig()

    // Guarded by `lock`.
    private var result: Result<AnsibleConfig, any Error>?
    private let lock = NSLock()

    func value() throws -> AnsibleConfig {
        lock.lock()
        defer { lock.unlock() }
        if result == nil {
            let environment = ProcessInfo.processInfo.environment
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            result = Result {
                do {
                    return try AnsibleConfig.load(environment: environment, currentDirectory: FileManager.default.currentDirectoryPath, home: home)
                } catch let error as ConfigSettingError {
                    throw InputError("\(error)")
                }
            }
        }
        return try result!.get()
    }
}
