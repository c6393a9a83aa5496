import SSH
import ShellQuoting

/// The text of `paths` on the host (a missing file reads as empty), in one round trip.
func readFiles(_ paths: [String], on session: Session) async throws -> [String: String] {
    let marker = "@@postfleet-file "
    let script = paths.map { "printf '\\n%s%s\\n' \(Shell.quote(marker)) \(Shell.quote($0)); cat -- \(Shell.quote($0)) 2>/dev/null" }
        .joined(separator: "\n")
    let output = try await session.exec(script).stdoutText
    var files: [String: String] = [:]
    var current: String?
    var lines: [Substring] = []
    func flush() {
        if let current { files[current] = lines.joined(separator: "\n") }
    }
    for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix(marker) {
            flush()
            current = String(line.dropFirst(marker.count))
            lines = []
        } else {
            lines.append(line)
        }
    }
    flush()
    return files
}
