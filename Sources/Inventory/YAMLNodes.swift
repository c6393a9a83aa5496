import Foundation
import Yams

/// Reading Yams nodes the way PyYAML (and so Ansible) reads them.
///
/// A node's meaning depends on its source (``SourceText/isTagFree``): see
/// ``Node/Scalar/tagName(in:)``.
extension Node {
    /// A plain `~`, `null`, empty value and the like.
    func isNull(in source: SourceText) -> Bool {
        if case let .scalar(scalar) = self { return scalar.tagName(in: source) == .null }
        return false
    }

    /// "a list", "a mapping", "a string", ... for messages.
    func kindDescription(in source: SourceText) -> String {
        switch self {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case let .scalar(scalar):
            switch scalar.tagName(in: source) {
            case .null: "empty"
            case .bool: "a boolean"
            case .int: "an integer"
            case .float: "a number"
            default: "a string"
            }
        }
    }

    /// The pairs of a mapping with YAML merge keys (`<<: *defaults`) applied as PyYAML does:
    /// merged pairs first, then the mapping's own; a later key overrides an earlier one but
    /// keeps the earlier one's place.
    package func mergedPairs(in source: SourceText) throws(SourceError) -> [(key: Node, value: Node)] {
        guard case let .mapping(mapping) = self else { return [] }
        var merged: [(key: Node, value: Node)] = []
        var own: [(key: Node, value: Node)] = []
        for (key, value) in mapping {
            // Only `<<` resolves to a merge key, unless a tag says so (`!!merge`).
            guard case let .scalar(scalar) = key, scalar.string == "<<" || !source.isTagFree,
                  scalar.tagName(in: source) == .merge else {
                own.append((key, value))
                continue
            }
            switch value {
            case .mapping:
                merged += try value.mergedPairs(in: source)
            case let .sequence(sequence):
                // Earlier mappings in the list win, so they go last.
                for element in sequence.reversed() {
                    guard case .mapping = element else {
                        throw source.error("a merge key '<<' takes a mapping or a list of mappings, not \(element.kindDescription(in: source))", at: element)
                    }
                    merged += try element.mergedPairs(in: source)
                }
            default:
                throw source.error("a merge key '<<' takes a mapping or a list of mappings, not \(value.kindDescription(in: source))", at: value)
            }
        }
        // Yams refused a mapping with a key twice: without merge keys, nothing overrides.
        if merged.isEmpty { return own }
        var result: [(key: Node, value: Node)] = []
        var position: [MappingKey: Int] = [:]
        for pair in merged + own {
            let key = MappingKey(pair.key, in: source)
            if let index = position[key] {
                result[index].value = pair.value
            } else {
                position[key] = result.count
                result.append(pair)
            }
        }
        return result
    }
}

/// A mapping key as YAML compares keys: a scalar by its text and tag, anything else as Yams does.
private enum MappingKey: Hashable {
    case scalar(String, Tag.Name)
    case node(Node)

    init(_ node: Node, in source: SourceText) {
        if case let .scalar(scalar) = node {
            self = .scalar(scalar.string, scalar.tagName(in: source))
        } else {
            self = .node(node)
        }
    }
}

extension Node.Scalar {
    /// The tag, resolved as Ansible's YAML loader resolves it.
    ///
    /// A plain scalar Yams has not resolved yet (its tag is still empty) is resolved by hand
    /// (``PlainScalarTag``), and so is every plain scalar of a text without any `!` (no
    /// explicit tag anywhere), which ``SourceText/composeAnsibleYAML()`` composes without
    /// resolving (Yams then calls every plain key a string). Any other scalar has the tag Yams
    /// gives it.
    func tagName(in source: SourceText) -> Tag.Name {
        let composed = tag.rawValue
        if style == .plain && (composed.isEmpty || (source.isTagFree && composed == Tag.Name.str.rawValue)) {
            return PlainScalarTag.of(string)
        }
        return Tag.Name(rawValue: Node.scalar(self).tag.rawValue)
    }
}

