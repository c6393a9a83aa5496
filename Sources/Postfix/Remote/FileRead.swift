import ShellQuoting

/// Reads the text of files on a host in one round trip and one process: a
/// ``MarkedOutput`` record `file PATH` per path, whose body is the file's lines.
public enum FileRead {
    /// The script that reads `paths` (absolute paths).
    public static func script(_ paths: [String]) -> String {
        MarkedOutput.files(paths.map(Shell.quote).joined(separator: " "))
    }

    /// What ``script(_:)`` printed: each file's text by path, every line ending with a
    /// newline; a file that does not exist or cannot be read reads as empty.
    public static func parse(_ stdout: String) -> [String: String] {
        var files: [String: String] = [:]
        for record in MarkedOutput(stdout).records("file") {
            files[String(record.rest)] = record.body.map { $0 + "\n" }.joined()
        }
        return files
    }
}
