import Engine
import Foundation

/// `postfleet backups`: per host, instance and live file, the backups runs kept of it
/// (`FILE.postfleet-RUN`, taken just before the run swapped the file), newest first: what
/// `postfleet restore --run` can go back to, and what retention has left.
public struct BackupsReport: Sendable {
    public let hosts: [HostRecordsRead]
    /// `--instance`: only that instance's files; nil: every instance's.
    public let instance: String?

    public static let schema = "postfleet.backups/1"

    public init(hosts: [HostRecordsRead], instance: String? = nil) {
        self.hosts = hosts
        self.instance = instance
    }

    /// One live file and its backups, newest first.
    struct File: Equatable {
        var instance: String
        var live: String
        var backups: [HostRecords.Backup]
    }

    /// A host's files: instances in the order of their directories (`/etc/postfix` before
    /// `/etc/postfix-in`), files by path within each. Sorting paths alone would mix them:
    /// `/etc/postfix-in/main.cf` sorts before `/etc/postfix/main.cf`.
    func files(_ records: HostRecords) -> [File] {
        let kept = records.backups.filter { instance == nil || $0.instance == instance }
        var directory: [String: String] = [:]
        for b in kept {
            let d = (b.live as NSString).deletingLastPathComponent
            directory[b.instance] = min(directory[b.instance] ?? d, d)
        }
        // Run names start with their UTC time: the greatest is the newest.
        let files = Dictionary(grouping: kept, by: \.live).map { live, backups in
            File(instance: backups[0].instance, live: live, backups: backups.sorted { $0.run > $1.run })
        }
        return files.sorted {
            (directory[$0.instance] ?? "", $0.instance, $0.live) < (directory[$1.instance] ?? "", $1.instance, $1.live)
        }
    }

    /// 0 every host read; 2 some host answered but could not be read; 4 only unreachable hosts.
    public var exitCode: Int32 { hosts.readExitCode }

    public var text: String {
        let read: [(host: String, files: [File])] = hosts.compactMap { host in host.records.map { (host.host, self.files($0)) } }
        let rows = read.map { host, files -> (String, [[String]]) in
            var rows: [[String]] = []
            for (f, file) in files.enumerated() {
                for (b, backup) in file.backups.enumerated() {
                    let newInstance = b == 0 && (f == 0 || files[f - 1].instance != file.instance)
                    rows.append([newInstance ? file.instance : "", b == 0 ? file.live : "", backup.time, backup.run, String(backup.size)])
                }
            }
            return (host, rows)
        }
        var out = GroupedTable.grouped(["HOST", "INSTANCE", "FILE", "TIME", "RUN", "SIZE"], rows) { _ in 0 }
        let none = read.filter { $0.files.isEmpty }.map { $0.host }
        if !none.isEmpty {
            out += (out.isEmpty ? "" : "\n") + "No backups\(instance.map { " of instance \($0)" } ?? ""): \(HostSet.fold(none))\n"
        }
        let failures = hosts.compactMap(\.failureLine)
        if !failures.isEmpty { out += "\nNot read:\n" + failures.joined(separator: "\n") + "\n" }
        let listed = read.flatMap { $0.files }
        let backups = listed.map { $0.backups.count }.reduce(0, +)
        out += "\n\(read.count) of \(hosts.count) host\(hosts.count == 1 ? "" : "s") read, \(backups) backup\(backups == 1 ? "" : "s") "
            + "of \(listed.count) file\(listed.count == 1 ? "" : "s")\(instance.map { " of instance \($0)" } ?? "")\n"
        return out
    }
}
