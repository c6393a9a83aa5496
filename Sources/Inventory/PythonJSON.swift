/// JSON text as Python's `json.dumps(value, sort_keys=True, indent=4, ensure_ascii=False)`
/// writes it, which is what `ansible-inventory` prints: the same bytes, so the two outputs
/// can be compared with `diff`.
enum PythonJSON {
    /// The value as JSON, keys sorted by code point, nested levels indented by `indent` spaces.
    static func dumps(_ value: Value, indent: Int = 4) -> String {
        var out: [UInt8] = []
        write(value, level: 0, indent: indent, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    // Written as UTF-8 bytes, which is what the output is made of: appending to a String
    // costs several times more per piece.
    private static func write(_ value: Value, level: Int, indent: Int, to out: inout [UInt8]) {
        switch value {
        case .null: out += "null".utf8
        case let .bool(bool): out += (bool ? "true" : "false").utf8
        case let .int(int): out += String(int).utf8
        case let .double(double): out += PythonFloat.json(double).utf8
        case let .string(string): writeString(string, to: &out)
        // An inline !vault value as its envelope, a string of an encrypted file decrypted.
        case let .vault(vaulted): write(vaulted.ansibleValue, level: level, indent: indent, to: &out)
        case let .list(list):
            guard !list.isEmpty else {
                out += "[]".utf8
                return
            }
            out.append(UInt8(ascii: "["))
            for (index, element) in list.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newLine(indent * (level + 1), to: &out)
                write(element, level: level + 1, indent: indent, to: &out)
            }
            newLine(indent * level, to: &out)
            out.append(UInt8(ascii: "]"))
        case let .map(map):
            guard !map.isEmpty else {
                out += "{}".utf8
                return
            }
            out.append(UInt8(ascii: "{"))
            for (index, key) in sortedKeys(map).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newLine(indent * (level + 1), to: &out)
                writeString(key, to: &out)
                out += ": ".utf8
                write(map[key]!, level: level + 1, indent: indent, to: &out)
            }
            newLine(indent * level, to: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newLine(_ spaces: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: spaces))
    }

    /// Python sorts strings by code point; Swift's `<` compares canonical equivalents equal.
    static func sortedKeys(_ map: [String: Value]) -> [String] {
        map.keys.sorted(by: codePointOrder)
    }

    /// Code point order, which is the order of the UTF-8 bytes.
    static func codePointOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// A JSON string as Python's json.dumps writes it (with ensure_ascii off).
    static func writeString(_ string: String, to out: inout String) {
        var bytes: [UInt8] = []
        writeString(string, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// The same, as UTF-8: quotes, backslashes and the control characters below U+0020
    /// escaped; every other byte as it is.
    static func writeString(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            var start = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                start = index + 1
                switch byte {
                case UInt8(ascii: "\""): out += "\\\"".utf8
                case UInt8(ascii: "\\"): out += "\\\\".utf8
                case UInt8(ascii: "\n"): out += "\\n".utf8
                case UInt8(ascii: "\r"): out += "\\r".utf8
                case UInt8(ascii: "\t"): out += "\\t".utf8
                case 0x08: out += "\\b".utf8
                case 0x0C: out += "\\f".utf8
                default:
                    let hex = String(byte, radix: 16)
                    out += ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Python's text for floats: `repr(x)` and what `json.dumps` writes.
enum PythonFloat {
    /// `repr(x)`: `1.0`, `0.0001`, `1e-05`, `9500000000000000.0`, `1e+16`, `inf`, `nan`.
    static func repr(_ double: Double) -> String {
        format(double, addDotZero: true)
    }

    /// As `json.dumps` writes it: `repr`, but `Infinity`, `-Infinity` and `NaN`.
    static func json(_ double: Double) -> String {
        if double.isNaN { return "NaN" }
        if double.isInfinite { return double < 0 ? "-Infinity" : "Infinity" }
        return repr(double)
    }

    /// `str(complex(real, imag))`: `2j`, `(1+2j)`, `(-0-1j)`.
    static func complexRepr(real: Double, imag: Double) -> String {
        let imagText = format(imag, addDotZero: false)
        if real == 0 && real.sign == .plus {
            return imagText + "j"
        }
        let sign = imag.sign == .minus || imagText.hasPrefix("-") ? "" : "+"
        return "(" + format(real, addDotZero: false) + sign + imagText + "j)"
    }

    /// Python's `float_repr_style = 'short'`: the shortest digits that read back the same,
    /// in fixed notation when the decimal point falls from 4 places left of the digits to
    /// 16 places right of the first, else in exponent notation.
    private static func format(_ double: Double, addDotZero: Bool) -> String {
        if double.isNaN { return "nan" }
        if double.isInfinite { return double < 0 ? "-inf" : "inf" }
        let sign = double.sign == .minus ? "-" : ""
        // Swift's description has the same shortest digits; only the layout differs.
        let text = abs(double).description
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = parts.count == 2 ? Int(parts[1])! : 0
        let mantissa = parts[0].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integerPart = String(mantissa[0])
        var digits = Array(integerPart + (mantissa.count == 2 ? String(mantissa[1]) : ""))
        var point = integerPart.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        if digits.isEmpty { return sign + (addDotZero ? "0.0" : "0") }

        if -4 < point && point <= 16 {
            let body: String
            if point <= 0 {
                body = "0." + String(repeating: "0", count: -point) + String(digits)
            } else if point >= digits.count {
                body = String(digits) + String(repeating: "0", count: point - digits.count) + (addDotZero ? ".0" : "")
            } else {
                body = String(digits[..<point]) + "." + String(digits[point...])
            }
            return sign + body
        }
        let power = point - 1
        let rest = digits.dropFirst()
        let powerText = String(abs(power))
        return sign + String(digits[0]) + (rest.isEmpty ? "" : "." + String(rest))
            + "e" + (power < 0 ? "-" : "+") + (powerText.count < 2 ? "0" : "") + powerText
    }
}
