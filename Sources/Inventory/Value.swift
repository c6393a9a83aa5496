/// A variable's value: what YAML (and JSON) can hold.
///
/// Maps are unordered here; everything that prints or encodes one sorts its keys,
/// so output is the same on every run (as `ansible-inventory --list` sorts them).
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([Value])
    case map([String: Value])
    /// A string that came out of ansible-vault (see ``VaultedString``): it reads as its
    /// plaintext, and every output but `inventory --list` shows it as `(secret)`.
    case vault(VaultedString)
}

// MARK: - Reading

extension Value {
    /// The text of a string, or nil for any other kind of value.
    public var stringValue: String? {
        switch self {
        case let .string(string): string
        case let .vault(vaulted): vaulted.plaintext
        default: nil
        }
    }

    /// An integer, or nil for any other kind of value (a string of digits is not an integer).
    public var intValue: Int? {
        if case let .int(int) = self { return int }
        return nil
    }

    /// A number as a Double: doubles, and integers converted.
    public var doubleValue: Double? {
        switch self {
        case let .double(double): double
        case let .int(int): Double(int)
        default: nil
        }
    }

    /// A boolean, or nil for any other kind of value.
    public var boolValue: Bool? {
        if case let .bool(bool) = self { return bool }
        return nil
    }

    /// The elements of a list, or nil.
    public var listValue: [Value]? {
        if case let .list(list) = self { return list }
        return nil
    }

    /// The entries of a map, or nil.
    public var mapValue: [String: Value]? {
        if case let .map(map) = self { return map }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// A map's entry, or nil (also when this is not a map).
    public subscript(key: String) -> Value? {
        mapValue?[key]
    }

    /// A list's element, or nil when out of range or not a list.
    public subscript(index: Int) -> Value? {
        guard let list = listValue, list.indices.contains(index) else { return nil }
        return list[index]
    }

    /// What the value is, for messages: "a string", "a list", ...
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .vault: "a vault-encrypted string"
        case .list: "a list"
        case .map: "a mapping"
        }
    }
}

// MARK: - Rendering

extension Value: CustomStringConvertible {
    /// The value as text for a template: a string as is, numbers and booleans as YAML
    /// and JSON write them (`42`, `1.5`, `true`), null as `null`, and lists and maps as
    /// JSON with sorted keys (`["a", 1]`, `{"k": "v"}`).
    public var description: String {
        stringValue ?? json
    }

    /// The value as JSON text, on one line, maps with sorted keys.
    public var json: String {
        var out = ""
        writeJSON(to: &out)
        return out
    }

    private func writeJSON(to out: inout String) {
        switch self {
        case .null: out += "null"
        case let .bool(bool): out += bool ? "true" : "false"
        case let .int(int): out += String(int)
        case let .double(double): out += Value.render(double)
        case let .string(string): Value.writeQuoted(string, to: &out)
        case let .vault(vaulted): Value.writeQuoted(vaulted.plaintext, to: &out)
        case let .list(list):
            out += "["
            for (index, element) in list.enumerated() {
                if index > 0 { out += ", " }
                element.writeJSON(to: &out)
            }
            out += "]"
        case let .map(map):
            out += "{"
            for (index, key) in map.keys.sorted().enumerated() {
                if index > 0 { out += ", " }
                Value.writeQuoted(key, to: &out)
                out += ": "
                map[key]!.writeJSON(to: &out)
            }
            out += "}"
        }
    }

    /// `1.0`, `0.5`, `1e+20`; infinities and NaN as YAML writes them, since JSON has none.
    private static func render(_ double: Double) -> String {
        if double.isNaN { return ".nan" }
        if double.isInfinite { return double < 0 ? "-.inf" : ".inf" }
        return double.description
    }

    private static func writeQuoted(_ string: String, to out: inout String) {
        PythonJSON.writeString(string, to: &out)
    }
}

// MARK: - Codable

/// As JSON: `Value.json`, or a `JSONEncoder` (set `.sortedKeys` for the same output on every run).
extension Value: Codable {
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case let .map(map):
            var container = encoder.singleValueContainer()
            try container.encode(map)
        case let .list(list):
            var container = encoder.unkeyedContainer()
            for element in list { try container.encode(element) }
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case let .bool(bool):
            var container = encoder.singleValueContainer()
            try container.encode(bool)
        case let .int(int):
            var container = encoder.singleValueContainer()
            try container.encode(int)
        case let .double(double):
            var container = encoder.singleValueContainer()
            try container.encode(double)
        case let .string(string):
            var container = encoder.singleValueContainer()
            try container.encode(string)
        case let .vault(vaulted):
            // As `ansible-inventory --list` shows it.
            try vaulted.ansibleValue.encode(to: encoder)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? container.decode(Int.self) {
            self = .int(int)
        } else if let double = try? container.decode(Double.self) {
            self = .double(double)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let list = try? container.decode([Value].self) {
            self = .list(list)
        } else {
            self = .map(try container.decode([String: Value].self))
        }
    }
}

// MARK: - Literals

// (No dictionary literals: the protocol's associated type `Value` would clash with this type's name.)
extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
}
