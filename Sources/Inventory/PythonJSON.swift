/// JSON text as Python's `json.dumps(value, sort_keys=True, indent=4, ensure_ascii=False)`
/// writes it, which is what `ansible-inventory` prints: the same bytes, so the two outputs
/// can be compared with `diff`.
enum PythonJSON {
    /// The value as JSON, keys sorted by code point, nested levels indented by `indent` spaces.
    static func dumps(_ value: Value, indent: Int = 4) -> String {
        var out = ""
        write(value, level: 0, indent: indent, to: &out)
        return out
    }

    private static func write(_ value: Value, level: Int, indent: Int, to out: inout String) {
        switch value {
        case .null: out += "null"
        case let .bool(bool): out += bool ? "true" : "false"
        case let .int(int): out += String(int)
        case let .double(double): out += PythonFloat.json(double)
        case let .string(string): writeString(string, to: &out)
        // An inline !vault value as its envelope, a string of an encrypted file decrypted.
        case let .vault(vaulted): write(vaulted.ansibleValue, level: level, indent: indent, to: &out)
        case let .list(list):
            guard !list.isEmpty else {
                out += "[]"
                return
            }
            out += "["
            for (index, element) in list.enumerated() {
                out += index == 0 ? "\n" : ",\n"
                out += String(repeating: " ", count: indent * (level + 1))
                write(element, level: level + 1, indent: indent, to: &out)
            }
            out += "\n" + String(repeating: " ", count: indent * level) + "]"
        case let .map(map):
            guard !map.isEmpty else {
                out += "{}"
                return
            }
            out += "{"
            for (index, key) in sortedKeys(map).enumerated() {
                out += index == 0 ? "\n" : ",\n"
                out += String(repeating: " ", count: indent * (level + 1))
                writeString(key, to: &out)
                out += ": "
                write(map[key]!, level: level + 1, indent: indent, to: &out)
            }
            out += "\n" + String(repeating: " ", count: indent * level) + "}"
        }
    }

    /// Python sorts strings by code point; Swift's `<` compares canonical equivalents equal.
    static func sortedKeys(_ map: [String: Value]) -> [String] {
        map.keys.sorted(by: codePointOrder)
    }

    static func codePointOrder(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) { $0.value < $1.value }
    }

    /// A JSON string as Python's json.dumps writes it (with ensure_ascii off).
    static func writeString(_ string: String, to out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
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
