/// Numbers as a command line writes them, checked against ``Limits``. The messages follow
/// ArgumentParser's "The value 'X' is invalid for '--flag <flag>': ", which names the flag
/// and quotes the value.
extension Limits {
    /// A whole number in `range`: decimal digits, with a sign if any. `1.5`, `1e3`, `0x10`,
    /// `12abc` and numbers past what Int64 holds are refused.
    public static func count(_ text: String, in range: ClosedRange<Int>) throws(PolicyError) -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw PolicyError("expected a whole number from \(spelled(range))")
        }
        return value
    }

    /// A decimal number (`10`, `0.5`, `2.5e1`) in `range`. Hexadecimal, `nan`, `inf` and
    /// `infinity`, which Swift's `Double(String)` would take, are refused.
    public static func decimal(_ text: String, in range: ClosedRange<Double>, what: String) throws(PolicyError) -> Double {
        guard let value = decimalValue(text), range.contains(value) else { throw PolicyError("expected \(what)") }
        return value
    }

    /// Seconds for `--connect-timeout` and `--timeout`, in ``flagSeconds``.
    public static func flagSeconds(_ text: String) throws(PolicyError) -> Double {
        try decimal(text, in: flagSeconds, what: "a number of seconds from 0.001 to 86400 (24 h)")
    }

    /// A percentage for `--max-fail-percentage`, in ``failPercentage``.
    public static func failPercentage(_ text: String) throws(PolicyError) -> Double {
        try decimal(text, in: failPercentage, what: "a number from 0 to 100")
    }

    /// The value of a decimal spelling (digits, a dot, an exponent, a sign), or nil; an
    /// infinity when it is past what a Double holds (`1e400`), for a range to refuse.
    static func decimalValue(_ text: some StringProtocol) -> Double? {
        guard !text.isEmpty, text.unicodeScalars.allSatisfy({ "0123456789.eE+-".unicodeScalars.contains($0) }) else { return nil }
        return Double(String(text))
    }
}

extension Limits {
    /// The longest `--older-than`: a year.
    public static let longestAge: Int64 = 366 * 86_400

    /// An age for `--older-than`: `90s`, `30m`, `4h`, `2d`, `1w`, or a number of seconds;
    /// whole numbers only, up to a year.
    public static func age(_ text: String) throws(PolicyError) -> Int64 {
        let units: [(Character, Int64)] = [("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800)]
        var digits = Substring(text)
        var scale: Int64 = 1
        if let last = text.last, let unit = units.first(where: { $0.0 == last }) {
            digits = digits.dropLast()
            scale = unit.1
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), digits.count <= 12,
              let n = Int64(digits), n <= longestAge / scale else {
            throw PolicyError("expected an age such as 90s, 30m, 4h, 2d or 1w (at most a year)")
        }
        return n * scale
    }

    /// A pause for `--pause`: `500ms`, `5s`, `2m`, `1h`, or a number of seconds, up to 24 h.
    public static func pause(_ text: String) throws(PolicyError) -> Duration {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        let unit = units.first { text.hasSuffix($0.0) }
        let number = unit.map { text.dropLast($0.0.count) } ?? Substring(text)
        guard let value = decimalValue(number), let duration = Limits.duration(seconds: value * (unit?.1 ?? 1)) else {
            throw PolicyError("expected a duration such as 500ms, 5s, 2m or 1h, \(durationRange)")
        }
        return duration
    }
}

extension Limits {
    /// A drain's deadline for `--drain-deadline`: `90s`, `5m`, or a number of seconds; 1 s to an hour.
    public static func drainDeadline(_ text: String) throws(PolicyError) -> Duration {
        let seconds: Int64
        do {
            seconds = try age(text)
        } catch {
            throw PolicyError("expected a deadline such as 90s or 5m, from 1s to 1h")
        }
        guard seconds >= 1, .seconds(seconds) <= longestDrain else {
            throw PolicyError("expected a deadline such as 90s or 5m, from 1s to 1h")
        }
        return .seconds(seconds)
    }
}
