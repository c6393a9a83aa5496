import Foundation
import Postfix
import ShellQuoting
import SSH

/// The text of `paths` on the host (a missing or unreadable file reads as empty), in one
/// round trip: ``FileRead``'s script and its reader.
func readFiles(_ paths: [String], on session: Session) async throws -> [String: String] {
    FileRead.parse(try await session.exec(FileRead.script(paths)).stdoutText)
}

/// The bytes of `paths` on the host, exactly (base64 on the way), in one round trip; a file
/// that cannot be read is missing from the answer.
func readBytes(_ paths: [String], on session: Session) async throws -> [String: [UInt8]] {
    guard !paths.isEmpty else { return [:] }
    let script = "for p in \(paths.map(Shell.quote).joined(separator: " ")); do "
        + #"b=$(base64 -w 0 -- "$p") && printf 'F %s\n%s\n' "$p" "$b"; done; exit 0"#
    let lines = try await session.exec(script).stdoutText.split(separator: "\n", omittingEmptySubsequences: false)
    var files: [String: [UInt8]] = [:]
    var index = 0
    while index + 1 < lines.count {
        if lines[index].hasPrefix("F "), let data = Data(base64Encoded: String(lines[index + 1])) {
            files[String(lines[index].dropFirst(2))] = Array(data)
            index += 2
        } else {
            index += 1
        }
    }
    return files
}
