import ArgumentParser
import Fleet
import Foundation
import Inventory
import Synchronization

/// Lines for stderr (warnings).
func warn(_ lines: [String]) {
    for line in lines { FileHandle.standardError.write(Data((OutputSecrets.hiding(in: line) + "\n").utf8)) }
}

/// The vault plaintexts of this run (the inventory's, the playbook's), once loaded: every
/// report, JSON or JUnit file, warning and error the command prints shows them as `(secret)`.
/// One command runs per process, so the set is the run's.
enum OutputSecrets {
    private static let values = Mutex<[String]>([])

    static func add(_ plaintexts: [String]) {
        values.withLock { $0 = Array(Set($0 + plaintexts)) }
    }

    static func hiding(in text: String) -> String {
        SecretText.hiding(values.withLock { $0 }, in: text)
    }

    static func hiding(in data: Data) -> Data {
        let all = values.withLock { $0 }
        guard !all.isEmpty, let text = String(data: data, encoding: .utf8) else { return data }
        return Data(SecretText.hiding(all, in: text).utf8)
    }
}

/// Prints a command's report, writes the files the user asked for (`--json`, `--junit`,
/// each an ``OutputFile`` proven writable before any host was contacted), and ends with the
/// report's exit status. A file that still cannot be written is said and exits 1.
func finish(text: String, exitCode: Int32, files: [(file: OutputFile?, data: () throws -> Data)] = []) throws -> Never {
    FileHandle.standardOutput.write(Data(OutputSecrets.hiding(in: text).utf8))
    for (file, data) in files {
        guard let file else { continue }
        do {
            try file.write(OutputSecrets.hiding(in: data()))
        } catch {
            FileHandle.standardError.write(Data("postfleet: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
    throw ExitCode(exitCode)
}
