import Foundation

/// A vault password script, run as Ansible runs one: with no arguments, its standard error
/// left on the terminal (so it may prompt); or, for a `*-client` script, with
/// `--vault-id LABEL` and its standard error captured for the message. Its standard
/// output is the password.
struct PasswordScript {
    let path: String
    let origin: String

    /// Exit status 2 from a client script: it has no password for that label.
    static let unknownLabelStatus: Int32 = 2

    func run(client: Bool, label: String?) throws(VaultPasswordError) -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = client ? label.map { ["--vault-id", $0] } ?? [] : []
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        if client { process.standardError = stderr }
        do {
            try process.run()
        } catch {
            throw VaultPasswordError(origin: origin, reason: "cannot run the password script (\(error.localizedDescription)); if it is not a script, take away its execute permission")
        }
        // Both pipes are drained while it runs, so a script that writes much to one cannot block on the other.
        let errors = Drain(client ? stderr.fileHandleForReading : nil)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let message = errors.text()
        let status = process.terminationStatus
        if process.terminationReason == .uncaughtSignal {
            throw VaultPasswordError(origin: origin, reason: "the password script was killed by signal \(status)")
        }
        if client && status == Self.unknownLabelStatus {
            throw VaultPasswordError(origin: origin, reason: "the password client script has no password for vault id '\(label ?? "")' (exit status 2)\(message)")
        }
        if status != 0 {
            throw VaultPasswordError(origin: origin, reason: "the password script exited with status \(status)\(message)")
        }
        return Array(output)
    }
}

/// Reads a pipe to its end on a thread of its own.
private final class Drain: @unchecked Sendable {
    // Written by the reading thread before `done` is signalled, read only after.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)
    private let active: Bool

    init(_ handle: FileHandle?) {
        active = handle != nil
        guard let handle else { return }
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    /// `: TEXT` (its last lines, trimmed) when the script wrote something, else "".
    func text() -> String {
        guard active else { return "" }
        done.wait()
        let text = String(decoding: data.suffix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "" : ": \(text)"
    }
}
