import Postfix
import SSH

/// The text of `paths` on the host (a missing or unreadable file reads as empty), in one
/// round trip: ``FileRead``'s script and its reader.
func readFiles(_ paths: [String], on session: Session) async throws -> [String: String] {
    FileRead.parse(try await session.exec(FileRead.script(paths)).stdoutText)
}
