/// Python's tokenizer, as far as literals need it: numbers, strings, names, punctuation.
extension PythonLiteral {
    enum Token: Equatable {
        case number(PyValue)
        case string(PyValue)
        case name(String)
        case punctuation(Character)
        case ellipsis
        /// Anything else Python has (operators, keywords used as such): never part of a literal.
        case other
    }

    struct Lexer {
        private let scalars: [Unicode.Scalar]
        private var index = 0

        init(_ scalars: [Unicode.Scalar]) {
            self.scalars = scalars
        }

        private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }

        mutating func tokens() throws(Failure) -> [Token] {
            var tokens: [Token] = []
            var level = 0  // brackets open, as CPython's tokenizer counts them
            while let scalar = peek() {
                switch scalar {
                case " ", "\t", "\u{0C}":
                    index += 1
                case "#":
                    return tokens  // a comment, to the end of the line
                case "0"..."9":
                    tokens.append(.number(try number()))
                case ".":
                    if let next = peek(1), ("0"..."9").contains(next) {
                        tokens.append(.number(try number()))
                    } else if peek(1) == ".", peek(2) == "." {
                        index += 3
                        tokens.append(.ellipsis)
                    } else {
                        throw .notLiteral
                    }
                case "'", "\"":
                    tokens.append(.string(try string(prefix: "")))
                case "(", "[", "{":
                    // CPython's tokenizer: "too many nested parentheses", a SyntaxError, so
                    // Ansible keeps the text; it also bounds the parser's recursion.
                    guard level < PythonLiteral.maximumNesting else { throw .notLiteral }
                    level += 1
                    index += 1
                    tokens.append(.punctuation(Character(scalar)))
                case ")", "]", "}":
                    level = max(0, level - 1)
                    index += 1
                    tokens.append(.punctuation(Character(scalar)))
                case ",", ":", "+", "-":
                    index += 1
                    tokens.append(.punctuation(Character(scalar)))
                case _ where Self.startsName(scalar):
                    let start = index
                    while let next = peek(), Self.continuesName(next) { index += 1 }
                    let name = String(String.UnicodeScalarView(scalars[start..<index]))
                    if let quote = peek(), quote == "'" || quote == "\"",
                       ["r", "u", "b", "br", "rb", "f", "fr", "rf"].contains(name.lowercased())
                    {
                        tokens.append(.string(try string(prefix: name.lowercased())))
                    } else {
                        tokens.append(.name(name))
                    }
                default:
                    tokens.append(.other)
                    index += 1
                }
            }
            return tokens
        }

        static func startsName(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "_" || scalar.properties.isXIDStart
        }

        static func continuesName(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "_" || scalar.properties.isXIDContinue
        }

        // MARK: Numbers

        /// Digits in `radix`, single underscores allowed between them; at least one digit.
        private mutating func digits(radix: Int, allowLeadingUnderscore: Bool = false) throws(Failure) -> String {
            var text = ""
            func isDigit(_ scalar: Unicode.Scalar?) -> Bool {
                guard let scalar, scalar.isASCII, let value = Character(scalar).hexDigitValue else { return false }
                return value < radix
            }
            if allowLeadingUnderscore, peek() == "_", isDigit(peek(1)) { index += 1 }
            guard isDigit(peek()) else { throw .notLiteral }
            while true {
                if isDigit(peek()) {
                    text.unicodeScalars.append(peek()!)
                    index += 1
                } else if peek() == "_" {
                    guard isDigit(peek(1)) else { throw .notLiteral }
                    index += 1
                } else {
                    return text
                }
            }
        }

        private mutating func number() throws(Failure) -> PyValue {
            let value: PyValue
            if peek() == "0", let marker = peek(1), let radix = ["x": 16, "X": 16, "o": 8, "O": 8, "b": 2, "B": 2][marker] {
                index += 2
                let text = try digits(radix: radix, allowLeadingUnderscore: true)
                value = Int(text, radix: radix).map(PyValue.int) ?? .bigInt(Self.decimal(text, radix: radix))
            } else {
                var integerPart = ""
                if peek() != "." { integerPart = try digits(radix: 10) }
                var fraction: String?
                var exponent: String?
                if peek() == "." {
                    index += 1
                    fraction = ""
                    if let next = peek(), ("0"..."9").contains(next) { fraction = try digits(radix: 10) }
                }
                if let e = peek(), e == "e" || e == "E" {
                    var sign = ""
                    var offset = 1
                    if let s = peek(1), s == "+" || s == "-" {
                        sign = String(s)
                        offset = 2
                    }
                    guard let digit = peek(offset), ("0"..."9").contains(digit) else { throw .notLiteral }
                    index += offset
                    exponent = sign + (try digits(radix: 10))
                }
                let isImaginary = peek() == "j" || peek() == "J"
                if isImaginary { index += 1 }
                if fraction != nil || exponent != nil || isImaginary {
                    var text = integerPart.isEmpty ? "0" : integerPart
                    if let fraction { text += "." + (fraction.isEmpty ? "0" : fraction) }
                    if let exponent { text += "e" + exponent }
                    guard let double = Double(text) else { throw .notLiteral }
                    value = isImaginary ? .complex(real: 0, imag: double) : .float(double)
                } else {
                    // Python refuses `010` (leading zeros) but takes `00`.
                    if integerPart.count > 1, integerPart.hasPrefix("0"), integerPart.contains(where: { $0 != "0" }) {
                        throw .notLiteral
                    }
                    value = Int(integerPart).map(PyValue.int) ?? .bigInt(integerPart)
                }
            }
            // `1abc`, `1_`, `0x1g`: "invalid decimal literal".
            if let next = peek(), Self.continuesName(next) || next == "." { throw .notLiteral }
            return value
        }

