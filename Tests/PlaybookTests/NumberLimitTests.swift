import Inventory
import Playbook
import Testing

/// Hostile numbers in every numeric field of a playbook (``NumericField/all``): each is refused
/// at its own `FILE:LINE:COL` with a message that states the limit, or accepted within it;
/// none traps (before the limits, `retries: 9223372036854775807` and `delay: 1.0e+17` ended
/// postfleet with SIGILL).
@Suite struct NumberLimitTests {
    /// What loading a value must give.
    enum Outcome: Sendable {
        /// Out of range: the message quotes the value as written.
        case outOfRange
        /// Not the right kind of value; the message says what it is ("the number 1.5").
        case not(String)
        /// Accepted, read back as this (seconds, a count, percent).
        case accepted(Double)
    }

    static let path = "numbers.yml"

    /// The error message `value` in `field` must give, or nil when it loads.
    static func message(_ field: NumericField, _ value: String, _ outcome: Outcome) -> String? {
        let name = field.name
        switch (field.kind, outcome) {
        case (_, .accepted): return nil
        case let (.count(range), .outOfRange): return "\(name) must be a whole number from \(Limits.spelled(range)) (got \(value))"
        case let (.count(range), .not(what)): return "\(name) must be a whole number from \(Limits.spelled(range)), not \(what)"
        case (.duration, .outOfRange): return "\(name) must be between 0 and 24 h (got \(value))"
        case (.duration, .not): return "\(name) must be a duration such as 5s, 2m, 1h or 500ms, or a number of seconds; not '\(value)'"
        case (.percentage, .outOfRange): return "\(name) must be from 0 to 100 (got \(value))"
        case let (.percentage, .not(what)): return "\(name) must be a number, not \(what)"
        case (.batch, .outOfRange) where value.hasSuffix("%"): return "a batch percentage must be from 1% to 100% (got \(value))"
        case (.batch, .outOfRange): return "a batch size must be a whole number from 1 to 1,000,000 (got \(value))"
        case let (.batch, .not(what)): return "a batch size is a number of hosts (2) or a percentage (\"25%\"), not \(what)"
        }
    }

    /// Loads `value` in `field` and checks the outcome: the first line of the error exactly, or
    /// the value read back.
    static func check(_ field: NumericField, _ value: String, _ outcome: Outcome,
                      sourceLocation: SourceLocation = #_sourceLocation) {
        let yaml = field.yaml(value)
        do {
            let playbook = try Playbook.parse(yaml: yaml, path: path)
            guard case let .accepted(expected) = outcome else {
                Issue.record("\(field) \(value): loaded, should be refused", sourceLocation: sourceLocation)
                return
            }
            let read = playbook.plays.first.flatMap(field.read)
            #expect(read == expected, "\(field) \(value)", sourceLocation: sourceLocation)
        } catch {
            let expected = message(field, value, outcome).map { "\(path):\(field.line):\(field.column): error: \($0)" }
            #expect(firstLine(error) == expected, "\(field) \(value)", sourceLocation: sourceLocation)
        }
    }

    /// Whole numbers: every spelling PyYAML reads, and every way to miss.
    static let counts: [(String, Outcome)] = [
        ("9223372036854775807", .outOfRange), ("9223372036854775808", .outOfRange), ("-9223372036854775808", .outOfRange),
        ("99999999999999999999999", .outOfRange), ("0x7fffffffffffffff", .outOfRange), ("0xffffffffffffffffff", .outOfRange),
        ("1:0:0:0:0:0:0:0:0:0:0", .outOfRange), ("-1", .outOfRange), ("10_000_001", .outOfRange),
        ("1.5", .not("the number 1.5")), ("1e300", .not("the string '1e300'")), ("1.0e+300", .not("the number 1.0e+300")),
        (".nan", .not("the number .nan")), (".inf", .not("the number .inf")), ("-.inf", .not("the number -.inf")),
        ("12abc", .not("the string '12abc'")), ("'5'", .not("the string '5'")), ("nan", .not("the string 'nan'")),
        ("0o17", .not("the string '0o17'")), ("[1]", .not("a list")), ("~", .not("empty")), ("true", .not("the boolean true")),
    ]

