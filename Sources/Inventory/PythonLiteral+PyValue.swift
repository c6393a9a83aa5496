/// Values as Python holds them, and what Ansible keeps of each.
extension PythonLiteral {
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
}
