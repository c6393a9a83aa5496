import Engine
import Foundation
import Postfix

extension QueueReport {
    struct TallyJSON: Encodable {
        var messages: Int
        var bytes: Int64
    }

    struct OutcomeJSON: Encodable {
        var done: Int
        var gone: Int
        var not_done_ids: [String]
        @ExplicitNull var failure: String?
    }

    struct InstanceJSON: Encodable {
        var name: String
        @ExplicitNull var group: String?
        var enabled: Bool
        var config_directory: String
        /// Every queue, empty ones too.
        var queues: [String: TallyJSON]
        var messages: Int
        var bytes: Int64
        @ExplicitNull var oldest_age_seconds: Int64?
        var reasons: [String: Int]
        /// Domain → recipients per qshape age bucket (minutes: 0-5, 5-10, ... 1280+).
        var domains: [String: [Int]]
        @ExplicitNull var error: String?
        /// With an action or --check: every selected id.
        var selected_ids: [String]?
        var outcome: OutcomeJSON?
    }

    struct RecipientJSON: Encodable {
        var address: String
        @ExplicitNull var delay_reason: String?
    }

    struct MessageJSON: Encodable {
        var id: String
        var instance: String
        var queue: String
        var arrival_time: Int64
        var age_seconds: Int64
        var size: Int64
        var sender: String
        var recipients: [RecipientJSON]
    }

    struct HostJSON: Encodable {
        var instances: [InstanceJSON]
        var messages: [MessageJSON]?
        @ExplicitNull var error: String?
        @ExplicitNull var phase: String?
        var connect_attempts: Int
    }

    struct ReasonJSON: Encodable {
        var reason: String
        var recipients: Int
        var hosts: [String]
    }

    struct FleetJSON: Encodable {
        var queues: [String: TallyJSON]
        var messages: Int
        var bytes: Int64
        @ExplicitNull var oldest_age_seconds: Int64?
        var reasons: [ReasonJSON]
        var domains: [String: [Int]]
        var age_buckets_minutes: [Int]
    }

    struct DocumentJSON: Encodable {
        var schema: String
        @ExplicitNull var action: String?
        var check: Bool
        var now: Int64
        var hosts: [String: HostJSON]
        var fleet: FleetJSON
        var exit_code: Int32
    }

    private static func queues(_ summary: QueueSummary) -> [String: TallyJSON] {
        Dictionary(uniqueKeysWithValues: QueueName.allCases.map { q in
            (q.rawValue, TallyJSON(messages: summary.queues[q]?.messages ?? 0, bytes: summary.queues[q]?.bytes ?? 0))
        })
    }

    /// The report as JSON (schema ``schema``), keys sorted.
    public func json() throws -> Data {
        var out: [String: HostJSON] = [:]
        for host in hosts {
            let instances = host.instances.map { i -> InstanceJSON in
                let s = i.summary
                let dir = i.instance.configDirectory
                let outcome = host.outcomes?[dir].map {
                    OutcomeJSON(done: $0.done, gone: $0.gone, not_done_ids: $0.notDone, failure: $0.failure)
                }
                return InstanceJSON(name: i.name, group: i.instance.group, enabled: i.instance.enabled, config_directory: dir,
                                    queues: Self.queues(s), messages: s.messages, bytes: s.bytes, oldest_age_seconds: s.oldestAge,
                                    reasons: s.reasons, domains: s.domains, error: i.failure,
                                    selected_ids: request.action == nil ? nil : host.selected[dir] ?? [], outcome: outcome)
            }
            let messages = request.keepMessages ? host.messages.map { m in
                MessageJSON(id: m.message.id, instance: m.instance, queue: m.message.queue.rawValue, arrival_time: m.message.arrivalTime,
                            age_seconds: max(0, host.now - m.message.arrivalTime), size: m.message.size, sender: m.message.sender,
                            recipients: m.message.recipients.map { RecipientJSON(address: $0.address, delay_reason: $0.delayReason) })
            } : nil
            out[host.host] = HostJSON(instances: instances, messages: messages,
                                      error: host.error?.description ?? host.listFailure,
                                      phase: host.error?.phase.rawValue ?? (host.listFailure == nil ? nil : "queue"),
                                      connect_attempts: host.connectAttempts)
        }
        let total = fleet
        let doc = DocumentJSON(
            schema: Self.schema, action: request.action?.rawValue, check: request.check, now: total.now, hosts: out,
            fleet: FleetJSON(queues: Self.queues(total), messages: total.messages, bytes: total.bytes, oldest_age_seconds: total.oldestAge,
                             reasons: reasons.map { ReasonJSON(reason: $0.text, recipients: $0.recipients, hosts: $0.hosts) },
                             domains: total.domains, age_buckets_minutes: QueueSummary.ageBuckets),
            exit_code: exitCode)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(doc)
    }
}