    static let durations: [(String, Outcome)] = [
        ("1.0e+17", .outOfRange), ("9223372036854775807", .outOfRange), ("99999999999999999999999", .outOfRange),
        ("0x7fffffffffffffff", .outOfRange), (".nan", .outOfRange), (".inf", .outOfRange), ("-.inf", .outOfRange),
        ("-1", .outOfRange), ("-0.5", .outOfRange), ("86401", .outOfRange), ("86400.001", .outOfRange), ("25h", .outOfRange),
        ("1441m", .outOfRange), ("86400001ms", .outOfRange), ("1e300s", .outOfRange), ("1e400s", .outOfRange), ("-5s", .outOfRange),
        ("1:0:0:0:0:0:0:0:0:0:0", .outOfRange), ("12abc", .not("")), ("1e300", .not("")), ("nans", .not("")), ("infs", .not("")),
        ("0x10s", .not("")), ("5 s", .not("")),
        ("0", .accepted(0)), ("86400", .accepted(86_400)), ("24h", .accepted(86_400)), ("1440m", .accepted(86_400)),
        ("86400000ms", .accepted(86_400)), ("1.5s", .accepted(1.5)), ("0.25", .accepted(0.25)), ("1:30", .accepted(90)),
        ("1_000", .accepted(1000)), ("0x10", .accepted(16)), ("010", .accepted(8)), ("2.5e+1", .accepted(25)),
    ]

    static let percentages: [(String, Outcome)] = [
        ("101", .outOfRange), ("100.5", .outOfRange), ("-1", .outOfRange), ("-0.001", .outOfRange), (".nan", .outOfRange),
        (".inf", .outOfRange), ("9223372036854775807", .outOfRange), ("99999999999999999999999", .outOfRange),
        ("0x7fffffffffffffff", .outOfRange), ("1.0e+300", .outOfRange), ("1e300", .not("the string '1e300'")),
        ("12abc", .not("the string '12abc'")), ("'50'", .not("the string '50'")),
        ("0", .accepted(0)), ("100", .accepted(100)), ("12.5", .accepted(12.5)), ("0x64", .accepted(100)),
    ]

    static let batches: [(String, Outcome)] = [
        ("0", .outOfRange), ("1000001", .outOfRange), ("9223372036854775807", .outOfRange), ("0x7fffffffffffffff", .outOfRange),
        ("99999999999999999999999", .outOfRange), ("-1", .outOfRange), ("0%", .outOfRange), ("101%", .outOfRange),
        ("-5%", .outOfRange), ("99999999999999999999%", .outOfRange), ("1.5", .not("the number 1.5")),
        (".nan", .not("the number .nan")), ("1e300", .not("the string '1e300'")), ("12.5%", .not("the string '12.5%'")),
        ("1000000", .accepted(1_000_000)), ("100%", .accepted(100)), ("1_000", .accepted(1000)),
    ]

    @Test(arguments: NumericField.all.filter { if case .count = $0.kind { true } else { false } })
    func wholeNumbers(field: NumericField) {
        guard case let .count(range) = field.kind else { return }
        for (value, outcome) in Self.counts { Self.check(field, value, outcome) }
        let (low, high) = (range.lowerBound, range.upperBound)
        Self.check(field, String(low), .accepted(Double(low)))
        Self.check(field, String(high), .accepted(Double(high)))
        Self.check(field, String(high + 1), .outOfRange)
        if low > 0 { Self.check(field, String(low - 1), .outOfRange) }
        if high >= 64 { Self.check(field, "0x40", .accepted(64)) }
        if high >= 64 { Self.check(field, "0100", .accepted(64)) }
        if high >= 90 { Self.check(field, "1:30", .accepted(90)) }
    }

    @Test(arguments: NumericField.all.filter { if case .duration = $0.kind { true } else { false } })
    func durations(field: NumericField) {
        for (value, outcome) in Self.durations { Self.check(field, value, outcome) }
    }

    @Test func percentages() throws {
        for field in NumericField.all { if case .percentage = field.kind { for (v, o) in Self.percentages { Self.check(field, v, o) } } }
    }

    @Test func batchSizes() throws {
        let block = try #require(NumericField.all.first { if case .batch = $0.kind { $0.rest.isEmpty } else { false } })
        for (value, outcome) in Self.batches { Self.check(block, value, outcome) }
    }

    /// The issue's own inputs, word for word.
    @Test func theReportedCrashes() throws {
        let retries = try #require(NumericField.all.first { $0.name == "'retries'" })
        #expect(throws: SourceError.self) { try Playbook.parse(yaml: retries.yaml("9223372036854775807"), path: Self.path) }
        Self.check(retries, "9223372036854775807", .outOfRange)
        #expect(Self.message(retries, "9223372036854775807", .outOfRange)
            == "'retries' must be a whole number from 0 to 100 (got 9223372036854775807)")
        let delay = NumericField.all[1]
        #expect(Self.message(delay, "1.0e+17", .outOfRange) == "'delay' must be between 0 and 24 h (got 1.0e+17)")
        Self.check(delay, "1.0e+17", .outOfRange)
    }
}
