import Engine
import Foundation

extension BackupsReport {
    struct BackupJSON: Encodable {
        var run: String
        var time: String
        var size: Int
        /// Permission bits, octal: `0644`.
        var mode: String
        var path: String
    }

    struct FileJSON: Encodable {
        var path: String
        var instance: String
        var backups: [BackupJSON]
    }

    struct HostJSON: Encodable {
        var files: [FileJSON]
        @ExplicitNull var error: String?
        @ExplicitNull var phase: String?
        var unreachable: Bool
        var connect_attempts: Int
    }

    struct SummaryJSON: Encodable {
        var hosts: Int
        var hosts_read: Int
        var files: Int
        var backups: Int
    }

    struct DocumentJSON: Encodable {
        var schema: String
        @ExplicitNull var instance: String?
        var hosts: [String: HostJSON]
        var summary: SummaryJSON
        var exit_code: Int32
    }

    /// The report as JSON, schema `postfleet.backups/1`.
    public func json() throws -> Data {
        var out: [String: HostJSON] = [:]
        var files = 0
        var backups = 0
        for host in hosts {
            let found = host.records.map(self.files) ?? []
            files += found.count
            backups += found.map(\.backups.count).reduce(0, +)
            out[host.host] = HostJSON(
                files: found.map { f in
                    FileJSON(path: f.live, instance: f.instance, backups: f.backups.map { b in
                        let octal = String(b.mode, radix: 8)
                        return BackupJSON(run: b.run, time: b.time, size: b.size,
                                          mode: String(repeating: "0", count: max(0, 4 - octal.count)) + octal, path: b.path)
                    })
                },
                error: host.error?.description, phase: host.error?.phase.rawValue, unreachable: host.error?.isUnreachable ?? false,
                connect_attempts: host.connectAttempts)
        }
        let doc = DocumentJSON(
            schema: Self.schema, instance: instance, hosts: out,
            summary: SummaryJSON(hosts: hosts.count, hosts_read: hosts.filter { $0.records != nil }.count, files: files, backups: backups),
            exit_code: exitCode)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(doc)
    }
}
