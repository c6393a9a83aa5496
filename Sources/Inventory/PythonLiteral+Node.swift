/// The expressions literal_eval accepts, and the values they stand for.
extension PythonLiteral {
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
}
