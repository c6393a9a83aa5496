extension MasterCF {
    /// One `-o name=value` (or `-o { name = value }`, Postfix 3.0) of a service line.
    public struct Option: Sendable, Equatable {
        public let name: String
        public let value: String
        /// The fields it takes, `-o` included.
        public let fields: Range<Int>
    }

    /// The parameter overrides among a service line's `fields`, in order: `-o name=value`,
    /// `-oname=value` and `-o { name = value with spaces }`.
    public static func options(_ fields: [String]) -> [Option] {
        var options: [Option] = []
        var i = 0
        while i < fields.count {
            let start = i
            var text: String
            if fields[i] == "-o", i + 1 < fields.count {
                i += 1
                text = fields[i]
            } else if fields[i].hasPrefix("-o"), fields[i].count > 2 {
                text = String(fields[i].dropFirst(2))
            } else {
                i += 1
                continue
            }
            if text.hasPrefix("{") {
                while !text.hasSuffix("}"), i + 1 < fields.count {
                    i += 1
                    text += " " + fields[i]
                }
                text = String(text.dropFirst().dropLast(text.hasSuffix("}") ? 1 : 0))
            }
            i += 1
            guard let equals = text.firstIndex(of: "=") else { continue }
            let name = text[..<equals].trimmingSpaces, value = text[text.index(after: equals)...].trimmingSpaces
            options.append(Option(name: name, value: value, fields: start..<i))
        }
        return options
    }

    /// `fields` with the value of each option `hide` picks written as `mask`: `-o name=mask`.
    public static func masking(_ fields: [String], as mask: String, where hide: (Option) -> Bool) -> [String] {
        var out: [String] = []
        var next = 0
        for option in options(fields) where hide(option) {
            out += fields[next..<option.fields.lowerBound]
            out += ["-o", "\(option.name)=\(mask)"]
            next = option.fields.upperBound
        }
        return out + fields[next...]
    }
}

extension StringProtocol {
    /// Without the spaces and tabs at either end.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
