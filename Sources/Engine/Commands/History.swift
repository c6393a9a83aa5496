import Foundation
import Playbook

/// `postfleet history --since WHEN`: the moment from which change records are shown.
public enum HistorySince {
    /// `WHEN` as an age before `now` (`30m`, `12h`, `2d`, `1w`: ``Limits/age(_:)``, up to a
    /// year) or as a UTC date (`2026-12-01`, from its midnight) or time (`2026-12-01T10:00:00Z`).
    public static func parse(_ text: String, now: Date = Date()) throws(PolicyError) -> Date {
        if let date = date(text) { return date }
        do {
            return now.addingTimeInterval(-Double(try Limits.age(text)))
        } catch {
            throw PolicyError("expected an age such as 30m, 12h or 2d (at most a year), or a UTC date such as 2026-12-01 or 2026-12-01T10:00:00Z")
        }
    }

    /// `2026-12-01` (midnight UTC) or `2026-12-01T10:00:00Z`; nil for anything else. Only
    /// the exact widths: DateFormatter alone would take `2026-12-1`.
    public static func date(_ text: String) -> Date? {
        let format: String
        switch text.utf8.count {
        case 10: format = "yyyy-MM-dd"
        case 20: format = "yyyy-MM-dd'T'HH:mm:ss'Z'"
        default: return nil
        }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = format
        return f.date(from: text)
    }
}

extension ChangeRecord {
    /// When the run started, as a date; nil when the record's `time` is not postfleet's
    /// `2026-12-06T12:10:44Z` (a hand-edited line).
    public var date: Date? { HistorySince.date(time) }
}
