/// Python's `json.loads`, which Ansible tries on every variables file before YAML: JSON and
/// YAML read the same text differently here and there (`1e3` is a number in JSON, a string
/// to Ansible's YAML), so a file that is JSON is read as JSON.
///
/// Anything that is not strict JSON (or that postfleet cannot hold, such as an integer past
/// 64 bits) returns nil, and the caller reads the file as YAML, as Ansible would.
struct JSONReader {
    /// A value, and where each entry of a top-level object starts (for errors).
    struct Document {
        let value: Value
        /// For each key of a top-level object: the line and column (from 1) of its value.
        let positions: [String: (line: Int, column: Int)]
    }

    private let bytes: [UInt8]
    private var index = 0
    private var positions: [String: (line: Int, column: Int)] = [:]
    /// How far ``position(of:)`` has counted lines.
    private var counted = (offset: 0, line: 1, column: 1)

    private init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// The document, or nil when `text` is not JSON that Python would load.
    static func read(_ text: String) -> Document? {
        var reader = JSONReader(text)
        guard let value = reader.document() else { return nil }
        return Document(value: value, positions: reader.positions)
    }

    private mutating func document() -> Value? {
        skipSpace()
        guard let value = value(depth: 0) else { return nil }
        skipSpace()
        return index == bytes.count ? value : nil
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func take(_ literal: String) -> Bool {
        let utf8 = Array(literal.utf8)
        guard bytes.count - index >= utf8.count, Array(bytes[index..<index + utf8.count]) == utf8 else { return false }
        index += utf8.count
        return true
    }

    private mutating func value(depth: Int) -> Value? {
        guard depth < 512, let byte = current else { return nil }
        switch byte {
        case UInt8(ascii: "{"): return object(depth: depth)
        case UInt8(ascii: "["): return array(depth: depth)
        case UInt8(ascii: "\""): return string().map(Value.string)
        case UInt8(ascii: "t"): return take("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return take("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return take("null") ? .null : nil
        case UInt8(ascii: "N"): return take("NaN") ? .double(.nan) : nil
        case UInt8(ascii: "I"): return take("Infinity") ? .double(.infinity) : nil
        default: return number()
        }
    }

    private mutating func object(depth: Int) -> Value? {
        index += 1
        var map: [String: Value] = [:]
        skipSpace()
        if current == UInt8(ascii: "}") {
            index += 1
            return .map(map)
        }
        while true {
            skipSpace()
            guard current == UInt8(ascii: "\""), let key = string() else { return nil }
            skipSpace()
            guard current == UInt8(ascii: ":") else { return nil }
            index += 1
            skipSpace()
            let start = index
            guard let value = value(depth: depth + 1) else { return nil }
            if depth == 0 { positions[key] = position(of: start) }
            map[key] = value  // a repeated key: the last one wins, as in Python
            skipSpace()
            if current == UInt8(ascii: ",") {
                index += 1
            } else if current == UInt8(ascii: "}") {
                index += 1
                return .map(map)
            } else {
                return nil
            }
        }
    }

    private mutating func array(depth: Int) -> Value? {
        index += 1
        var list: [Value] = []
        skipSpace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .list(list)
        }
        while true {
            skipSpace()
            guard let value = value(depth: depth + 1) else { return nil }
            list.append(value)
            skipSpace()
            if current == UInt8(ascii: ",") {
                index += 1
            } else if current == UInt8(ascii: "]") {
                index += 1
                return .list(list)
            } else {
                return nil
            }
        }
    }

    private mutating func string() -> String? {
        index += 1
        var scalars = String.UnicodeScalarView()
        var start = index
        func flush(upTo end: Int) -> Bool {
            guard let text = String(validating: bytes[start..<end], as: UTF8.self) else { return false }
            scalars.append(contentsOf: text.unicodeScalars)
            return true
        }
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                guard flush(upTo: index) else { return nil }
                index += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                guard flush(upTo: index) else { return nil }
                index += 1
                guard let escape = current else { return nil }
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    guard var code = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(code) {
                        // A surrogate pair; a lone surrogate is not text postfleet can hold.
                        guard take("\\u"), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { return nil }
                    scalars.append(scalar)
                default:
                    return nil
                }
                start = index
            case 0x00..<0x20:
                return nil  // a control character inside a string (Python's strict mode)
            default:
                index += 1
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard bytes.count - index >= 4,
              let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16),
              bytes[index..<index + 4].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit })
        else { return nil }
        index += 4
        return value
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`, or `-Infinity`.
    private mutating func number() -> Value? {
        let start = index
        if current == UInt8(ascii: "-") {
            index += 1
            if take("Infinity") { return .double(-.infinity) }
        }
        func digits() -> Int {
            let from = index
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
            return index - from
        }
        if current == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return nil
        }
        var isFloat = false
        if current == UInt8(ascii: "."), index + 1 < bytes.count,
           (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index + 1])
        {
            index += 1
            _ = digits()
            isFloat = true
        }
        if let byte = current, byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            let mark = index
            index += 1
            if let sign = current, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
            if digits() == 0 {
                index = mark  // not an exponent: what follows is an error for the caller
            } else {
                isFloat = true
            }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isFloat { return Double(text).map(Value.double) }
        return Int(text).map(Value.int)  // nil past 64 bits: read as YAML, which says so
    }

    /// Line and column of `offset`, counted on from where the previous call left off (the
    /// top-level keys come in order): one pass over the text, however many keys it has.
    private mutating func position(of offset: Int) -> (line: Int, column: Int) {
        if offset < counted.offset { counted = (0, 1, 1) }
        for i in counted.offset..<offset {
            if bytes[i] == 0x0A {
                counted.line += 1
                counted.column = 1
            } else if bytes[i] & 0xC0 != 0x80 {
                // Columns count Unicode scalars: every byte that does not continue a UTF-8 sequence.
                counted.column += 1
            }
        }
        counted.offset = offset
        return (counted.line, counted.column)
    }
}
