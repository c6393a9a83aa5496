import Foundation

/// A name for this run's stage directories and backups: UTC time plus a random suffix, so
/// two runs in the same second do not share backups.
public func runIdentifier(_ date: Date = Date()) -> String {
    runTimestamp(date) + "-" + String(UInt16.random(in: .min ... .max), radix: 16)
}

/// `20261125T014456Z`: UTC, sortable, safe in a file name.
public func runTimestamp(_ date: Date) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
    return f.string(from: date)
}
