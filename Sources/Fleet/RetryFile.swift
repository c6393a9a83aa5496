import Engine
import Foundation
import Report

/// Ansible's retry file: after a run in which hosts failed or were unreachable, their names,
/// sorted, one per line, in `PLAYBOOK.retry` (the playbook's name without its extension)
/// beside the playbook or in `directory`; `--limit @FILE` runs again on exactly them.
public enum RetryFile {
    /// Where the retry file of `playbook` goes: in `directory` if given (ansible.cfg's
    /// `retry_files_save_path`), else beside the playbook.
    public static func path(for playbook: String, in directory: String? = nil) -> String {
        let url = URL(fileURLWithPath: playbook)
        let name = url.deletingPathExtension().lastPathComponent + ".retry"
        let base = directory.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath) } ?? url.deletingLastPathComponent()
        return base.appendingPathComponent(name).path
    }

    /// The hosts to retry after `report`: failed and unreachable, sorted (as Ansible); empty if none.
    public static func hosts(of report: RunReport) -> [String] {
        report.results.filter { $0.status == .failed || $0.status == .unreachable }.map(\.host).sorted()
    }

    /// Writes the retry file for `report` when hosts failed or were unreachable, replacing it
    /// whole (a temporary file renamed over it); returns the line to print, or a warning if it
    /// cannot be written (a run's result never depends on it); nil when there is nothing to retry.
    public static func write(for report: RunReport, playbook: String, directory: String? = nil) -> String? {
        let names = hosts(of: report)
        guard !names.isEmpty else { return nil }
        let target = path(for: playbook, in: directory)
        let temporary = target + ".postfleet-\(UInt32.random(in: .min ... .max))"
        do {
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: temporary, contents: Data((names.joined(separator: "\n") + "\n").utf8)) else {
                throw CocoaError(.fileWriteNoPermission)
            }
            guard rename(temporary, target) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                return "warning: could not write the retry file \(target): \(reason)"
            }
            return "to retry the \(names.count) failed or unreachable host\(names.count == 1 ? "" : "s"), use: --limit @\(target)"
        } catch {
            return "warning: could not write the retry file \(target): \(error.localizedDescription)"
        }
    }
}
