/// What one instance's queue holds, folded one message at a time from `postqueue -j`, so a
/// queue of 100,000 messages costs its distinct reasons and domains, not its messages.
public struct QueueSummary: Sendable, Hashable, Codable {
    /// Messages and their bytes in one queue.
    public struct Tally: Sendable, Hashable, Codable {
        public var messages: Int
        public var bytes: Int64

        public init(messages: Int = 0, bytes: Int64 = 0) {
            self.messages = messages
            self.bytes = bytes
        }
    }

    /// qshape's age buckets, in minutes: a message is counted in the first whose bound its
    /// age does not pass (`0...5`, `5...10`, ... up to `1280...`).
    public static let ageBuckets: [Int] = [5, 10, 20, 40, 80, 160, 320, 640, 1280]

    /// At most this many distinct reasons and recipient domains are told apart; the rest are
    /// counted under ``otherReasons`` and ``otherDomains``, so memory stays bounded whatever the queue.
    public static let distinctLimit = 10_000
    public static let otherReasons = "(other reasons)"
    public static let otherDomains = "(other domains)"

    public var queues: [QueueName: Tally] = [:]
    /// Arrival of the oldest message, seconds since the epoch.
    public var oldestArrival: Int64?
    /// Normalized delay reason (``DelayReason``) → recipients delayed for it.
    public var reasons: [String: Int] = [:]
    /// Recipient domain → recipients per age bucket (``ageBuckets`` and one past the last).
    public var domains: [String: [Int]] = [:]
    /// The time ages are measured from, seconds since the epoch.
    public var now: Int64

    public init(now: Int64) {
        self.now = now
    }

    public var messages: Int { queues.values.reduce(0) { $0 + $1.messages } }
    public var bytes: Int64 { queues.values.reduce(0) { $0 + $1.bytes } }

    public mutating func add(_ message: QueuedMessage) {
        count(message.queue, Tally(messages: 1, bytes: max(0, message.size)))
        oldestArrival = min(oldestArrival ?? message.arrivalTime, message.arrivalTime)
        var ages = Array(repeating: 0, count: Self.ageBuckets.count + 1)
        ages[Self.bucket(ageSeconds: now - message.arrivalTime)] = 1
        for recipient in message.recipients {
            if let reason = recipient.delayReason, !reason.isEmpty {
                count(reason: DelayReason.normalized(reason), 1)
            }
            count(domain: Self.domain(of: recipient.address), ages)
        }
    }

    /// Another instance's summary counted in with this one (for a host's or a fleet's total),
    /// under the same bound on distinct reasons and domains.
    public mutating func merge(_ other: QueueSummary) {
        for (queue, tally) in other.queues { count(queue, tally) }
        if let theirs = other.oldestArrival { oldestArrival = min(oldestArrival ?? theirs, theirs) }
        for (reason, n) in other.reasons { count(reason: reason, n) }
        for (domain, ages) in other.domains { count(domain: domain, ages) }
    }

    private mutating func count(_ queue: QueueName, _ tally: Tally) {
        queues[queue, default: Tally()].messages += tally.messages
        queues[queue, default: Tally()].bytes += tally.bytes
    }

    private mutating func count(reason: String, _ n: Int) {
        let key = reasons[reason] != nil || reasons.count < Self.distinctLimit ? reason : Self.otherReasons
        reasons[key, default: 0] += n
    }

    private mutating func count(domain: String, _ ages: [Int]) {
        let key = domains[domain] != nil || domains.count < Self.distinctLimit ? domain : Self.otherDomains
        var mine = domains[key] ?? Array(repeating: 0, count: Self.ageBuckets.count + 1)
        for (i, n) in ages.enumerated() where i < mine.count { mine[i] += n }
        domains[key] = mine
    }

    /// The oldest message's age in seconds, none for an empty queue.
    public var oldestAge: Int64? { oldestArrival.map { max(0, now - $0) } }

    static func bucket(ageSeconds: Int64) -> Int {
        let minutes = max(0, ageSeconds) / 60
        return ageBuckets.firstIndex { minutes < Int64($0) } ?? ageBuckets.count
    }

    /// The domain of a recipient, lower-cased as Postfix compares them; the empty address
    /// (bounces to `<>`) and one without `@` count under their own text.
    static func domain(of address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return address.isEmpty ? "<>" : address.lowercased() }
        return String(address[address.index(after: at)...]).lowercased()
    }
}
