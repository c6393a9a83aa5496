import ArgumentParser
import Fleet
import Foundation

/// Lines for stderr (warnings).
func warn(_ lines: [String]) {
    for line in lines { FileHandle.standardError.write(Data((line + "\n").utf8)) }
}

/// Prints a command's report, writes the files the user asked for (`--json`, `--junit`,
/// each an ``OutputFile`` proven writable before any host was contacted), and ends with the
/// report's exit status. A file that still cannot be written is said and exits 1.
func finish(text: String, exitCode: Int32, files: [(file: OutputFile?, data: () throws -> Data)] = []) throws -> Never {
    FileHandle.standardOutput.write(Data(text.utf8))
    for (file, data) in files {
        guard let file else { continue }
        do {
            try file.write(data())
        } catch {
            FileHandle.standardError.write(Data("postfleet: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
    throw ExitCode(exitCode)
}
