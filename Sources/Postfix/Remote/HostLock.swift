import Foundation
import ShellQuoting

/// The lock every change to a host holds for its whole length: the kernel's `flock(2)` on
/// `/run/lock/postfleet.lock`, taken by a holder script that stays running on a channel of
/// the change's own SSH session (``script(holder:wait:)``). The holder reads its stdin to
/// its end: the controller closes it when the change is done, and sshd closes it when the
/// connection is lost or the controller is killed. Then the holder exits and the kernel lets
/// the lock go: nothing is ever left locked by a controller that is gone.
///
/// An apply script goes on to its end after its connection is lost (it ignores SIGHUP and
/// SIGPIPE), so it holds a second lock, `/run/lock/postfleet.apply`, while it runs
/// (``applyGuard``); a holder waits for that one too before it says it holds the host, so
/// the next change reads the host only once a dead run's apply has ended. And an apply
/// script goes on only while the holder file names its own run: a script whose controller
/// died while its request was on the way finds the next run's name there and changes nothing.
public enum HostLock {
    public static let lockFile = "/run/lock/postfleet.lock"
    /// Who holds ``lockFile``: one JSON line (``Holder``).
    public static let holderFile = "/run/lock/postfleet.holder"
    /// Held by a running apply script; says which (`{"run":ID,"pid":N}`).
    public static let applyFile = "/run/lock/postfleet.apply"
    /// The exit status of a holder that did not get the lock.
    public static let busyStatus: Int32 = 75

    /// Who holds the lock, as the next change that finds it held reports it.
    public struct Holder: Codable, Sendable, Equatable {
        public var run: String
        /// The controller's host name, user and process.
        public var controller: String
        public var user: String
        public var pid: Int32
        /// The controller's command line (values of `-e` hidden).
        public var command: String
        /// When the change started (UTC, ISO 8601).
        public var started: String

        public init(run: String, controller: String, user: String, pid: Int32, command: String, started: String) {
            self.run = run
            self.controller = controller
            self.user = user
            self.pid = pid
            self.command = command
            self.started = started
        }

        /// The one line a refused change reports.
        public var line: String {
            "run \(run) by \(user)@\(controller) (pid \(pid)), started \(started): \(command)"
        }

        public var json: String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
        }
    }

    /// The line a holder prints once it holds the host.
    public static let heldLine = "@@postfleet lock held"
    static let busyMarker = "@@postfleet lock busy "
    static let applyBusyMarker = "@@postfleet lock apply "
    static let failedMarker = "@@postfleet lock failed "

    /// The holder: takes ``lockFile`` (at once, or waiting at most `wait` seconds), writes
    /// `holder` to ``holderFile``, waits as long for an apply script still running, says
    /// ``heldLine``, and then waits for its stdin to end.
    public static func script(holder: Holder, wait: Int) -> String {
        let wait = max(0, wait)
        return """
        # postfleet lock \(holder.run)
        umask 077
        command -v flock >/dev/null 2>&1 || { echo '\(failedMarker)flock(1) is not installed on this host (Debian: util-linux)'; exit 1; }
        [ -d /run/lock ] || mkdir -p /run/lock || { echo '\(failedMarker)cannot create /run/lock'; exit 1; }
        exec 9>>\(lockFile) || { echo '\(failedMarker)cannot open \(lockFile)'; exit 1; }
        if ! flock -n 9; then
          if [ \(wait) -eq 0 ] || ! flock -w \(wait) 9; then
            printf '%s' '\(busyMarker)'; head -n 1 \(holderFile) 2>/dev/null | head -c 4000; echo; exit \(busyStatus)
          fi
        fi
        printf '%s\\n' \(Shell.quote(holder.json)) >\(holderFile).new && mv -f \(holderFile).new \(holderFile) && echo "$$" >\(holderFile).pid || { echo '\(failedMarker)cannot write \(holderFile)'; exit 1; }
        exec 8>>\(applyFile) || { echo '\(failedMarker)cannot open \(applyFile)'; exit 1; }
        if ! flock -n 8; then
          if [ \(wait) -eq 0 ] || ! flock -w \(wait) 8; then
            printf '%s' '\(applyBusyMarker)'; head -n 1 \(applyFile) 2>/dev/null | head -c 4000; echo; exit \(busyStatus)
          fi
        fi
        exec 8>&-
        echo '\(heldLine)'
        cat >/dev/null
        exit 0

        """
    }

    /// How a holder that ended without holding the host ended.
    public enum Refusal: Sendable, Equatable {
        /// Another change holds the host (its holder, when the file could be read).
        case held(by: Holder?, raw: String)
        /// An apply script of an earlier run, whose controller is gone, still runs.
        case applying(run: String?, raw: String)
        /// The lock could not be taken at all.
        case failed(String)
    }

    /// Reads what a holder that ended printed.
    public static func refusal(stdout: String, stderr: String, exitStatus: Int32?) -> Refusal {
        for line in stdout.split(separator: "\n") {
            if line.hasPrefix(busyMarker) {
                let raw = String(line.dropFirst(busyMarker.count))
                return .held(by: try? JSONDecoder().decode(Holder.self, from: Data(raw.utf8)), raw: raw)
            }
            if line.hasPrefix(applyBusyMarker) {
                let raw = String(line.dropFirst(applyBusyMarker.count))
                let run = (try? JSONDecoder().decode([String: String].self, from: Data(raw.utf8)))?["run"]
                    ?? raw.range(of: #""run":"([^"]*)""#, options: .regularExpression).map { String(raw[$0].dropFirst(7).dropLast()) }
                return .applying(run: run, raw: raw)
            }
            if line.hasPrefix(failedMarker) { return .failed(String(line.dropFirst(failedMarker.count))) }
        }
        let said = stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: "; ")
        return .failed("the lock holder ended with status \(exitStatus.map(String.init) ?? "none")" + (said.isEmpty ? "" : ": \(said)"))
    }

    /// The apply script's own lock, taken first thing, before anything changes: ``applyFile``
    /// (waiting at most 30 seconds: only a script whose request raced a lost connection can
    /// hold it), and then the holder file must name this run.
    public static let applyGuard = """
        exec 8>>\(applyFile) && flock -w 30 8 || { echo 'postfleet: cannot take \(applyFile)' >&2; mark end failed; exit 1; }
        grep -qF "\\"run\\":\\"$ID\\"" \(holderFile) 2>/dev/null || { echo "postfleet: the host lock is not held by run $ID: nothing changed" >&2; mark end failed; exit 1; }
        printf '{"run":"%s","pid":%s}\\n' "$ID" "$$" >\(applyFile)
        HP=$(cat \(holderFile).pid 2>/dev/null)
        """
}
