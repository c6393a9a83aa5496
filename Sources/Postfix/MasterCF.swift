/// A master.cf service's identity, `name/type` as `postconf -M` writes it: `smtp/inet`,
/// `127.0.0.1:10026/inet`, `cleanup/unix`.
public struct MasterServiceKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The service types master(8) knows.
    public static let types = ["inet", "unix", "unix-dgram", "fifo", "pass"]

    public let name: String
    public let type: String

    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }

    /// Parses `name/type`; the type is what follows the last `/`.
    public init?(_ text: String) {
        guard let slash = text.lastIndex(of: "/") else { return nil }
        let name = String(text[..<slash])
        let type = String(text[text.index(after: slash)...])
        guard !name.isEmpty, !name.contains(where: \.isWhitespace), Self.types.contains(type) else { return nil }
        self.init(name: name, type: type)
    }

    public var description: String { "\(name)/\(type)" }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.description < rhs.description }
}

/// A master.cf file: services found by `name/type`, replaced or removed as `postconf -M`
/// and `postconf -MX` do, everything else kept as written.
public struct MasterCF: Sendable, Hashable, CustomStringConvertible {
    /// One service entry (a logical line: the first line and its `-o ...` continuations).
    public struct Service: Sendable, Hashable {
        public let key: MasterServiceKey
        /// Every field of the logical line: service, type, private, unpriv, chroot, wakeup,
        /// maxproc, command and its arguments.
        public let fields: [String]
        /// Where the entry starts, from 1.
        public let line: Int
    }

    private var lines: ConfigLines

    public init(_ text: String = "") {
        lines = ConfigLines(text)
    }

    public var text: String { lines.text }
    public var description: String { text }

    /// Every service entry in file order.
    public var services: [Service] {
        zip(lines.chunks, lines.startLines).compactMap { chunk, line in
            guard chunk.kind == .entry else { return nil }
            let fields = Self.fields(chunk.logicalText)
            guard fields.count >= 2 else { return nil }
            return Service(key: MasterServiceKey(name: fields[0], type: fields[1]), fields: fields, line: line)
        }
    }

    /// The service with this key, if any.
    public func service(_ key: MasterServiceKey) -> Service? {
        services.first { $0.key == key }
    }

    /// Replaces the entry for `key` with `line` (which may hold continuation lines), or adds it
    /// at the end, as `postconf -M 'name/type = line'` (which also realigns the columns; this
    /// keeps the line as given).
    public mutating func set(_ key: MasterServiceKey, to line: String) {
        let newLines = ConfigLines(line).chunks.flatMap(\.lines)
        var replaced = false
        lines.chunks = lines.chunks.flatMap { chunk -> [ConfigLines.Chunk] in
            guard chunk.kind == .entry, Self.key(of: chunk) == key else { return [chunk] }
            defer { replaced = true }
            return replaced ? [] : [ConfigLines.Chunk(kind: .entry, lines: newLines + chunk.interiorTrivia)]
        }
        if !replaced { lines.chunks.append(.init(kind: .entry, lines: newLines)) }
    }

    /// Removes the entry for `key` with its continuation lines, as `postconf -MX name/type`
    /// (comments among them stay). Returns whether there was one.
    @discardableResult
    public mutating func remove(_ key: MasterServiceKey) -> Bool {
        var removed = false
        lines.chunks = lines.chunks.flatMap { chunk -> [ConfigLines.Chunk] in
            guard chunk.kind == .entry, Self.key(of: chunk) == key else { return [chunk] }
            removed = true
            let kept = chunk.interiorTrivia
            return kept.isEmpty ? [] : [ConfigLines.Chunk(kind: .trivia, lines: kept)]
        }
        return removed
    }

    /// Applies a master.cf edit; main.cf edits are ignored.
    public mutating func apply(_ edit: PostconfEdit) {
        switch edit {
        case let .setService(key, line): set(key, to: line)
        case let .removeService(key): remove(key)
        case .set, .remove: break
        }
    }

    /// The whitespace-separated fields of a master.cf line, split where Postfix splits them:
    /// at the bytes space, tab, CR and LF (no byte of a multi-byte UTF-8 character is one of
    /// them). Read as bytes, not Characters: a run reads every line of every instance's
    /// master.cf this way, and on 249 hosts the Character-by-Character split was a tenth
    /// of the controller's CPU.
    public static func fields(_ line: String) -> [String] {
        line.utf8.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A })
            .map { String(Substring($0)) }
    }

    /// Why `line` cannot be the master.cf entry for `key`, or nil when it can: it needs the
    /// eight fields of master.cf(5) and must start with the key's service name and type.
    public static func lineProblem(_ line: String, for key: MasterServiceKey) -> String? {
        let fields = fields(line)
        guard fields.count >= 2, fields[0] == key.name, fields[1] == key.type else {
            let start = fields.prefix(2).joined(separator: " ")
            return "the line for '\(key)' must start with '\(key.name) \(key.type)', not '\(start)'"
        }
        guard fields.count >= 8 else {
            return "a master.cf line has 8 fields (service type private unpriv chroot wakeup maxproc command), this one has \(fields.count)"
        }
        return nil
    }

    private static func key(of chunk: ConfigLines.Chunk) -> MasterServiceKey? {
        let fields = fields(chunk.logicalText)
        return fields.count >= 2 ? MasterServiceKey(name: fields[0], type: fields[1]) : nil
    }
}
