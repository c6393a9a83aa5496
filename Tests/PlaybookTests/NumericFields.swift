import Playbook

/// Every number a playbook holds, as a place to write a value: the lines before it, the key
/// on its line, and how to read the value back from the loaded playbook (in the unit its
/// limit is stated in: seconds, a count, percent). The value always starts at `line`:`column`.
struct NumericField: Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        /// A whole number in a range.
        case count(ClosedRange<Int>)
        /// A duration, 0 to 24 h.
        case duration
        /// `max_fail_percentage`: 0 to 100, fractions too.
        case percentage
        /// A `serial` item: hosts or a percentage.
        case batch
    }

    /// As messages name it: `'retries'`, `a batch size`.
    let name: String
    let kind: Kind
    let before: [String]
    let key: String
    /// Text after the value on its line (`]` of a flow list).
    var rest = ""
    let read: @Sendable (Play) -> Double?

    var line: Int { before.count + 1 }
    var column: Int { key.count + 1 }
    var description: String { "\(name) at \(line):\(column)" }

    func yaml(_ value: String) -> String {
        (before + [key + value + rest]).joined(separator: "\n") + "\n"
    }

    static let play = ["- hosts: all", "  tasks:", "    - command: \"true\""]
    static let policy = play + ["  policy:"]
    static let health = policy + ["    health:"]
    static let retries = policy + ["    retries:", "      attempts: 2"]

    static let all: [NumericField] = [
        NumericField(name: "'retries'", kind: .count(Limits.taskRetries), before: play, key: "      retries: ") {
            $0.tasks.first?.retry.map { Double($0.attempts - 1) }
        },
        NumericField(name: "'delay'", kind: .duration, before: play + ["      retries: 1"], key: "      delay: ") {
            $0.tasks.first?.retry.map { $0.delay.inSeconds }
        },
        NumericField(name: "'rc' (an exit status)", kind: .count(Limits.exitStatus), before: play + ["      until:"],
                     key: "        rc: ") { $0.tasks.first?.retry?.rc.map(Double.init) },
        NumericField(name: "a batch size", kind: .batch, before: policy, key: "    serial: ") { $0.policy?.serial.first?.number },
        NumericField(name: "a batch size", kind: .batch, before: policy, key: "    serial: [1, ", rest: "]") {
            $0.policy?.serial.last?.number
        },
        NumericField(name: "'max_fail_percentage'", kind: .percentage, before: policy, key: "    max_fail_percentage: ") {
            $0.policy?.maxFailPercentage
        },
        NumericField(name: "'pause'", kind: .duration, before: policy, key: "    pause: ") { $0.policy?.pause?.inSeconds },
        NumericField(name: "'passes'", kind: .count(Limits.attempts), before: health, key: "      passes: ") {
            $0.healthSettings?.passes.map(Double.init)
        },
        NumericField(name: "'interval'", kind: .duration, before: health, key: "      interval: ") {
            $0.healthSettings?.interval?.inSeconds
        },
        NumericField(name: "'deadline'", kind: .duration, before: health, key: "      deadline: ") {
            $0.healthSettings?.deadline?.inSeconds
        },
        NumericField(name: "'banner_timeout'", kind: .duration, before: health, key: "      banner_timeout: ") {
            $0.healthSettings?.bannerTimeout?.inSeconds
        },
        NumericField(name: "'max_deferred'", kind: .count(Limits.deferredMessages), before: health, key: "      max_deferred: ") {
            $0.healthSettings?.maxDeferred.map(Double.init)
        },
        NumericField(name: "'banner_timeout'", kind: .duration, before: health + ["      groups:", "        mta:"],
                     key: "          banner_timeout: ") { $0.healthSettings?.groups["mta"]?.bannerTimeout?.inSeconds },
        NumericField(name: "'max_deferred'", kind: .count(Limits.deferredMessages), before: health + ["      groups:", "        mta:"],
                     key: "          max_deferred: ") { $0.healthSettings?.groups["mta"]?.maxDeferred.map(Double.init) },
        NumericField(name: "'attempts'", kind: .count(Limits.attempts), before: policy + ["    retries:"], key: "      attempts: ") {
            $0.policy?.retries.map { Double($0.attempts) }
        },
        NumericField(name: "'delay'", kind: .duration, before: retries, key: "      delay: ") { $0.policy?.retries?.delay?.inSeconds },
        NumericField(name: "'max_delay'", kind: .duration, before: retries, key: "      max_delay: ") {
            $0.policy?.retries?.maxDelay?.inSeconds
        },
    ]
}

extension Play {
    var healthSettings: Policy.HealthSettings? {
        if case let .custom(settings)? = policy?.health { return settings }
        return nil
    }
}

extension Policy.BatchSize {
    /// Hosts, or percent.
    var number: Double {
        switch self {
        case let .count(count): Double(count)
        case let .percent(percent): Double(percent)
        }
    }
}

extension Duration {
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
