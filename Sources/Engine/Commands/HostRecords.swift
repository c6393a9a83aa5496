import Foundation
import Postfix
import SSH

/// What a host keeps of the changes made to it: the backups `NAME.postfleet-RUN` next to its
/// instances' live files, and its change record (``ChangeRecord/hostLog`` and the rotated
/// `.1` before it). Read in one round trip, without the host lock: reading changes nothing.
public struct HostRecords: Sendable, Equatable {
    /// One backup: the live file it was taken of, the run that took it (just before that
    /// run swapped the live file), its size and permission bits.
    public struct Backup: Sendable, Equatable {
        public var live: String
        public var run: String
        public var size: Int
        public var mode: Int
        /// The instance whose configuration directory holds it.
        public var instance: String

        /// The backup's own path.
        public var path: String { live + ".postfleet-" + run }
        /// When the run started, from its name: `2026-12-06T12:10:44Z`.
        public var time: String { RunName.time(run) ?? run }
    }

    public var backups: [Backup] = []
    /// Every entry of the change record, oldest first.
    public var records: [ChangeRecord] = []
    /// Lines of the record that are not postfleet's JSON (a hand edit, a cut line).
    public var unreadable = 0

    public init(backups: [Backup] = [], records: [ChangeRecord] = [], unreadable: Int = 0) {
        self.backups = backups
        self.records = records
        self.unreadable = unreadable
    }

    /// Lists every instance directory (`D DIR NAME`), each backup in it (`B SIZE MODE PATH`),
    /// then the change record's lines (`R LINE`), older file first.
    public static let script = """
        for d in $( { postconf -h config_directory; postconf -h multi_instance_directories; } 2>/dev/null | tr ', ' '\\n\\n' | sed '/^$/d' | sort -u); do
          [ -d "$d" ] || continue
          n=$(postconf -c "$d" -h multi_instance_name 2>/dev/null)
          [ -n "$n" ] || { [ "$d" = "$(postconf -h config_directory)" ] && n=\(PostfixInstance.defaultName) || n=${d##*/}; }
          echo "D $d $n"
          for f in "$d"/*.postfleet-[0-9]*; do
            [ -f "$f" ] || continue
            echo "B $(stat -c '%s %a' -- "$f") $f"
          done
        done
        for l in \(ChangeRecord.hostLog).1 \(ChangeRecord.hostLog); do [ -f "$l" ] && sed 's/^/R /' "$l"; done
        exit 0
        """

    /// Reads the script's output.
    public static func parse(_ stdout: String) -> HostRecords {
        var records = HostRecords()
        var instances: [String: String] = [:]
        let decoder = JSONDecoder()
        for line in stdout.split(separator: "\n") {
            if line.hasPrefix("D ") {
                let words = line.dropFirst(2).split(separator: " ", maxSplits: 1)
                if words.count == 2 { instances[String(words[0])] = String(words[1]) }
            } else if line.hasPrefix("B ") {
                let words = line.dropFirst(2).split(separator: " ", maxSplits: 2)
                guard words.count == 3, let size = Int(words[0]), let mode = Int(words[1], radix: 8) else { continue }
                let path = String(words[2])
                guard let marker = path.range(of: ".postfleet-", options: .backwards) else { continue }
                let run = String(path[marker.upperBound...])
                guard RunName.time(run) != nil else { continue }
                let live = String(path[..<marker.lowerBound])
                let directory = (live as NSString).deletingLastPathComponent
                records.backups.append(Backup(live: live, run: run, size: size, mode: mode,
                                              instance: instances[directory] ?? directory))
            } else if line.hasPrefix("R ") {
                if let record = try? decoder.decode(ChangeRecord.self, from: Data(line.dropFirst(2).utf8)) {
                    records.records.append(record)
                } else {
                    records.unreadable += 1
                }
            }
        }
        records.backups.sort { ($0.live, $0.run) < ($1.live, $1.run) }
        return records
    }

    /// Reads `session`'s host.
    public static func read(on session: Session) async throws -> HostRecords {
        let result = try await session.exec(script)
        guard result.succeeded else {
            throw HostFailure(host: session.endpoint.name, phase: .exec,
                              message: "reading the backups and the change record failed (\(result.failureSummary))"
                                  + (result.stderrText.isEmpty ? "" : ": \(result.stderrText)"))
        }
        return parse(result.stdoutText)
    }
}

/// Run names, `20261206T121044Z-37fb`: when the run started, and a random suffix.
public enum RunName {
    /// `2026-12-06T12:10:44Z`, or nil when `run` is no run name.
    public static func time(_ run: String) -> String? {
        let u = Array(run.utf8)
        guard u.count >= 17, u[8] == UInt8(ascii: "T"), u[15] == UInt8(ascii: "Z"),
              u[0..<8].allSatisfy({ $0 >= 48 && $0 <= 57 }), u[9..<15].allSatisfy({ $0 >= 48 && $0 <= 57 }),
              u[16] == UInt8(ascii: "-") else { return nil }
        let s = Array(run)
        return "\(String(s[0..<4]))-\(String(s[4..<6]))-\(String(s[6..<8]))T\(String(s[9..<11])):\(String(s[11..<13])):\(String(s[13..<15]))Z"
    }
}
