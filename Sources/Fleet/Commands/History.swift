import Engine
import Foundation
import Report

/// Every target host's change record, put together by run; `since`: only runs started then or later.
public func historyReport(on targets: Targets, connection: ConnectionSettings, since: Date?) async -> HistoryReport {
    HistoryReport(hosts: await hostRecords(on: targets, connection: connection), since: since)
}

/// `--since WHEN` (``Engine/HistorySince``), or bad input that names the flag.
public func historySince(_ text: String, now: Date = Date()) throws(InputError) -> Date {
    do {
        return try HistorySince.parse(text, now: now)
    } catch {
        throw InputError("--since \(text): \(error)")
    }
}