extension Value {
    /// The value of a YAML node as PyYAML constructs it: booleans, integers (with `0x`, `0b`,
    /// octal `010` and `1:30` sexagesimal forms), floats, null, strings, lists and maps.
    package init(yaml node: Node, in source: SourceText) throws(SourceError) {
        switch node {
        case let .scalar(scalar):
            self = try Value.scalar(scalar, node: node, in: source)
        case let .sequence(sequence):
            var list: [Value] = []
            for element in sequence { list.append(try Value(yaml: element, in: source)) }
            self = .list(list)
        case .mapping:
            var map: [String: Value] = [:]
            for (key, value) in try node.mergedPairs(in: source) {
                map[try Value.key(key, in: source)] = try Value(yaml: value, in: source)
            }
            self = .map(map)
        case let .alias(alias):
            throw source.error("unresolved YAML alias '*\(alias.anchor.rawValue)'", at: node)
        }
    }

    /// A mapping key as text: `1:` is "1", as in JSON.
    static func key(_ node: Node, in source: SourceText) throws(SourceError) -> String {
        guard case .scalar = node else {
            throw source.error("a mapping key must be a plain value, not \(node.kindDescription(in: source))", at: node)
        }
        return try Value(yaml: node, in: source).description
    }

    private static func scalar(_ scalar: Node.Scalar, node: Node, in source: SourceText) throws(SourceError) -> Value {
        let text = scalar.string
        switch scalar.tagName(in: source) {
        case .null:
            return .null
        case .bool:
            switch text.lowercased() {
            case "yes", "true", "on": return .bool(true)
            case "no", "false", "off": return .bool(false)
            default: throw source.error("'\(text)' is not a boolean; write true or false", at: node)
            }
        case .int:
            switch parseInt(text) {
            case let .value(int): return .int(int)
            case .tooLarge: throw source.error("the integer \(text) is too large", at: node)
            case .invalid: throw source.error("'\(text)' is not an integer", at: node)
            }
        case .float:
            guard let double = parseFloat(text) else { throw source.error("'\(text)' is not a number", at: node) }
            return .double(double)
        case .str, .nonSpecific, .timestamp, .binary, .value, .merge, "!unsafe":
            return .string(text)
        case "!vault":
            return try decryptedVault(text, at: node, in: source)
        case let tag:
            throw source.error("unknown YAML tag '\(tag.rawValue)'", at: node)
        }
    }

    package enum ParsedInt: Equatable {
        case value(Int)
        case tooLarge
        case invalid
    }

    /// PyYAML's `construct_yaml_int`.
    package static func parseInt(_ text: String) -> ParsedInt {
        var digits = Substring(text.replacingOccurrences(of: "_", with: ""))
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        func magnitude(_ digits: Substring, radix: Int) -> ParsedInt {
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.hexDigitValue.map { $0 < radix } == true }) else {
                return .invalid
            }
            return Int(digits, radix: radix).map(ParsedInt.value) ?? .tooLarge
        }
        let result: ParsedInt
        if digits == "0" {
            result = .value(0)
        } else if digits.hasPrefix("0b") {
            result = magnitude(digits.dropFirst(2), radix: 2)
        } else if digits.hasPrefix("0x") {
            result = magnitude(digits.dropFirst(2), radix: 16)
        } else if digits.hasPrefix("0") {
            result = magnitude(digits, radix: 8)
        } else if digits.contains(":") {
            var total = 0
            for part in digits.split(separator: ":", omittingEmptySubsequences: false) {
                guard case let .value(part) = magnitude(part, radix: 10) else { return .invalid }
                let (times60, overflow1) = total.multipliedReportingOverflow(by: 60)
                let (sum, overflow2) = times60.addingReportingOverflow(part)
                if overflow1 || overflow2 { return .tooLarge }
                total = sum
            }
            result = .value(total)
        } else {
            result = magnitude(digits, radix: 10)
        }
        if case let .value(value) = result, negative { return .value(-value) }
        return result
    }

    /// PyYAML's `construct_yaml_float`.
    package static func parseFloat(_ text: String) -> Double? {
        var digits = Substring(text.replacingOccurrences(of: "_", with: "").lowercased())
        var sign = 1.0
        if let first = digits.first, first == "-" || first == "+" {
            if first == "-" { sign = -1 }
            digits = digits.dropFirst()
        }
        if digits == ".inf" { return sign * .infinity }
        if digits == ".nan" { return .nan }
        if digits.contains(":") {
            var total = 0.0
            for part in digits.split(separator: ":", omittingEmptySubsequences: false) {
                guard let part = Double(part) else { return nil }
                total = total * 60 + part
            }
            return sign * total
        }
        return Double(digits).map { sign * $0 }
    }
}
