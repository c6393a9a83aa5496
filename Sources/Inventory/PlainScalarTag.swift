import Yams

/// The tag of a plain (unquoted, untagged) YAML scalar, found by hand as `Resolver.ansible`
/// finds it with its regular expressions (PyYAML's YAML 1.1 implicit resolvers, as Ansible
/// uses them): bool, int, float, merge, null, timestamp, value, else str, the first rule that
/// matches the whole text winning.
///
/// Yams runs up to seven `NSRegularExpression`s per scalar, which took half the time of
/// loading a large YAML inventory. Text of printable ASCII and tabs is matched here; any
/// other text (rare in a plain scalar) goes to the regular expressions, whose idea of `$`
/// and of line ends this need not copy.
enum PlainScalarTag {
    static func of(_ text: String) -> Tag.Name {
        // Every rule starts with one of these (or matches nothing but an empty text or a
        // line break, which the regular expressions see below): text of printable ASCII
        // starting with anything else is a string, as most names and values are.
        if let first = text.utf8.first, first == 0x09 || (0x20...0x7E).contains(first), !ruleStarts.contains(first) {
            return .str
        }
        var text = text
        let found: Tag.Name?? = text.withUTF8 { bytes in
            guard bytes.allSatisfy({ $0 == 0x09 || (0x20...0x7E).contains($0) }) else { return nil }
            return .some(tag(Scanner(bytes: bytes)))
        }
        if let found { return found ?? .str }
        return Resolver.ansible.resolveTag(of: Node.scalar(Node.Scalar(text)))
    }

    /// The characters the rules' texts can start with.
    private static let ruleStarts = Set("0123456789+-.~<=yYnNtTfFoO".utf8)

    private static let booleans: Set<String> = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
    ]
    private static let nulls: Set<String> = ["~", "null", "Null", "NULL", ""]

    private static func tag(_ text: Scanner) -> Tag.Name? {
        let string = text.string
        if booleans.contains(string) { return .bool }
        if isInt(text) { return .int }
        if isFloat(text) { return .float }
        if string == "<<" { return .merge }
        if nulls.contains(string) { return .null }
        if isTimestamp(text) { return .timestamp }
        if string == "=" { return .value }
        return nil
    }

    /// `[-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(?:0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+ |
    /// [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+`
    private static func isInt(_ text: Scanner) -> Bool {
        var s = text
        s.skipSign()
        let body = s
        if s.skip("0b") { return s.skipAll(\.isBinaryOrUnderscore) > 0 && s.atEnd }
        if s.skip("0x") { return s.skipAll(\.isHexOrUnderscore) > 0 && s.atEnd }
        if s.skip("0") { return s.atEnd || (s.skipAll(\.isOctalOrUnderscore) > 0 && s.atEnd) }
        s = body
        guard s.skipOne(\.isNonZeroDigit) else { return false }
        s.skipAll(\.isDigitOrUnderscore)
        if s.atEnd { return true }
        return s.skipSexagesimalGroups() && s.atEnd
    }

    /// `[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)? | \.[0-9_]+(?:[eE][-+][0-9]+)? |
    /// [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)`
    private static func isFloat(_ text: Scanner) -> Bool {
        var s = text
        if ["nan", "NaN", "NAN"].contains(where: { text.string == "." + $0 }) { return true }
        if text.string.first == ".", s.skip("."), s.skipAll(\.isDigitOrUnderscore) > 0 {
            return s.atEnd || (s.skipExponent() && s.atEnd)
        }
        s = text
        s.skipSign()
        let body = s
        if s.skip("."), ["inf", "Inf", "INF"].contains(s.rest) { return true }
        s = body
        guard s.skipOne(\.isDigit) else { return false }
        s.skipAll(\.isDigitOrUnderscore)
        let afterDigits = s
        if s.skip(".") {
            s.skipAll(\.isDigitOrUnderscore)
            if s.atEnd || (s.skipExponent() && s.atEnd) { return true }
        }
        s = afterDigits
        guard s.skipSexagesimalGroups(), s.skip(".") else { return false }
        s.skipAll(\.isDigitOrUnderscore)
        return s.atEnd
    }

    /// `[0-9]{4}-[0-9]{2}-[0-9]{2} | [0-9]{4}-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?
    /// :[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9]{2})?))?`
    private static func isTimestamp(_ text: Scanner) -> Bool {
        var s = text
        guard s.skipDigits(4...4), s.skip("-"), s.skipDigits(1...2), s.skip("-"), s.skipDigits(1...2) else { return false }
        if s.atEnd { return text.count == 10 }
        if !s.skipOne({ $0 == UInt8(ascii: "T") || $0 == UInt8(ascii: "t") }) {
            guard s.skipAll(\.isBlank) > 0 else { return false }
        }
        guard s.skipDigits(1...2), s.skip(":"), s.skipDigits(2...2), s.skip(":"), s.skipDigits(2...2) else { return false }
        if s.skip(".") { s.skipAll(\.isDigit) }
        if s.atEnd { return true }
        s.skipAll(\.isBlank)
        if s.skip("Z") { return s.atEnd }
        guard s.skipSign(), s.skipDigits(1...2) else { return false }
        if s.atEnd { return true }
        return s.skip(":") && s.skipDigits(2...2) && s.atEnd
    }
}

