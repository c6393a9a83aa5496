import Foundation
import Playbook
import Postfix

/// What `postfleet restore --run RUN` puts back on one host: every live file as run RUN left
/// it. A file a later run swapped was, just before that run, as RUN (or a hand edit after
/// it) left it, and that run kept it as its backup `FILE.postfleet-LATER`: so for each file
/// a later run swapped, the backup of the first such run is what goes back. The host's
/// change record says which runs came after RUN and which files each swapped.
///
/// What a restore does not undo: instances created or destroyed since (postmulti's
/// life-cycle), files a later run created (they stay, unused by the configuration put
/// back), and changes made by hand with no postfleet run after them.
public enum RestorePlan {
    /// One file to put back: its live path, and the backup whose bytes go there.
    public struct Target: Sendable, Equatable {
        public var path: String
        public var backup: HostRecords.Backup
        /// The run after RUN that first swapped the file (and made the backup).
        public var laterRun: String { backup.run }
    }

    /// Why a host cannot be restored to RUN: nothing is changed on it.
    public struct Refusal: Error, CustomStringConvertible, Sendable, Equatable {
        public let description: String
    }

    /// The files to put back on a host whose backups and record are `records`, and the files
    /// later runs created (left in place).
    public static func targets(run: String, records: HostRecords) throws(Refusal) -> (targets: [Target], created: [String]) {
        let entries = records.records
        guard let index = entries.lastIndex(where: { $0.run == run }) else {
            throw Refusal(description: "run \(run) is not in this host's change record (\(ChangeRecord.hostLog))")
        }
        guard entries[index].result == "ok" else {
            throw Refusal(description: "run \(run) \(entries[index].result == "failed" ? "failed" : "did not end") on this host: everything it changed was put back, so there is nothing of it to return to")
        }
        var targets: [String: Target] = [:]
        var created: [String] = []
        var order: [String] = []
        var seen: Set<String> = []
        for later in entries[(index + 1)...] where later.result == "ok" && later.run != run {
            guard let swapped = later.swapped else {
                throw Refusal(description: "run \(later.run), after \(run), did not record which files it swapped (an older postfleet): restore a run after it")
            }
            for swap in swapped where seen.insert(swap.path).inserted {
                guard swap.backup else {
                    created.append(swap.path)
                    continue
                }
                guard let backup = records.backups.first(where: { $0.live == swap.path && $0.run == later.run }) else {
                    throw Refusal(description: "\(swap.path): its backup from run \(later.run), the first change to it after \(run), is gone (pruned: keep_backups); restore a later run, or keep more backups")
                }
                targets[swap.path] = Target(path: swap.path, backup: backup)
                order.append(swap.path)
            }
        }
        return (order.compactMap { targets[$0] }, created)
    }

    /// The files and instances to converge to: each target with `contents` (the backups'
    /// bytes, by backup path) as a whole main.cf, master.cf, or other file of its instance,
    /// the instance as `facts` has it. The default instance's main.cf keeps listing every
    /// secondary instance the host has now: a restore never makes postmulti lose one.
    public static func work(_ targets: [Target], contents: [String: [UInt8]], facts: HostFacts) throws(Refusal)
        -> (desired: [InstanceSpec], files: [RenderedFile]) {
        var desired: [InstanceSpec] = []
        var files: [RenderedFile] = []
        let secondaries = facts.secondaryInstances.map(\.configDirectory)
        for target in targets {
            let directory = (target.path as NSString).deletingLastPathComponent
            let name = (target.path as NSString).lastPathComponent
            guard let have = facts.instance(configDirectory: directory) else {
                throw Refusal(description: "\(target.path): no instance of this host lives in \(directory) now")
            }
            let instanceName = have.name ?? (directory == PostfixInstance.defaultConfigDirectory ? PostfixInstance.defaultName : name)
            let instance = PostfixInstance(name: instanceName, group: have.group, enabled: have.enabled)
            guard instance.configDirectory == directory else {
                throw Refusal(description: "\(target.path): instance \(instanceName) lives in \(directory), not \(instance.configDirectory): restore it by hand from \(target.backup.path)")
            }
            guard var bytes = contents[target.backup.path] else {
                throw Refusal(description: "\(target.backup.path) could not be read")
            }
            let kind: RenderedFile.Kind = name == "main.cf" ? .mainCF : name == "master.cf" ? .masterCF : .file(name: name)
            if kind == .mainCF, instance.isDefault, !secondaries.isEmpty {
                bytes = Array(MultiInstanceDirectories.keeping(secondaries, inMainCF: String(decoding: bytes, as: UTF8.self)).utf8)
            }
            // Only its owner could read it: a secret (a key, a password table), kept 0600.
            let secret = target.backup.mode & 0o044 == 0
            files.append(RenderedFile(path: target.path, contents: bytes, secret: secret, instance: instance, kind: kind))
            if !desired.contains(where: { $0.instance.configDirectory == directory }) {
                desired.append(InstanceSpec(restoring: instance))
            }
        }
        return (desired, files)
    }
}
