import Engine
import Foundation
import TLSCertificates

extension TLSReport {
    struct CertificateJSON: Encodable {
        var subject: String
        @ExplicitNull var common_name: String?
        var dns_names: [String]
        var issuer: String
        var not_before: String
        var not_after: String
        var days_left: Int
        var sha256: String
    }

    struct ListenerJSON: Encodable {
        var endpoint: String
        @ExplicitNull var served: CertificateJSON?
        @ExplicitNull var failure: String?
        /// It serves another certificate than the configured one.
        var stale: Bool
        /// Its certificate expires within --expiring-within.
        var expiring: Bool
    }

    struct InstanceJSON: Encodable {
        var name: String
        @ExplicitNull var group: String?
        var config_directory: String
        var running: Bool
        var hostname: String
        @ExplicitNull var configured: CertificateJSON?
        @ExplicitNull var configured_failure: String?
        var listeners: [ListenerJSON]
    }

    struct HostJSON: Encodable {
        var instances: [InstanceJSON]
        @ExplicitNull var error: String?
        @ExplicitNull var phase: String?
        var connect_attempts: Int
    }

    struct SummaryJSON: Encodable {
        var hosts: Int
        var hosts_read: Int
        var listeners: Int
        var serving: Int
        var stale: Int
        var expiring: Int
        @ExplicitNull var soonest_expiry: String?
    }

    struct DocumentJSON: Encodable {
        var schema: String
        var now: String
        @ExplicitNull var expiring_within_seconds: Int64?
        var hosts: [String: HostJSON]
        var summary: SummaryJSON
        var exit_code: Int32
    }

    static func timestamp(_ date: Date) -> String { date.formatted(.iso8601) }

    func certificate(_ c: CertificateSummary) -> CertificateJSON {
        CertificateJSON(subject: c.subject, common_name: c.commonName, dns_names: c.dnsNames, issuer: c.issuer,
                        not_before: Self.timestamp(c.notBefore), not_after: Self.timestamp(c.notAfter),
                        days_left: c.daysLeft(now: now), sha256: c.sha256)
    }

    /// The report as JSON, schema `postfleet.tls/1`.
    public func json() throws -> Data {
        var out: [String: HostJSON] = [:]
        for host in hosts {
            let instances = host.instances.map { i in
                let stale = Set(i.stale.map(\.endpoint))
                return InstanceJSON(
                    name: i.name, group: i.group, config_directory: i.configDirectory, running: i.running, hostname: i.hostname,
                    configured: i.configured.map(certificate), configured_failure: i.configuredFailure,
                    listeners: i.listeners.map { l in
                        ListenerJSON(endpoint: l.endpoint, served: l.served.map(certificate), failure: l.failure,
                                     stale: stale.contains(l.endpoint), expiring: l.served.map(expiring) ?? false)
                    })
            }
            let problem = host.listFailure ?? (host.noOpenSSL ? "no openssl(1) on the host" : nil)
            out[host.host] = HostJSON(instances: instances, error: host.error?.description ?? problem,
                                      phase: host.error?.phase.rawValue ?? (problem == nil ? nil : "tls"),
                                      connect_attempts: host.connectAttempts)
        }
        let served = self.served
        let soonest = served.map(\.certificate.notAfter).min()
        let doc = DocumentJSON(
            schema: Self.schema, now: Self.timestamp(now), expiring_within_seconds: expiringWithin, hosts: out,
            summary: SummaryJSON(hosts: hosts.count, hosts_read: hosts.filter { !$0.failed }.count,
                                 listeners: hosts.flatMap(\.instances).flatMap(\.listeners).count, serving: served.count,
                                 stale: stale.count, expiring: served.filter { expiring($0.certificate) }.count,
                                 soonest_expiry: soonest.map(Self.timestamp)),
            exit_code: exitCode)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(doc)
    }
}
