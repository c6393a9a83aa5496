/// Python's `ast.literal_eval`, which Ansible's INI format applies to every variable value
/// (inline on a host line and in `[group:vars]` alike), with the conversions Ansible makes
/// afterwards: tuples and sets become lists, bytes become text, `...` and complex numbers
/// become their text.
///
/// Whatever is not a Python literal stays the text as written: `yes`, `true`, `010`,
/// `mailhub # relay` and `{a:1}` are strings; `True`, `8080`, `1e3`, `'010'`, `[1, 2]` and
/// `8080 # comment` are not (a comment after a literal is Python's, and goes).
enum PythonLiteral {
    enum Outcome: Equatable {
        /// A literal, as Ansible keeps it.
        case value(Value)
        /// Not a Python literal (or not Python at all): Ansible keeps the text.
        case text
        /// A literal postfleet cannot hold (an integer past 64 bits, a `\N{...}` escape).
        case unsupported(String)
    }

    /// What Ansible makes of `text` as an INI value.
    static func evaluate(_ text: String) -> Outcome {
        var scalars = Array(text.unicodeScalars)
        // literal_eval strips leading spaces and tabs; the tokenizer then refuses NUL.
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        if scalars.contains("\0") { return .text }
        do throws(Failure) {
            var lexer = Lexer(scalars)
            var parser = Parser(tokens: try lexer.tokens())
            let node = try parser.parseTop()
            return .value(try node.literal().ansibleValue())
        } catch {
            switch error {
            case .notLiteral: return .text
            case let .unsupported(message): return .unsupported(message)
            }
        }
    }

    enum Failure: Error, Equatable {
        case notLiteral
        case unsupported(String)
    }

    // MARK: - Values as Python holds them

