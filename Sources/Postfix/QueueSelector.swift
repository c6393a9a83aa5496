/// Which queued messages a `postfleet queue` action applies to: every criterion given must
/// hold (they combine with AND); none given selects every message of the chosen instances.
///
/// The patterns are kept as text, so the selector is `Sendable` and can be checked once on the
/// controller (``validate()``) before any host is contacted; each host's reader compiles them
/// into a ``Matcher``.
public struct QueueSelector: Sendable, Hashable {
    /// Exact queue ids.
    public var ids: Set<String> = []
    /// A regular expression searched in the envelope sender (`""` for a bounce: `--sender '^$'`).
    public var sender: String?
    /// `@domain` (that recipient domain, case-insensitively), or a regular expression searched
    /// in each recipient address.
    public var recipient: String?
    /// A regular expression searched in each recipient's delay reason, as showq reports it.
    public var reason: String?
    /// Only messages that arrived at least this many seconds ago.
    public var olderThan: Int64?
    /// Only messages in these queues; empty: every queue.
    public var queues: Set<QueueName> = []

    public init(ids: Set<String> = [], sender: String? = nil, recipient: String? = nil, reason: String? = nil,
                olderThan: Int64? = nil, queues: Set<QueueName> = []) {
        self.ids = ids
        self.sender = sender
        self.recipient = recipient
        self.reason = reason
        self.olderThan = olderThan
        self.queues = queues
    }

    /// Whether nothing narrows the selection: every message of the instance.
    public var selectsEverything: Bool {
        ids.isEmpty && sender == nil && recipient == nil && reason == nil && olderThan == nil && queues.isEmpty
    }

    /// A queue id as Postfix writes them (short hexadecimal or long base-52 ids): letters and
    /// digits only, which is also what makes it safe to hand to postsuper on a line of its own.
    public static func isQueueID(_ text: some StringProtocol) -> Bool {
        (6...32).contains(text.utf8.count) && text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    /// Compiles every pattern; throws a message naming the flag of the first that is not a
    /// regular expression, or an id that is not a queue id.
    public func validate() throws(QueueSelectorError) {
        if let bad = ids.sorted().first(where: { !Self.isQueueID($0) }) {
            throw QueueSelectorError("--id: '\(bad)' is not a Postfix queue id (letters and digits)")
        }
        _ = try Matcher(self)
    }

    /// The selector with its patterns compiled, for one reader (Swift's `Regex` is not `Sendable`).
    public struct Matcher {
        private let selector: QueueSelector
        private let sender: Regex<AnyRegexOutput>?
        private let recipientDomain: String?
        private let recipient: Regex<AnyRegexOutput>?
        private let reason: Regex<AnyRegexOutput>?

        public init(_ selector: QueueSelector) throws(QueueSelectorError) {
            self.selector = selector
            sender = try Self.compile(selector.sender, flag: "--sender")
            if let r = selector.recipient, r.hasPrefix("@"), r.count > 1, !r.dropFirst().contains("@") {
                recipientDomain = r.dropFirst().lowercased()
                recipient = nil
            } else {
                recipientDomain = nil
                recipient = try Self.compile(selector.recipient, flag: "--recipient")
            }
            reason = try Self.compile(selector.reason, flag: "--reason")
        }

        private static func compile(_ pattern: String?, flag: String) throws(QueueSelectorError) -> Regex<AnyRegexOutput>? {
            guard let pattern else { return nil }
            do {
                return try Regex(pattern).ignoresCase()
            } catch {
                throw QueueSelectorError("\(flag): '\(pattern)' is not a regular expression: \(error)")
            }
        }

        /// Whether `message` is selected, its age measured from `now` (seconds since the epoch).
        /// A recipient criterion and a reason criterion must hold for the same recipient.
        public func matches(_ message: QueuedMessage, now: Int64) -> Bool {
            if !selector.ids.isEmpty && !selector.ids.contains(message.id) { return false }
            if !selector.queues.isEmpty && !selector.queues.contains(message.queue) { return false }
            if let olderThan = selector.olderThan, now - message.arrivalTime < olderThan { return false }
            if let sender, (try? sender.firstMatch(in: message.sender)) == nil { return false }
            guard recipientDomain != nil || recipient != nil || reason != nil else { return true }
            return message.recipients.contains { r in
                if let recipientDomain, QueueSummary.domain(of: r.address) != recipientDomain { return false }
                if let recipient, (try? recipient.firstMatch(in: r.address)) == nil { return false }
                if let reason, (try? reason.firstMatch(in: r.delayReason ?? "")) ?? nil == nil { return false }
                return true
            }
        }
    }
}

/// A selector that cannot be used: a bad pattern or id. Bad input: no host is contacted.
public struct QueueSelectorError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
