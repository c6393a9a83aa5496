/// The range of every number postfleet takes from a person — in a playbook or on the command
/// line — and why, in one place (docs/PLAYBOOKS.md and docs/COMMANDS.md say the same under
/// "Limits").
///
/// A value outside its range is refused where it is written: at its `FILE:LINE:COL` in a file,
/// naming the flag on a command line; exit 1, no host contacted. So are NaN, infinities, a
/// fraction where a count is meant, and integers past what Int64 holds. The bounds sit far
/// above any real use and far below what would overflow, so the arithmetic that grows these
/// values (a task's `retries + 1`, backoff doubling, a batch's end, seconds to milliseconds)
/// stays exact; that arithmetic saturates anyway, should a value come in some other way.
///
/// Ports (`ansible_port`, a jump host's, ssh_config's `Port`) are 1 to 65535, checked where
/// they are read (Inventory, SSHConfig); ssh_config's `ConnectTimeout` takes what OpenSSH's
/// does (at most 2^31 − 1 seconds), as the file is shared with `ssh`.
public enum Limits {
    /// A playbook's durations (a task's `delay`; `pause`; health's `interval`, `deadline`,
    /// `banner_timeout`; retries' `delay`, `max_delay`): 0 to 24 h. A Postfix health wait or a
    /// retry pause longer than a day is a typo, and would hold a rolling restart for days.
    public static let longestDuration: Duration = .seconds(86_400)

    /// `--connect-timeout` and `--timeout`, in seconds: 1 ms to 24 h. Zero would fail every
    /// host at once; a connection or a command that may take more than a day is a typo.
    public static let flagSeconds: ClosedRange<Double> = 0.001...86_400

    /// A task's `retries` (Ansible's: tries = retries + 1): 0 to 100.
    public static let taskRetries: ClosedRange<Int> = 0...100

    /// Tries of one thing: a policy's `retries: attempts`, health's `passes`,
    /// `--connect-attempts`: 1 to 100. More is retrying "forever".
    public static let attempts: ClosedRange<Int> = 1...100

    /// `--forks`, sessions open at once: 1 to 1000. Each holds a socket and a libssh2 session
    /// (and a jump host's, through one); a controller's default limit is 1024 open files.
    public static let forks: ClosedRange<Int> = 1...1000

    /// `keep_backups:` and `--keep-backups`: backups kept per file.
    public static let keepBackups: ClosedRange<Int> = 1...1000

    /// A `serial` batch, in hosts: 1 to 1,000,000, ten times the largest fleet postfleet is
    /// measured loading (docs/BENCHMARKS.md). Larger is one batch of every host: write `100%`.
    public static let batchHosts: ClosedRange<Int> = 1...1_000_000

    /// A `serial` batch, in percent of the play's hosts: 1% to 100%.
    public static let batchPercent: ClosedRange<Int> = 1...100

    /// `max_fail_percentage`, `--max-fail-percentage`: 0 to 100 (a fraction is fine: 12.5).
    public static let failPercentage: ClosedRange<Double> = 0...100

    /// Health's `max_deferred`, messages: 0 to 10,000,000. A queue that large is past what a
    /// Postfix host drains; a limit above it never trips and is a typo.
    public static let deferredMessages: ClosedRange<Int> = 0...10_000_000

    /// The longest drain deadline (`drain:`, `--drain`): an hour. A drain that needs longer
    /// is a stuck session or a queue that is not going to empty.
    public static let longestDrain: Duration = .seconds(3600)

    /// A task's `until: rc`: an exit status, 0 to 255.
    public static let exitStatus: ClosedRange<Int> = 0...255

    /// `0 to 100`, `1 to 1,000,000`, for messages.
    public static func spelled(_ range: ClosedRange<Int>) -> String {
        "\(spelled(range.lowerBound)) to \(spelled(range.upperBound))"
    }

    /// `1000`, `10,000`, `1,000,000`: thousands grouped from five digits on.
    static func spelled(_ number: Int) -> String {
        let digits = String(number.magnitude)
        guard digits.count > 4 else { return String(number) }
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        return (number < 0 ? "-" : "") + grouped
    }

    /// What a duration in a playbook may be, for messages: `between 0 and 24 h`.
    public static let durationRange = "between 0 and 24 h"

    /// `seconds` as a duration, when it is within 0 and ``longestDuration`` (NaN is not).
    public static func duration(seconds: Double) -> Duration? {
        guard seconds >= 0, seconds <= longestDuration.secondsValue else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// `seconds` as a duration, brought into `range` (NaN to its lower bound): for values
    /// that should have been checked already, so that none can trap on the way.
    public static func clampedDuration(seconds: Double, to range: ClosedRange<Double>) -> Duration {
        let inRange = seconds.isNaN ? range.lowerBound : min(max(seconds, range.lowerBound), range.upperBound)
        let milliseconds = (inRange * 1000).rounded()
        return .milliseconds(abs(milliseconds) < 9e18 ? Int64(milliseconds) : milliseconds < 0 ? .min : .max)
    }
}

extension Duration {
    /// Whole and fractional seconds, as a Double.
    var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
