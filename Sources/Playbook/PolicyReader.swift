import Inventory
import Yams

/// Reads `policy:`, every key and value checked (see ``Policy`` for which ones a run acts on).
struct PolicyReader {
    let reader: YAMLReader

    static let keys = [
        "serial", "max_fail_percentage", "any_errors_fatal", "pause", "unreachable_counts_as_failure",
        "rollback_on_failure", "health", "retries", "drain", "keep_backups",
    ]
    static let healthKeys = ["running", "banner_timeout", "max_deferred", "tls", "passes", "interval", "deadline", "groups"]
    static let groupHealthKeys = ["running", "banner_timeout", "max_deferred", "tls"]
    static let retryKeys = ["attempts", "delay", "max_delay"]

    func policy(_ node: Node, context: String) throws(SourceError) -> Policy {
        let here = "policy of \(context)"
        _ = try reader.mapping(node, what: "'policy' of \(context)")
        var policy = Policy()
        for (key, _, value) in try reader.fields(node, known: Self.keys, context: here) {
            switch key {
            case "serial":
                if case let .sequence(items) = value {
                    guard !items.isEmpty else { throw reader.error("'serial' is an empty list; give batch sizes, as [1, 25%]", at: value) }
                    for item in items { policy.serial.append(try batch(item)) }
                } else {
                    policy.serial = [try batch(value)]
                }
            case "max_fail_percentage":
                let number = try reader.number(value, what: "'max_fail_percentage'")
                policy.maxFailPercentage = try checked(at: value) { () throws(PolicyError) in
                    try Policy.maxFailPercentage(number, name: "'max_fail_percentage'", written: value.scalar?.string ?? "")
                }
            case "any_errors_fatal": policy.anyErrorsFatal = try reader.bool(value, what: "'any_errors_fatal'")
            case "pause": policy.pause = try reader.duration(value, what: "'pause'")
            case "unreachable_counts_as_failure":
                policy.unreachableCountsAsFailure = try reader.bool(value, what: "'unreachable_counts_as_failure'")
            case "rollback_on_failure": policy.rollbackOnFailure = try reader.bool(value, what: "'rollback_on_failure'")
            case "health": policy.health = try health(value, context: here)
            case "retries": policy.retries = try retries(value, context: here)
            case "drain": policy.drain = try drain(value)
            case "keep_backups": policy.keepBackups = try reader.int(value, what: "'keep_backups'", in: Limits.keepBackups)
            default: break
            }
        }
        return policy
    }

    /// `2` hosts, or `"25%"` of them. YAML says which is a number (`0x10` too, `"2"` not),
    /// ``Policy/BatchSize`` checks the size.
    private func batch(_ node: Node) throws(SourceError) -> Policy.BatchSize {
        if reader.tagName(node) == .int {
            return .count(try reader.int(node, what: "a batch size", in: Limits.batchHosts))
        }
        if case let .scalar(scalar) = node, scalar.string.hasSuffix("%"), Policy.BatchSize.isInteger(scalar.string.dropLast()) {
            return try checked(at: node) { () throws(PolicyError) in try .parse(scalar.string) }
        }
        throw reader.error("\(Policy.BatchSize.forms), not \(reader.kind(node))", at: node)
    }

    /// `drain: true` (the default deadline), `false`, or the deadline: `90s`, `2m`.
    private func drain(_ node: Node) throws(SourceError) -> Duration? {
        if reader.tagName(node) == .bool {
            return try reader.bool(node, what: "'drain'") ? Policy.defaultDrainDeadline : nil
        }
        let deadline = try reader.duration(node, what: "'drain' (true, false or a deadline such as 90s)")
        guard deadline >= .seconds(1), deadline <= Limits.longestDrain else {
            throw reader.error("'drain' deadline must be between 1s and \(Limits.longestDrain.components.seconds / 60)m", at: node)
        }
        return deadline
    }

    /// A ``Policy`` check's complaint, as an error at `node`.
    private func checked<T>(at node: Node, _ check: () throws(PolicyError) -> T) throws(SourceError) -> T {
        do {
            return try check()
        } catch {
            throw reader.error(error.message, at: node)
        }
    }

    private func health(_ node: Node, context: String) throws(SourceError) -> Policy.Health {
        if case let .scalar(scalar) = node, reader.tagName(node) != .null {
            switch scalar.string {
            case "default": return .default
            case "none": return .none
            default:
                throw reader.error("'health' is 'default', 'none', or a mapping of checks; not '\(scalar.string)'", at: node)
            }
        }
        let here = "health of \(context)"
        _ = try reader.mapping(node, what: "'health' ('default', 'none', or a mapping of checks)")
        var settings = Policy.HealthSettings()
        var common = Policy.GroupHealth()
        for (key, _, value) in try reader.fields(node, known: Self.healthKeys, context: here) {
            if try check(key, value, into: &common) { continue }
            switch key {
            case "passes": settings.passes = try reader.int(value, what: "'passes'", in: Limits.attempts)
            case "interval": settings.interval = try reader.duration(value, what: "'interval'")
            case "deadline": settings.deadline = try reader.duration(value, what: "'deadline'")
            case "groups":
                _ = try reader.mapping(value, what: "'groups' of \(here) (instance group: its checks)")
                for (key, checks) in try reader.pairs(value) {
                    guard case let .scalar(scalar) = key, !scalar.string.isEmpty else {
                        throw reader.error("an instance group is a plain name, not \(reader.kind(key))", at: key)
                    }
                    let group = scalar.string
                    let where_ = "group \(group) of \(here)"
                    _ = try reader.mapping(checks, what: "the checks of \(where_)")
                    var entry = Policy.GroupHealth()
                    for (key, _, item) in try reader.fields(checks, known: Self.groupHealthKeys, context: where_) {
                        _ = try check(key, item, into: &entry)
                    }
                    settings.groups[group] = entry
                }
            default: break
            }
        }
        settings.running = common.running
        settings.bannerTimeout = common.bannerTimeout
        settings.maxDeferred = common.maxDeferred
        settings.tls = common.tls
        return .custom(settings)
    }

    /// `running`, `banner_timeout`, `max_deferred`, `tls`: the checks a group may set for itself.
    /// Returns whether `key` was one of them.
    private func check(_ key: String, _ value: Node, into entry: inout Policy.GroupHealth) throws(SourceError) -> Bool {
        switch key {
        case "running": entry.running = try reader.bool(value, what: "'running'")
        case "banner_timeout": entry.bannerTimeout = try reader.duration(value, what: "'banner_timeout'")
        case "max_deferred": entry.maxDeferred = try reader.int(value, what: "'max_deferred'", in: Limits.deferredMessages)
        case "tls": entry.tls = try reader.bool(value, what: "'tls'")
        default: return false
        }
        return true
    }

    private func retries(_ node: Node, context: String) throws(SourceError) -> Policy.Retries {
        let here = "retries of \(context)"
        _ = try reader.mapping(node, what: "'retries'")
        var retries = Policy.Retries(attempts: 1)
        var sawAttempts = false
        for (key, _, value) in try reader.fields(node, known: Self.retryKeys, context: here) {
            switch key {
            case "attempts":
                retries.attempts = try reader.int(value, what: "'attempts'", in: Limits.attempts)
                sawAttempts = true
            case "delay": retries.delay = try reader.duration(value, what: "'delay'")
            case "max_delay": retries.maxDelay = try reader.duration(value, what: "'max_delay'")
            default: break
            }
        }
        guard sawAttempts else { throw reader.error("'retries' needs 'attempts:' (how many tries in all)", at: node) }
        return retries
    }
}