    indirect enum PyValue: Equatable {
        case none
        case bool(Bool)
        case int(Int)
        /// An integer too large for 64 bits, as its decimal digits (with its sign).
        case bigInt(String)
        case float(Double)
        case complex(real: Double, imag: Double)
        case str(String)
        case bytes([UInt8])
        case ellipsis
        case list([PyValue])
        case set([PyValue])
        case dict([(PyValue, PyValue)])

        static func == (lhs: PyValue, rhs: PyValue) -> Bool {
            switch (lhs, rhs) {
            case (.none, .none), (.ellipsis, .ellipsis): true
            case let (.bool(a), .bool(b)): a == b
            case let (.int(a), .int(b)): a == b
            case let (.bigInt(a), .bigInt(b)): a == b
            case let (.float(a), .float(b)): a == b
            case let (.complex(a, b), .complex(c, d)): a == c && b == d
            case let (.str(a), .str(b)): a == b
            case let (.bytes(a), .bytes(b)): a == b
            case let (.list(a), .list(b)), let (.set(a), .set(b)): a == b
            case let (.dict(a), .dict(b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            default: false
            }
        }

        /// Ansible's `_parse_recursive_coerce_types_and_tag`.
        func ansibleValue() throws(Failure) -> Value {
            switch self {
            case .none: return .null
            case let .bool(bool): return .bool(bool)
            case let .int(int): return .int(int)
            case let .bigInt(digits):
                throw .unsupported("the integer \(digits) is too large; postfleet holds integers up to 64 bits (quote it to keep it as text)")
            case let .float(double): return .double(double)
            case let .complex(real, imag): return .string(PythonFloat.complexRepr(real: real, imag: imag))
            case let .str(string): return .string(string)
            case let .bytes(bytes):
                guard let string = String(validating: bytes, as: UTF8.self) else {
                    throw .unsupported("the bytes literal is not UTF-8 text")
                }
                return .string(string)
            case .ellipsis: return .string("...")
            case let .list(elements):
                var list: [Value] = []
                for element in elements { list.append(try element.ansibleValue()) }
                return .list(list)
            case let .set(elements):
                // Python's order for a set is its hash order; postfleet keeps the written one.
                var list: [Value] = []
                for element in elements {
                    let value = try element.ansibleValue()
                    if !list.contains(value) { list.append(value) }
                }
                return .list(list)
            case let .dict(pairs):
                var map: [String: Value] = [:]
                for (key, value) in pairs { map[try key.jsonKey()] = try value.ansibleValue() }
                return .map(map)
            }
        }

        /// A dictionary key as Python's json module writes it.
        private func jsonKey() throws(Failure) -> String {
            switch self {
            case let .str(string): return string
            case let .int(int): return String(int)
            case let .float(double): return PythonFloat.repr(double)
            case let .bool(bool): return bool ? "true" : "false"
            case .none: return "null"
            default: throw .unsupported("a dictionary key must be a string or a number")
            }
        }
    }

    // MARK: - Tokens

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
                case "(", ")", "[", "]", "{", "}", ",", ":", "+", "-":
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

    // MARK: - Expressions

    /// The expressions literal_eval looks at; anything else is not a literal.
    indirect enum Node {
        case constant(PyValue)
        case tuple([Node])
        case list([Node])
        case set([Node])
        case dict([(Node, Node)])
        case emptySet
        case negative(Node)
        case positive(Node)
        case sum(Node, Node, subtract: Bool)

        /// literal_eval's `_convert`.
        func literal() throws(Failure) -> PyValue {
            switch self {
            case let .constant(value): return value
            case let .tuple(elements), let .list(elements):
                var values: [PyValue] = []
                for element in elements { values.append(try element.literal()) }
                return .list(values)
            case let .set(elements):
                var values: [PyValue] = []
                for element in elements { values.append(try element.literal()) }
                return .set(values)
            case .emptySet:
                return .set([])
            case let .dict(pairs):
                var values: [(PyValue, PyValue)] = []
                for (key, value) in pairs {
                    let key = try key.literal()
                    let value = try value.literal()
                    if let index = values.firstIndex(where: { $0.0 == key }) {
                        values[index].1 = value  // a repeated key keeps its place and takes the later value
                    } else {
                        values.append((key, value))
                    }
                }
                return .dict(values)
            case let .sum(left, right, subtract):
                // Only a real number and an imaginary one: `1+2j`, `-1.5-2j`.
                let left = try left.signedNumber()
                let right = try right.number()
                guard case let .complex(_, imag) = right else { throw .notLiteral }
                let real: Double
                switch left {
                case let .int(int): real = Double(int)
                case let .bigInt(digits): real = Double(digits) ?? .infinity
                case let .float(double): real = double
                default: throw .notLiteral
                }
                return .complex(real: subtract ? real - 0 : real + 0, imag: subtract ? 0 - imag : 0 + imag)
            case .negative, .positive:
                return try signedNumber()
            }
        }

        /// literal_eval's `_convert_num`: an int, float or complex constant (not a bool).
        private func number() throws(Failure) -> PyValue {
            guard case let .constant(value) = self else { throw .notLiteral }
            switch value {
            case .int, .bigInt, .float, .complex: return value
            default: throw .notLiteral
            }
        }

        /// literal_eval's `_convert_signed_num`.
        private func signedNumber() throws(Failure) -> PyValue {
            switch self {
            case let .positive(operand):
                return try operand.number()
            case let .negative(operand):
                switch try operand.number() {
                case let .int(int): return int == .min ? .bigInt("9223372036854775808") : .int(-int)
                case let .bigInt(digits): return digits == "9223372036854775808" ? .int(.min) : .bigInt("-" + digits)
                case let .float(double): return .float(-double)
                case let .complex(real, imag): return .complex(real: -real, imag: -imag)
                default: throw .notLiteral
                }
            default:
                return try number()
            }
        }
    }

    struct Parser {
        var tokens: [Token]
        private var index = 0

        init(tokens: [Token]) {
            self.tokens = tokens
        }

        private var next: Token? { index < tokens.count ? tokens[index] : nil }

        private mutating func take(_ punctuation: Character) -> Bool {
            guard next == .punctuation(punctuation) else { return false }
            index += 1
            return true
        }

        private mutating func expect(_ punctuation: Character) throws(Failure) {
            guard take(punctuation) else { throw .notLiteral }
        }

        /// The whole text: one expression, or several separated by commas (a tuple).
        mutating func parseTop() throws(Failure) -> Node {
            let first = try expression()
            guard take(",") else {
                guard next == nil else { throw .notLiteral }
                return first
            }
            var elements = [first]
            while next != nil {
                elements.append(try expression())
                if !take(",") { break }
            }
            guard next == nil else { throw .notLiteral }
            return .tuple(elements)
        }

        /// A sum or difference of signed terms, left to right.
        private mutating func expression() throws(Failure) -> Node {
            var node = try unary()
            while let token = next, token == .punctuation("+") || token == .punctuation("-") {
                index += 1
                node = .sum(node, try unary(), subtract: token == .punctuation("-"))
            }
            return node
        }

        private mutating func unary() throws(Failure) -> Node {
            if take("-") { return .negative(try unary()) }
            if take("+") { return .positive(try unary()) }
            return try atom()
        }

        private mutating func atom() throws(Failure) -> Node {
            guard let token = next else { throw .notLiteral }
            index += 1
            switch token {
            case let .number(value):
                return .constant(value)
            case var .string(value):
                // Adjacent literals join: 'a' "b" is 'ab'; text and bytes do not mix.
                while case let .string(more) = next {
                    index += 1
                    switch (value, more) {
                    case let (.str(a), .str(b)): value = .str(a + b)
                    case let (.bytes(a), .bytes(b)): value = .bytes(a + b)
                    default: throw .notLiteral
                    }
                }
                return .constant(value)
            case .ellipsis:
                return .constant(.ellipsis)
            case .name("True"): return .constant(.bool(true))
            case .name("False"): return .constant(.bool(false))
            case .name("None"): return .constant(.none)
            case .name("set"):
                try expect("(")
                try expect(")")
                return .emptySet
            case .punctuation("("):
                if take(")") { return .tuple([]) }
                let first = try expression()
                if take(")") { return first }
                try expect(",")
                var elements = [first]
                while !take(")") {
                    elements.append(try expression())
                    if !take(",") {
                        try expect(")")
                        break
                    }
                }
                return .tuple(elements)
            case .punctuation("["):
                var elements: [Node] = []
                while !take("]") {
                    elements.append(try expression())
                    if !take(",") {
                        try expect("]")
                        break
                    }
                }
                return .list(elements)
            case .punctuation("{"):
                if take("}") { return .dict([]) }
                let first = try expression()
                if take(":") {
                    var pairs = [(first, try expression())]
                    while take(",") {
                        if next == .punctuation("}") { break }
                        let key = try expression()
                        try expect(":")
                        pairs.append((key, try expression()))
                    }
                    try expect("}")
                    return .dict(pairs)
                }
                var elements = [first]
                while take(",") {
                    if next == .punctuation("}") { break }
                    elements.append(try expression())
                }
                try expect("}")
                return .set(elements)
            default:
                throw .notLiteral
            }
        }
    }
}
