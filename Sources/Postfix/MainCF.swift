/// A main.cf file: read, changed one parameter at a time as `postconf -e` and `postconf -X`
/// change it, and written back with everything else (comments, order, layout) untouched.
public struct MainCF: Sendable, Hashable, CustomStringConvertible {
    /// One `name = value` logical line.
    public struct Definition: Sendable, Hashable {
        public let name: String
        /// As Postfix reads it: continuation lines joined, surrounding whitespace removed.
        public let value: String
        /// Where the definition starts, from 1.
        public let line: Int
    }

    /// A logical line that is not `name = value`, which Postfix would reject.
    public struct Malformed: Sendable, Hashable {
        public let line: Int
        public let text: String
    }

    private var lines: ConfigLines

    public init(_ text: String = "") {
        lines = ConfigLines(text)
    }

    /// The file's text, ending with a line break unless empty.
    public var text: String { lines.text }
    public var description: String { text }

    /// Every definition in file order, duplicates included (Postfix uses the last one).
    public var definitions: [Definition] {
        zip(lines.chunks, lines.startLines).compactMap { chunk, line in
            guard chunk.kind == .entry, let (name, value) = Self.split(chunk.logicalText) else { return nil }
            return Definition(name: name, value: value, line: line)
        }
    }

    /// Logical lines that are not `name = value`.
    public var malformed: [Malformed] {
        zip(lines.chunks, lines.startLines).compactMap { chunk, line in
            guard chunk.kind == .entry, Self.split(chunk.logicalText) == nil else { return nil }
            return Malformed(line: line, text: chunk.lines[0])
        }
    }

    /// The parameters set, each once, in order of first definition, with their effective values.
    public var parameters: [(name: String, value: String)] {
        var order: [String] = []
        var values: [String: String] = [:]
        for definition in definitions {
            if values[definition.name] == nil { order.append(definition.name) }
            values[definition.name] = definition.value
        }
        return order.map { ($0, values[$0]!) }
    }

    /// The effective value of `name` (its last definition), or nil when the file does not set it.
    public func value(of name: String) -> String? {
        definitions.last { $0.name == name }?.value
    }

    /// Sets `name` as `postconf -e 'name = value'` does: every definition of it becomes
    /// `name = value` (its continuation lines go, comments among them stay); a new parameter
    /// goes at the end. Like postconf, it writes `name = ` (with the space) for an empty value.
    public mutating func set(_ name: String, to value: String) {
        let line = "\(name) = \(value)"
        var replaced = false
        lines.chunks = lines.chunks.flatMap { chunk -> [ConfigLines.Chunk] in
            guard chunk.kind == .entry, Self.split(chunk.logicalText)?.name == name else { return [chunk] }
            replaced = true
            return [ConfigLines.Chunk(kind: .entry, lines: [line] + chunk.interiorTrivia)]
        }
        if !replaced { lines.chunks.append(.init(kind: .entry, lines: [line])) }
    }

    /// Removes every definition of `name` with its continuation lines, as `postconf -X name`
    /// (comments among them stay). Returns whether there was one.
    @discardableResult
    public mutating func remove(_ name: String) -> Bool {
        var removed = false
        lines.chunks = lines.chunks.flatMap { chunk -> [ConfigLines.Chunk] in
            guard chunk.kind == .entry, Self.split(chunk.logicalText)?.name == name else { return [chunk] }
            removed = true
            let kept = chunk.interiorTrivia
            return kept.isEmpty ? [] : [ConfigLines.Chunk(kind: .trivia, lines: kept)]
        }
        return removed
    }

    /// Applies a main.cf edit; master.cf edits are ignored.
    public mutating func apply(_ edit: PostconfEdit) {
        switch edit {
        case let .set(name, value): set(name, to: value)
        case let .remove(name): remove(name)
        case .setService, .removeService: break
        }
    }

    /// Whether `name` can be a parameter name: letters, digits and `_`.
    public static func isParameterName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy {
            switch $0 {
            case "a"..."z", "A"..."Z", "0"..."9", "_": true
            default: false
            }
        }
    }

    /// `name = value` split as Postfix's `split_nameval()`; nil without `=` or with a bad name.
    static func split(_ logical: String) -> (name: String, value: String)? {
        // ASCII text, as main.cf nearly always is, at its bytes: each is a Character there.
        var logical = logical
        if let split = logical.withUTF8({ Self.asciiSplit($0) }) { return split }
        guard let equals = logical.firstIndex(of: "=") else { return nil }
        let name = ConfigLines.trimmed(logical[..<equals])
        guard isParameterName(name) else { return nil }
        return (name, ConfigLines.trimmed(logical[logical.index(after: equals)...]))
    }

    /// `split` of ASCII text; nil (not `.some(nil)`) for text that is not ASCII.
    private static func asciiSplit(_ bytes: UnsafeBufferPointer<UInt8>) -> (name: String, value: String)?? {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        func trimmed(_ part: Slice<UnsafeBufferPointer<UInt8>>) -> String {
            let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
            guard let first = part.firstIndex(where: { !isSpace($0) }) else { return "" }
            let last = part.lastIndex(where: { !isSpace($0) })!
            return String(decoding: UnsafeBufferPointer(rebasing: part[first...last]), as: UTF8.self)
        }
        guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { return .some(nil) }
        let name = trimmed(bytes[..<equals])
        guard isParameterName(name) else { return .some(nil) }
        return .some((name, trimmed(bytes[(equals + 1)...])))
    }
}