/// A position in ASCII text, moved forward by what it skips.
private struct Scanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }
    var rest: String { String(decoding: UnsafeBufferPointer(rebasing: bytes[index...]), as: UTF8.self) }
    var count: Int { bytes.count }
    var atEnd: Bool { index == bytes.count }

    mutating func skip(_ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard bytes.count - index >= length else { return false }
        for offset in 0..<length where bytes[index + offset] != literal.utf8Start[offset] { return false }
        index += length
        return true
    }

    mutating func skipOne(_ matches: (UInt8) -> Bool) -> Bool {
        guard index < bytes.count, matches(bytes[index]) else { return false }
        index += 1
        return true
    }

    @discardableResult
    mutating func skipAll(_ matches: (UInt8) -> Bool) -> Int {
        let start = index
        while index < bytes.count, matches(bytes[index]) { index += 1 }
        return index - start
    }

    @discardableResult
    mutating func skipSign() -> Bool {
        skipOne { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }
    }

    /// Between `count.lowerBound` and `count.upperBound` digits, as many as there are.
    mutating func skipDigits(_ count: ClosedRange<Int>) -> Bool {
        let start = index
        while index < bytes.count, index - start < count.upperBound, bytes[index].isDigit { index += 1 }
        return count.contains(index - start)
    }

    /// `[eE][-+][0-9]+`
    mutating func skipExponent() -> Bool {
        skipOne { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } && skipSign() && skipAll(\.isDigit) > 0
    }

    /// `(?::[0-5]?[0-9])+`: one or more groups; nothing is skipped if there is none.
    mutating func skipSexagesimalGroups() -> Bool {
        var groups = 0
        while true {
            let start = index
            guard skip(":") else { break }
            let digits = skipAll(\.isDigit)
            let valid = digits == 1 || (digits == 2 && bytes[index - 2] <= UInt8(ascii: "5"))
            guard valid else {
                index = start
                break
            }
            groups += 1
        }
        return groups > 0
    }
}

private extension UInt8 {
    var isDigit: Bool { (0x30...0x39).contains(self) }
    var isNonZeroDigit: Bool { (0x31...0x39).contains(self) }
    var isDigitOrUnderscore: Bool { isDigit || self == 0x5F }
    var isBinaryOrUnderscore: Bool { self == 0x30 || self == 0x31 || self == 0x5F }
    var isOctalOrUnderscore: Bool { (0x30...0x37).contains(self) || self == 0x5F }
    var isHexOrUnderscore: Bool {
        isDigitOrUnderscore || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
    var isBlank: Bool { self == 0x20 || self == 0x09 }
}
