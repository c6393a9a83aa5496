/// What is wrong with a policy value, in words that read the same after a playbook's
/// `FILE:LINE:COL: error:` and after a command-line flag's name.
public struct PolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// The checks `serial` and `max_fail_percentage` share wherever they are written: in a
/// playbook's `policy:` and in `postfleet postmulti --serial / --max-fail-percentage`.
extension Policy.BatchSize {
    /// What a batch size looks like, for messages about a value that is neither form.
    public static let forms = "a batch size is a number of hosts (2) or a percentage (\"25%\")"

    /// A number of hosts, in ``Limits/batchHosts``.
    public static func hosts(_ count: Int) throws(PolicyError) -> Policy.BatchSize {
        guard Limits.batchHosts.contains(count) else { throw outOfRange(String(count)) }
        return .count(count)
    }

    /// A percentage of the play's hosts, in ``Limits/batchPercent``.
    public static func percentage(_ percent: Int) throws(PolicyError) -> Policy.BatchSize {
        guard Limits.batchPercent.contains(percent) else { throw percentOutOfRange("\(percent)%") }
        return .percent(percent)
    }

    /// `2` or `25%`, spaces around it ignored. Digits past what Int64 holds are out of range,
    /// not some other form.
    public static func parse(_ text: some StringProtocol) throws(PolicyError) -> Policy.BatchSize {
        var item = Substring(text)
        while item.first?.isWhitespace == true { item.removeFirst() }
        while item.last?.isWhitespace == true { item.removeLast() }
        let written = String(item)
        if written.hasSuffix("%"), isInteger(written.dropLast()) {
            guard let percent = Int(written.dropLast()) else { throw percentOutOfRange(written) }
            return try percentage(percent)
        }
        if isInteger(written) {
            guard let count = Int(written) else { throw outOfRange(written) }
            return try hosts(count)
        }
        throw PolicyError("\(forms), not '\(written)'")
    }

    /// A sign and decimal digits.
    static func isInteger(_ text: some StringProtocol) -> Bool {
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : text[...]
        return !digits.isEmpty && digits.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
    }

    static func outOfRange(_ written: String) -> PolicyError {
        PolicyError("a batch size must be a whole number from \(Limits.spelled(Limits.batchHosts)) (got \(written))")
    }

    static func percentOutOfRange(_ written: String) -> PolicyError {
        PolicyError("a batch percentage must be from 1% to 100% (got \(written))")
    }

    /// `2`, `25%`, or a ramp `1,5,25%` whose last size repeats.
    public static func parseList(_ text: String) throws(PolicyError) -> [Policy.BatchSize] {
        var sizes: [Policy.BatchSize] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            sizes.append(try parse(item))
        }
        return sizes
    }
}

extension Policy {
    /// A `max_fail_percentage`, in ``Limits/failPercentage`` (NaN is not). `name` is the
    /// setting as the user wrote it, `'max_fail_percentage'` in a playbook or
    /// `--max-fail-percentage` on a command line; `written`, the value as written.
    public static func maxFailPercentage(_ value: Double, name: String, written: String) throws(PolicyError) -> Double {
        guard Limits.failPercentage.contains(value) else { throw PolicyError("\(name) must be from 0 to 100 (got \(written))") }
        return value
    }
}
