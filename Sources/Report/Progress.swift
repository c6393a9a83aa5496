import Engine
import Foundation
import SSH
import Synchronization

/// Live progress while a run goes on. On a terminal: one line rewritten in place
/// (hosts done / total, changed, failed, unreachable, elapsed). Otherwise: one line per
/// finished host, so a log shows the order hosts finished in.
public final class Progress: Sendable {
    private struct State {
        var done = 0, changed = 0, failed = 0, unreachable = 0
    }

    private let total: Int
    private let isTerminal: Bool
    private let started = ContinuousClock.now
    private let state = Mutex(State())
    private let write: @Sendable (String) -> Void

    public init(total: Int, isTerminal: Bool = isatty(STDERR_FILENO) == 1,
                write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.total = total
        self.isTerminal = isTerminal
        self.write = write
    }

    public func hostFinished(_ result: HostRunResult) {
        let line = state.withLock { s -> String in
            s.done += 1
            switch result.status {
            case .changed: s.changed += 1
            case .failed: s.failed += 1
            case .unreachable: s.unreachable += 1
            case .ok: break
            }
            let elapsed = String(format: "%.1fs", (ContinuousClock.now - started).seconds)
            if isTerminal {
                return "\r\u{1B}[K[\(s.done)/\(total)] changed=\(s.changed) failed=\(s.failed) unreachable=\(s.unreachable) \(elapsed)"
            }
            let why = result.connectionError.map { " (\($0.phase.rawValue))" } ?? result.failure.map { " (\($0.instance.map { "\($0): " } ?? "")\($0.action))" } ?? ""
            return "[\(s.done)/\(total)] \(result.host): \(result.status.rawValue)\(why) \(elapsed)\n"
        }
        write(line)
    }

    /// Ends the in-place line on a terminal.
    public func finish() {
        if isTerminal { write("\n") }
    }
}
