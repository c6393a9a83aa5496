import Foundation
import ShellQuoting

/// A file as read from a host.
public struct RemoteFile: Sendable, Equatable {
    public var contents: [UInt8]
    /// Permission bits, e.g. 0o640.
    public var mode: Int
    public var owner: String
    public var group: String
}

extension Session {
    /// Writes `contents` to `path` atomically: a temporary file in the same directory
    /// receives the bytes, is flushed to disk and given its mode (and owner), then is
    /// renamed over the target. A reader sees the old file or the new one, never a part;
    /// a failure leaves the old file as it was and removes the temporary one.
    ///
    /// - Parameter owner: `user`, `user:group`, or nil to leave the uploading user's.
    public func put(_ contents: [UInt8], to path: String, mode: Int = 0o644, owner: String? = nil, timeout: Duration? = nil) async throws {
        let command = Session.putCommand(path: path, mode: mode, owner: owner)
        try await exclusive {
            let result = try await run(command, stdin: contents, phase: .upload, timeout: timeout)
            guard result.succeeded else {
                throw failure(.upload, .remoteFailure, "cannot write \(path): \(result.failureSummary)")
            }
        }
    }

    static func putCommand(path: String, mode: Int, owner: String?) -> String {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let template = (directory.isEmpty ? "" : directory) + "/.\(name).postfleet.XXXXXX"
        var steps = [
            "t=$(mktemp \(Shell.quote(template)))",
            "trap 'rm -f \"$t\"' EXIT",
            "cat > \"$t\"",
            "chmod \(String(mode, radix: 8)) \"$t\"",
        ]
        if let owner { steps.append("chown \(Shell.quote(owner)) \"$t\"") }
        steps += ["sync -- \"$t\"", "mv -f \"$t\" \(Shell.quote(path))", "trap - EXIT"]
        return "set -e; umask 077; " + steps.joined(separator: "; ")
    }

    /// Reads `path` with its mode and owner, in one round trip.
    public func get(_ path: String, timeout: Duration? = nil) async throws -> RemoteFile {
        let quoted = Shell.quote(path)
        let command = "stat -c '%a %U %G' -- \(quoted) && exec cat -- \(quoted)"
        return try await exclusive {
            let result = try await run(command, stdin: [], phase: .download, timeout: timeout)
            guard result.succeeded, let newline = result.stdout.firstIndex(of: UInt8(ascii: "\n")) else {
                throw failure(.download, .remoteFailure, "cannot read \(path): \(result.failureSummary)")
            }
            let header = String(decoding: result.stdout[..<newline], as: UTF8.self).split(separator: " ")
            guard header.count == 3, let mode = Int(header[0], radix: 8) else {
                throw failure(.download, .protocolError, "cannot read \(path): unexpected stat output")
            }
            return RemoteFile(contents: Array(result.stdout[(newline + 1)...]), mode: mode,
                              owner: String(header[1]), group: String(header[2]))
        }
    }

}

extension ExecResult {
    /// Why a command failed, as a person reads it: its stderr and how it ended.
    public var failureSummary: String {
        let stderr = stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
        let status = exitSignal.map { "killed by signal \($0)" } ?? "exit status \(exitStatus.map(String.init) ?? "unknown")"
        return stderr.isEmpty ? status : "\(stderr) (\(status))"
    }
}
