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

    /// A number of hosts: at least 1.
    public static func hosts(_ count: Int) throws(PolicyError) -> Policy.BatchSize {
        guard count >= 1 else { throw PolicyError("a batch size must be at least 1") }
        return .count(count)
    }

    /// A percentage of the play's hosts: from 1 to 100.
    public static func percentage(_ percent: Int) throws(PolicyError) -> Policy.BatchSize {
        guard (1...100).contains(percent) else { throw PolicyError("a batch percentage must be from 1% to 100%") }
        return .percent(percent)
    }

    /// `2` or `25%`, spaces around it ignored.
    public static func parse(_ text: some StringProtocol) throws(PolicyError) -> Policy.BatchSize {
        var item = Substring(text)
        while item.first?.isWhitespace == true { item.removeFirst() }
        while item.last?.isWhitespace == true { item.removeLast() }
        let written = String(item)
        if written.hasSuffix("%"), let percent = Int(written.dropLast()) { return try percentage(percent) }
        if let count = Int(written) { return try hosts(count) }
        throw PolicyError("\(forms), not '\(written)'")
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
    /// A `max_fail_percentage`: from 0 to 100. `name` is the setting as the user wrote it,
    /// `'max_fail_percentage'` in a playbook or `--max-fail-percentage` on a command line.
    public static func maxFailPercentage(_ value: Double, name: String) throws(PolicyError) -> Double {
        guard (0...100).contains(value) else { throw PolicyError("\(name) must be from 0 to 100") }
        return value
    }
}
