import ArgumentParser
import Foundation

/// Lines for stderr (warnings).
func warn(_ lines: [String]) {
    for line in lines { FileHandle.standardError.write(Data((line + "\n").utf8)) }
}

/// Prints a command's report, writes the files the user asked for (`--json`, `--junit`),
/// and ends with the report's exit status. A file that cannot be written is said and exits
/// 1 (the run itself is over by then).
func finish(text: String, exitCode: Int32, files: [(path: String?, data: () throws -> Data)] = []) throws -> Never {
    FileHandle.standardOutput.write(Data(text.utf8))
    for (path, data) in files {
        guard let path else { continue }
        do {
            try data().write(to: URL(fileURLWithPath: path))
        } catch {
            FileHandle.standardError.write(Data("postfleet: cannot write \(path): \(error.localizedDescription)\n".utf8))
            throw ExitCode(1)
        }
    }
    throw ExitCode(exitCode)
}
