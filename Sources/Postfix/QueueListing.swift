import Foundation

/// A Postfix queue a message can be listed in by `postqueue -j` (showq(8)).
public enum QueueName: String, Sendable, Hashable, Codable, CodingKeyRepresentable, CaseIterable, Comparable {
    case maildrop, incoming, active, deferred, hold, corrupt

    public static func < (a: QueueName, b: QueueName) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One queue file, as one line of `postqueue -c DIR -j` prints it.
public struct QueuedMessage: Sendable, Hashable, Codable {
    public struct Recipient: Sendable, Hashable, Codable {
        public var address: String
        /// Why delivery was delayed, when showq knows; none while delivery is in progress.
        public var delayReason: String?

        public init(address: String, delayReason: String? = nil) {
            self.address = address
            self.delayReason = delayReason
        }

        enum CodingKeys: String, CodingKey {
            case address
            case delayReason = "delay_reason"
        }
    }

    public var queue: QueueName
    public var id: String
    /// Seconds since the UNIX epoch.
    public var arrivalTime: Int64
    /// Bytes of header and body.
    public var size: Int64
    public var forcedExpire: Bool
    public var sender: String
    public var recipients: [Recipient]

    public init(queue: QueueName, id: String, arrivalTime: Int64, size: Int64, forcedExpire: Bool = false,
                sender: String, recipients: [Recipient]) {
        self.queue = queue
        self.id = id
        self.arrivalTime = arrivalTime
        self.size = size
        self.forcedExpire = forcedExpire
        self.sender = sender
        self.recipients = recipients
    }

    enum CodingKeys: String, CodingKey {
        case queue = "queue_name"
        case id = "queue_id"
        case arrivalTime = "arrival_time"
        case size = "message_size"
        case forcedExpire = "forced_expire"
        case sender, recipients
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        queue = try c.decode(QueueName.self, forKey: .queue)
        id = try c.decode(String.self, forKey: .id)
        arrivalTime = try c.decode(Int64.self, forKey: .arrivalTime)
        size = try c.decode(Int64.self, forKey: .size)
        // Postfix 3.5 and later; older ones do not say.
        forcedExpire = try c.decodeIfPresent(Bool.self, forKey: .forcedExpire) ?? false
        sender = try c.decode(String.self, forKey: .sender)
        recipients = try c.decodeIfPresent([Recipient].self, forKey: .recipients) ?? []
    }
}

/// Reads `postqueue -j` output a line at a time, so that a queue of any size is never held
/// whole: each line is one message, handed on and forgotten.
public struct QueueListingReader {
    private var pending: [UInt8] = []
    private var line = 0
    private let source: String
    private let decoder = JSONDecoder()

    /// `source` names the listing in errors: `postqueue -c /etc/postfix-out -j`.
    public init(source: String) {
        self.source = source
    }

    /// Feeds the next bytes of the listing; `each` gets every message whose line is complete.
    /// A partial last line waits for the next bytes or ``finish(_:)``.
    ///
    /// - Throws: `PostfixParseError` naming the line that is not a showq JSON object.
    public mutating func feed(_ bytes: some Collection<UInt8>, _ each: (QueuedMessage) throws -> Void) throws {
        pending.append(contentsOf: bytes)
        var start = pending.startIndex
        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            try parse(pending[start..<newline], each)
            start = newline + 1
        }
        pending.removeSubrange(..<start)
    }

    /// The listing has ended: a last line without its newline is read too.
    public mutating func finish(_ each: (QueuedMessage) throws -> Void) throws {
        if !pending.isEmpty { try parse(pending[...], each) }
        pending = []
    }

    /// Every message of a whole listing.
    public static func messages(in output: String, source: String) throws -> [QueuedMessage] {
        var reader = QueueListingReader(source: source)
        var all: [QueuedMessage] = []
        try reader.feed(Array(output.utf8)) { all.append($0) }
        try reader.finish { all.append($0) }
        return all
    }

    private mutating func parse(_ bytes: ArraySlice<UInt8>, _ each: (QueuedMessage) throws -> Void) throws {
        if let message = try read(line: bytes) { try each(message) }
    }

    /// One line of the listing (without its newline), when another reader split the lines:
    /// its message, or nil for a blank line.
    public mutating func read(line bytes: ArraySlice<UInt8>) throws -> QueuedMessage? {
        line += 1
        let text = bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes
        if text.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { return nil }
        do {
            return try decoder.decode(QueuedMessage.self, from: Data(text))
        } catch {
            let shown = String(decoding: text.prefix(200), as: UTF8.self)
            throw PostfixParseError(source: source, line: line, message: "not a showq JSON object: \(Self.why(error))", text: shown)
        }
    }

    private static func why(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "no \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        case DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "malformed JSON" : "\(path): \(context.debugDescription)"
        default: return "malformed JSON"
        }
    }
}
