import Inventory
import Yams

/// Numbers and durations in a playbook, read as PyYAML (and so Ansible) reads them — `0x10`,
/// octal `010`, `1_000`, sexagesimal `1:30`, `.inf`, `.nan` — and checked against ``Limits``
/// at their node. Nothing here traps: an integer past what Int64 holds is out of range, not a
/// crash (Yams' own constructors overflow on a long sexagesimal such as `1:0:0:0:0:0:0:0:0:0:0`).
extension YAMLReader {
    /// A whole number in `range`. A fraction, text, or a number outside `range` is an error
    /// that names the range and, for a number, quotes it as written.
    func int(_ node: Node, what: String, in range: ClosedRange<Int>) throws(SourceError) -> Int {
        let wanted = "\(what) must be a whole number from \(Limits.spelled(range))"
        guard case let .scalar(scalar) = node, tagName(node) == .int else { throw error("\(wanted), not \(kind(node))", at: node) }
        guard case let .value(int) = Value.parseInt(scalar.string), range.contains(int) else {
            throw error("\(wanted) (got \(scalar.string))", at: node)
        }
        return int
    }

    /// An integer or a decimal number; an integer past what Int64 holds is an infinity of its
    /// sign, for the caller's range to refuse.
    func number(_ node: Node, what: String) throws(SourceError) -> Double {
        if case let .scalar(scalar) = node {
            if tagName(node) == .int {
                switch Value.parseInt(scalar.string) {
                case let .value(int): return Double(int)
                case .tooLarge: return scalar.string.hasPrefix("-") ? -.infinity : .infinity
                case .invalid: break
                }
            }
            if tagName(node) == .float, let double = Value.parseFloat(scalar.string) { return double }
        }
        throw error("\(what) must be a number, not \(kind(node))", at: node)
    }

    /// `5s`, `2m`, `1h`, `500ms`, or a number of seconds; from 0 to ``Limits/longestDuration``.
    func duration(_ node: Node, what: String) throws(SourceError) -> Duration {
        guard case let .scalar(scalar) = node else {
            throw error("\(what) must be a duration such as 5s, 2m or 1h, not \(kind(node))", at: node)
        }
        let text = scalar.string
        let seconds: Double
        if tagName(node) == .int || tagName(node) == .float {
            seconds = try number(node, what: what)
        } else if let (number, scale) = Self.durationUnits.lazy.compactMap({ unit in
            text.hasSuffix(unit.suffix) ? Limits.decimalValue(text.dropLast(unit.suffix.count)).map { ($0, unit.seconds) } : nil
        }).first {
            seconds = number * scale
        } else {
            throw error("\(what) must be a duration such as 5s, 2m, 1h or 500ms, or a number of seconds; not '\(text)'", at: node)
        }
        guard let duration = Limits.duration(seconds: seconds) else {
            throw error("\(what) must be \(Limits.durationRange) (got \(text))", at: node)
        }
        return duration
    }

    /// The suffixes of a duration, the longest first (`ms` before `s`).
    static let durationUnits: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
}
