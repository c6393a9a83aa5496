import Foundation

/// The tables of `queue` and `tls`: columns padded to their widest cell, hosts whose rows are
/// the same folded into one line (`mta[4-40]`).
enum GroupedTable {
    /// A table in which hosts whose rows are the same share one line (`mta[4-40]`), the groups
    /// with the largest `weight` first, then in the hosts' order.
    static func grouped(_ header: [String], _ hosts: [(String, [[String]])], weight: ([[String]]) -> Int) -> String {
        var groups: [(rows: [[String]], hosts: [String])] = []
        var index: [[[String]]: Int] = [:]
        for (host, rows) in hosts {
            if let i = index[rows] {
                groups[i].hosts.append(host)
            } else {
                index[rows] = groups.count
                groups.append((rows, [host]))
            }
        }
        let ordered = groups.enumerated().sorted { a, b in
            (weight(a.element.rows), b.offset) > (weight(b.element.rows), a.offset)
        }.map(\.element)
        var table = [header]
        for group in ordered {
            let name = HostSet.fold(group.hosts)
            for (i, row) in group.rows.enumerated() { table.append([i == 0 ? name : ""] + row) }
        }
        return table.count == 1 ? "" : columns(table)
    }

    /// Each column padded to its widest cell, two spaces apart; the last column unpadded.
    static func columns(_ rows: [[String]]) -> String {
        let widths = rows[0].indices.map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
