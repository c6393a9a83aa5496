import Foundation
import Postfix
import SSH

/// How a change takes each host's lock (``HostLock``).
public struct LockRequest: Sendable {
    /// Who this change is, as a change that finds the host held reports it.
    public var holder: HostLock.Holder
    /// How long to wait for a held host; zero: fail it at once.
    public var wait: Duration

    public init(holder: HostLock.Holder, wait: Duration = .zero) {
        self.holder = holder
        self.wait = wait
    }

    /// This controller, now, running `run`: host name, user, pid and the command line with
    /// the values of `-e`/`--extra-vars` hidden (they may be passwords).
    public static func current(run: String, arguments: [String] = CommandLine.arguments, wait: Duration = .zero,
                               now: Date = Date()) -> LockRequest {
        let user = getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? String(getuid())
        let holder = HostLock.Holder(run: run, controller: ProcessInfo.processInfo.hostName, user: user,
                                     pid: ProcessInfo.processInfo.processIdentifier,
                                     command: commandLine(arguments), started: isoTimestamp(now))
        return LockRequest(holder: holder, wait: wait)
    }

    /// `arguments` as one line, each word shell-quoted where it needs it, the value of every
    /// `-e`/`--extra-vars` (other than `@FILE`) shown as `(hidden)`.
    public static func commandLine(_ arguments: [String]) -> String {
        var words: [String] = []
        var hideNext = false
        for (index, argument) in arguments.enumerated() {
            var word = argument
            var hidden = true  // a word made here, shown as it is, never quoted
            if index == 0 { word = (argument as NSString).lastPathComponent; hidden = false }
            if hideNext {
                if !argument.hasPrefix("@") { word = "(hidden)" } else { hidden = false }
                hideNext = false
            } else if argument == "-e" || argument == "--extra-vars" {
                hideNext = true
                hidden = false
            } else if argument.hasPrefix("--extra-vars="), !argument.dropFirst("--extra-vars=".count).hasPrefix("@") {
                word = "--extra-vars=(hidden)"
            } else if argument.hasPrefix("-e"), argument.count > 2, !argument.dropFirst(2).hasPrefix("@") {
                word = "-e(hidden)"
            } else {
                hidden = false
            }
            words.append(hidden || (word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=@:,+%".contains($0) } && !word.isEmpty)
                ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'")
        }
        return words.joined(separator: " ")
    }
}

/// `2026-12-06T12:00:00Z`.
public func isoTimestamp(_ date: Date) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
    return f.string(from: date)
}

/// A host another change holds (or that could not be locked): the one line the report shows.
public struct HostLockRefused: Error, CustomStringConvertible, Sendable {
    public let refusal: HostLock.Refusal
    public let waited: Duration

    public var description: String {
        let waited = self.waited > .zero ? " (waited \(Int(self.waited.seconds.rounded()))s)" : ""
        switch refusal {
        case let .held(holder?, _): return "locked by \(holder.line)\(waited)"
        case let .held(nil, raw): return "locked by another change\(raw.isEmpty ? "" : " (\(raw))")\(waited)"
        case let .applying(run, _):
            return "the apply script of run \(run ?? "(unknown)") still runs on the host (its controller is gone)\(waited); it ends by itself"
        case let .failed(reason): return "cannot lock the host: \(reason)"
        }
    }
}

extension Session {
    /// Takes this host's lock for `request` (``HostLock``): returns the holder to release
    /// when the change is done, or throws ``HostLockRefused``.
    public func lock(_ request: LockRequest) async throws -> HeldCommand {
        let seconds = Int(request.wait.seconds.rounded(.up))
        // Each of the two waits may take the whole of `wait`; then some time to say so.
        let bound = Duration.seconds(2 * seconds) + .seconds(30)
        switch try await hold(HostLock.script(holder: request.holder, wait: seconds), timeout: bound, ready: { $0 == HostLock.heldLine }) {
        case let .holding(held): return held
        case let .ended(result):
            throw HostLockRefused(refusal: HostLock.refusal(stdout: result.stdoutText, stderr: result.stderrText,
                                                            exitStatus: result.exitStatus), waited: request.wait)
        }
    }
}

/// Runs `body` with `session`'s host locked for `request` (nil: not locked), and lets the
/// lock go after, whatever `body` did. A release that fails is not an error of the change:
/// the lock goes with the connection.
func withHostLock<T>(_ session: Session, _ request: LockRequest?, _ body: () async throws -> T) async throws -> T {
    guard let request else { return try await body() }
    let held = try await session.lock(request)
    do {
        let value = try await body()
        _ = try? await session.release(held)
        return value
    } catch {
        _ = try? await session.release(held)
        throw error
    }
}
