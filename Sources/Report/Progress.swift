import Engine
import Foundation
import SSH
import Synchronization

/// Live progress while a run goes on. On a terminal: one line rewritten in place
/// (hosts done / total, changed, failed, unreachable, elapsed), at most every
/// `repaint`. Otherwise: one line per finished host, so a log shows the order hosts
/// finished in.
///
/// The host that finishes never waits for the terminal: lines are written in order by a
/// queue of their own, so a slow terminal or a full pipe (`| less`) holds that queue, not
/// one of the two threads every session of the run shares.
public final class Progress: Sendable {
    private struct State {
        var done = 0, changed = 0, failed = 0, unreachable = 0
        var painted: ContinuousClock.Instant? = nil
        var unpainted: String? = nil
    }

    private let total: Int
    private let isTerminal: Bool
    private let repaint: Duration
    private let started = ContinuousClock.now
    private let state = Mutex(State())
    private let write: @Sendable (String) -> Void
    private let output = DispatchQueue(label: "postfleet.progress")

    public init(total: Int, isTerminal: Bool = isatty(STDERR_FILENO) == 1, repaint: Duration = .milliseconds(100),
                write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.total = total
        self.isTerminal = isTerminal
        self.repaint = repaint
        self.write = write
    }

    public func hostFinished(_ result: HostRunResult) {
        let line = state.withLock { s -> String? in
            s.done += 1
            switch result.status {
            case .changed: s.changed += 1
            case .failed: s.failed += 1
            case .unreachable: s.unreachable += 1
            case .ok: break
            }
            let now = ContinuousClock.now
            let elapsed = String(format: "%.1fs", (now - started).seconds)
            if isTerminal {
                let line = "\r\u{1B}[K[\(s.done)/\(total)] changed=\(s.changed) failed=\(s.failed) unreachable=\(s.unreachable) \(elapsed)"
                // The first host and the last are always drawn; the others when `repaint` has passed.
                if let painted = s.painted, now - painted < repaint, s.done < total {
                    s.unpainted = line
                    return nil
                }
                s.painted = now
                s.unpainted = nil
                return line
            }
            let why = result.connectionError.map { " (\($0.phase.rawValue))" } ?? result.failure.map { " (\($0.instance.map { "\($0): " } ?? "")\($0.action))" } ?? ""
            return "[\(s.done)/\(total)] \(result.host): \(result.status.rawValue)\(why) \(elapsed)\n"
        }
        if let line {
            let write = self.write
            output.async { write(line) }
        }
    }

    /// Draws what a repaint skipped, ends the in-place line on a terminal, and returns once
    /// every line is written.
    public func finish() {
        let last = state.withLock { s -> String? in
            defer { s.unpainted = nil }
            return s.unpainted
        }
        let write = self.write, isTerminal = self.isTerminal
        output.sync {
            if let last { write(last) }
            if isTerminal { write("\n") }
        }
    }
}
