/// Host names with ranges, as Ansible's inventories write them:
///
/// - `mta[1:3]` is mta1, mta2, mta3
/// - `mta[01:12]` is mta01 ... mta12 (a zero-padded start pads every number to its width)
/// - `mta[1:9:2]` is mta1, mta3, mta5, mta7, mta9 (a step)
/// - `db-[a:c]` is db-a, db-b, db-c (letters, a to z then A to Z)
/// - several ranges combine, the first varying slowest: `r[1:2]n[a:b]` is r1na, r1nb, r2na, r2nb.
///
/// Unlike Ansible, a range that goes backwards (`[3:1]`) is an error, not zero hosts.
enum HostRange {
    /// More hosts than this from one name is surely a typo (`[1:1000000]`).
    static let limit = 100_000

    struct Problem: Error, Equatable {
        /// What is wrong, naming the whole host name.
        let message: String
        /// Where in the name (in Unicode scalars from 0) the bad range starts.
        let offset: Int
    }

    /// Whether `name` has ranges to expand.
    static func hasRange(_ name: String) -> Bool {
        name.contains("[")
    }

    /// Every host name that `name` stands for, in order.
    static func expand(_ name: String) throws(Problem) -> [String] {
        var names = [""]
        for segment in try segments(of: name) {
            switch segment {
            case let .literal(text):
                names = names.map { $0 + text }
            case let .range(items, offset):
                guard names.count * items.count <= limit else {
                    throw Problem(message: "host range '\(name)' expands to more than \(limit) hosts", offset: offset)
                }
                names = names.flatMap { prefix in items.map { prefix + $0 } }
            }
        }
        return names
    }

    private enum Segment {
        case literal(String)
        case range([String], offset: Int)
    }

    private static func segments(of name: String) throws(Problem) -> [Segment] {
        var segments: [Segment] = []
        var rest = Substring(name)
        while let open = rest.firstIndex(of: "[") {
            let offset = name.unicodeScalars.distance(from: name.startIndex, to: open)
            segments.append(.literal(String(rest[..<open])))
            guard let close = rest[open...].firstIndex(of: "]") else {
                throw Problem(message: "bad host range '\(name)': missing ']'", offset: offset)
            }
            let body = rest[rest.index(after: open)..<close]
            segments.append(.range(try items(body, in: name, offset: offset), offset: offset))
            rest = rest[rest.index(after: close)...]
        }
        segments.append(.literal(String(rest)))
        return segments
    }

    private static let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

    /// The expansions of one `[start:end]` or `[start:end:step]`.
    private static func items(_ body: Substring, in name: String, offset: Int) throws(Problem) -> [String] {
        func problem(_ text: String) -> Problem {
            Problem(message: "bad host range '\(name)': \(text)", offset: offset)
        }
        let parts = body.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else {
            throw problem("write [start:end] or [start:end:step]")
        }
        let start = parts[0].isEmpty ? "0" : parts[0]
        let end = parts[1]
        guard !end.isEmpty else { throw problem("the range has no end") }
        var step = 1
        if parts.count == 3 {
            guard let value = Int(parts[2]), value > 0 else {
                throw problem("the step '\(parts[2])' must be a positive number")
            }
            step = value
        }

        if start.count == 1, end.count == 1,
           let first = letters.firstIndex(of: start.first!), let last = letters.firstIndex(of: end.first!)
        {
            guard first <= last else { throw problem("the start '\(start)' is after the end '\(end)'") }
            return stride(from: first, through: last, by: step).map { String(letters[$0]) }
        }

        guard start.allSatisfy(\.isASCIIDigit), end.allSatisfy(\.isASCIIDigit) else {
            throw problem("'\(start)' and '\(end)' must both be numbers or both be single letters")
        }
        guard let first = Int(start), let last = Int(end) else { throw problem("the numbers are too large") }
        guard first <= last else { throw problem("the start '\(start)' is after the end '\(end)'") }
        let width = start.count > 1 && start.hasPrefix("0") ? start.count : 0
        if width > 0, end.count != width {
            throw problem("'\(start)' is zero-padded, so '\(end)' must have \(width) digits too")
        }
        guard (last - first) / step < limit else {
            throw problem("it expands to more than \(limit) hosts")
        }
        return stride(from: first, through: last, by: step).map { number in
            let digits = String(number)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