        /// `text` in `radix`, in decimal: for messages about integers too large to hold.
        private static func decimal(_ text: String, radix: Int) -> String {
            var digits: [Int] = [0]  // little-endian base 10
            for character in text {
                var carry = character.hexDigitValue!
                for i in digits.indices {
                    let product = digits[i] * radix + carry
                    digits[i] = product % 10
                    carry = product / 10
                }
                while carry > 0 {
                    digits.append(carry % 10)
                    carry /= 10
                }
            }
            return String(digits.reversed().map { Character(String($0)) })
        }

        // MARK: Strings

        private mutating func string(prefix: String) throws(Failure) -> PyValue {
            let quote = peek()!
            let isRaw = prefix.contains("r")
            let isBytes = prefix.contains("b")
            let isFormatted = prefix.contains("f")
            let isTriple = peek(1) == quote && peek(2) == quote
            index += isTriple ? 3 : 1
            var body: [Unicode.Scalar] = []
            while true {
                guard let scalar = peek() else { throw .notLiteral }  // no closing quote
                if scalar == quote && (!isTriple || (peek(1) == quote && peek(2) == quote)) {
                    index += isTriple ? 3 : 1
                    break
                }
                if scalar == "\\" {
                    guard let next = peek(1) else { throw .notLiteral }
                    body += [scalar, next]
                    index += 2
                } else {
                    body.append(scalar)
                    index += 1
                }
            }
            if isFormatted { throw .notLiteral }  // an f-string is a JoinedStr, not a constant
            if isBytes {
                guard body.allSatisfy(\.isASCII) else { throw .notLiteral }
                let bytes = body.map { UInt8($0.value) }
                return .bytes(isRaw ? bytes : try Self.unescape(bytes: bytes))
            }
            return .str(isRaw ? String(String.UnicodeScalarView(body)) : try Self.unescape(body))
        }

        private static func hexValue(_ scalars: ArraySlice<Unicode.Scalar>) -> UInt32? {
            guard scalars.allSatisfy({ $0.isASCII && Character($0).isHexDigit }) else { return nil }
            return UInt32(String(String.UnicodeScalarView(scalars)), radix: 16)
        }

        /// Python's escapes in a string literal; an unknown one keeps its backslash.
        private static func unescape(_ body: [Unicode.Scalar]) throws(Failure) -> String {
            var out = String.UnicodeScalarView()
            var i = 0
            func append(_ value: UInt32) throws(Failure) {
                guard let scalar = Unicode.Scalar(value) else {
                    throw .unsupported("the escape makes a lone surrogate, which is not text")
                }
                out.append(scalar)
            }
            while i < body.count {
                guard body[i] == "\\", i + 1 < body.count else {
                    out.append(body[i])
                    i += 1
                    continue
                }
                let next = body[i + 1]
                i += 2
                switch next {
                case "\\", "'", "\"": out.append(next)
                case "a": out.append("\u{07}")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "v": out.append("\u{0B}")
                case "0"..."7":
                    var value = next.value - 48
                    var count = 1
                    while count < 3, i < body.count, ("0"..."7").contains(body[i]) {
                        value = value * 8 + body[i].value - 48
                        i += 1
                        count += 1
                    }
                    try append(value)
                case "x", "u", "U":
                    let width = next == "x" ? 2 : next == "u" ? 4 : 8
                    guard i + width <= body.count, let value = hexValue(body[i..<i + width]) else { throw .notLiteral }
                    guard value <= 0x10FFFF else { throw .notLiteral }
                    i += width
                    try append(value)
                case "N":
                    throw .unsupported("\\N{...} escapes (characters by name) are not supported; write the character itself")
                default:
                    out.append("\\")
                    out.append(next)
                }
            }
            return String(out)
        }

        /// Python's escapes in a bytes literal (no `\u`, `\U` or `\N` there).
        private static func unescape(bytes body: [UInt8]) throws(Failure) -> [UInt8] {
            var out: [UInt8] = []
            var i = 0
            let escapes: [UInt8: UInt8] = [
                UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "'"): 0x27, UInt8(ascii: "\""): 0x22, UInt8(ascii: "a"): 0x07,
                UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D,
                UInt8(ascii: "t"): 0x09, UInt8(ascii: "v"): 0x0B,
            ]
            func isOctal(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) }
            while i < body.count {
                guard body[i] == UInt8(ascii: "\\"), i + 1 < body.count else {
                    out.append(body[i])
                    i += 1
                    continue
                }
                let next = body[i + 1]
                i += 2
                if let escaped = escapes[next] {
                    out.append(escaped)
                } else if isOctal(next) {
                    var value = Int(next) - 48
                    var count = 1
                    while count < 3, i < body.count, isOctal(body[i]) {
                        value = value * 8 + Int(body[i]) - 48
                        i += 1
                        count += 1
                    }
                    guard value <= 255 else { throw .notLiteral }
                    out.append(UInt8(value))
                } else if next == UInt8(ascii: "x") {
                    guard i + 2 <= body.count, let value = UInt8(String(decoding: body[i..<i + 2], as: UTF8.self), radix: 16) else {
                        throw .notLiteral
                    }
                    out.append(value)
                    i += 2
                } else {
                    out += [UInt8(ascii: "\\"), next]
                }
            }
            return out
        }
    }
}
