import Engine
import Foundation
import TLSCertificates

/// `postfleet tls`: per host, instance and listener, the certificate actually served,
/// soonest expiry first; listeners that serve another certificate than the configured one
/// (not reloaded since the files changed) and, with `expiringWithin`, certificates that
/// expire too soon are called out and make the exit status 2.
public struct TLSReport: Sendable {
    public let hosts: [HostTLS]
    /// When the report is made: days left count from here.
    public let now: Date
    /// `--expiring-within`, seconds; nil: expiry alone fails nothing.
    public let expiringWithin: Int64?

    public static let schema = "postfleet.tls/1"

    public init(hosts: [HostTLS], now: Date = Date(), expiringWithin: Int64? = nil) {
        self.hosts = hosts
        self.now = now
        self.expiringWithin = expiringWithin
    }

    /// Whether `certificate` expires within `--expiring-within` of now.
    func expiring(_ certificate: CertificateSummary) -> Bool {
        guard let expiringWithin else { return false }
        return certificate.notAfter.timeIntervalSince(now) < Double(expiringWithin)
    }

    /// Every listener that served a certificate, with its host and instance.
    var served: [(host: String, instance: InstanceCertificates, listener: ListenerCertificate, certificate: CertificateSummary)] {
        hosts.flatMap { host in
            host.instances.flatMap { instance in
                instance.listeners.compactMap { l in l.served.map { (host.host, instance, l, $0) } }
            }
        }
    }

    var stale: [(host: String, instance: InstanceCertificates, listener: ListenerCertificate)] {
        hosts.flatMap { host in host.instances.flatMap { i in i.stale.map { (host.host, i, $0) } } }
    }

    /// 0 every host read, nothing stale or expiring; 2 a host failed, a listener serves an old
    /// certificate, or a served certificate expires within `--expiring-within`; 4 only
    /// unreachable hosts.
    public var exitCode: Int32 {
        let failed = hosts.contains { $0.failed && !($0.error?.isUnreachable ?? false) }
            || !stale.isEmpty || served.contains { expiring($0.certificate) }
        return ExitStatus.of(failed: failed, unreachable: hosts.contains { $0.error != nil }).rawValue
    }

    /// `2026-12-26` (UTC).
    static func day(_ date: Date) -> String { date.formatted(.iso8601.year().month().day()) }

    /// `2026-12-26 (20d)`.
    func expiry(_ c: CertificateSummary) -> String {
        "\(Self.day(c.notAfter)) (\(c.daysLeft(now: now))d)"
    }

    /// The first four bytes of the fingerprint: enough to tell two certificates apart by eye.
    static func short(_ fingerprint: String) -> String {
        fingerprint.split(separator: ":").prefix(4).joined(separator: ":") + ":…"
    }

    public var text: String {
        var out = ""
        let header = ["HOST", "INSTANCE", "LISTENER", "SERVES", "NAMES", "EXPIRES", "SHA-256"]
        let rows = hosts.filter { $0.error == nil && $0.listFailure == nil }.map { host -> (String, [[String]]) in
            var rows: [(Date, [String])] = []
            for instance in host.instances {
                if !instance.running {
                    rows.append((.distantFuture, [instance.name, "(stopped)", "-", "-", "-", "-"]))
                    continue
                }
                for l in instance.listeners {
                    if let c = l.served {
                        let old = instance.stale.contains { $0.endpoint == l.endpoint } ? " OLD" : ""
                        rows.append((c.notAfter, [instance.name, l.endpoint, (c.commonName ?? c.subject) + old,
                                                  c.dnsNames.isEmpty ? "-" : c.dnsNames.joined(separator: ","), expiry(c), Self.short(c.sha256)]))
                    } else {
                        rows.append((.distantFuture, [instance.name, l.endpoint, "no TLS", "-", "-", "-"]))
                    }
                }
            }
            // Soonest expiry first; listeners without a certificate last, in the host's order.
            let sorted = rows.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
            return (host.host, sorted)
        }
        // Hosts whose soonest expiry is nearest first; grouped() keeps that order (equal weights).
        let soonest = Dictionary(uniqueKeysWithValues: hosts.map { host in
            (host.host, host.instances.flatMap(\.listeners).compactMap { $0.served?.notAfter }.min() ?? .distantFuture)
        })
        let ordered = rows.enumerated().sorted { a, b in
            (soonest[a.element.0] ?? .distantFuture, a.offset) < (soonest[b.element.0] ?? .distantFuture, b.offset)
        }.map(\.element)
        out += GroupedTable.grouped(header, ordered) { _ in 0 }

        let stale = self.stale
        if !stale.isEmpty {
            out += "\nServing an old certificate (the configured one changed since the instance last read it; reload it):\n"
            for s in stale {
                let disk = s.instance.configured.map { "\(Self.short($0.sha256)) until \(Self.day($0.notAfter))" } ?? "-"
                let served = s.listener.served.map { "\(Self.short($0.sha256)) until \(Self.day($0.notAfter))" } ?? "-"
                out += "  \(s.host) \(s.instance.name) \(s.listener.endpoint): serves \(served); configured \(disk)\n"
            }
        }
        if let expiringWithin {
            let soon = served.filter { expiring($0.certificate) }
            if !soon.isEmpty {
                out += "\nExpiring within \(Self.duration(expiringWithin)):\n"
                for s in soon.sorted(by: { $0.certificate.notAfter < $1.certificate.notAfter }) {
                    out += "  \(s.host) \(s.instance.name) \(s.listener.endpoint): \(s.certificate.commonName ?? s.certificate.subject), \(expiry(s.certificate))\n"
                }
            }
        }
        let failures = hosts.compactMap { host -> String? in
            if let error = host.error { return "  \(host.host): \(error.description)" }
            if let list = host.listFailure { return "  \(host.host): \(list)" }
            if host.noOpenSSL { return "  \(host.host): no openssl(1) on the host: the served certificates cannot be read" }
            return nil
        }
        if !failures.isEmpty { out += "\nNot read:\n" + failures.joined(separator: "\n") + "\n" }
        out += summaryLine()
        return out
    }

    private func summaryLine() -> String {
        let read = hosts.filter { !$0.failed }
        let listeners = hosts.flatMap(\.instances).flatMap(\.listeners)
        var line = "\n\(read.count) of \(hosts.count) host\(hosts.count == 1 ? "" : "s") read, \(listeners.count) listener\(listeners.count == 1 ? "" : "s"), "
            + "\(served.count) serving a certificate"
        if let first = served.min(by: { $0.certificate.notAfter < $1.certificate.notAfter }) {
            line += "; soonest expiry \(expiry(first.certificate)) on \(first.host)"
        }
        let stale = self.stale.count
        if stale > 0 { line += "; \(stale) serving an old certificate" }
        if expiringWithin != nil {
            let soon = served.filter { expiring($0.certificate) }.count
            line += "; \(soon) expiring within \(Self.duration(expiringWithin!))"
        }
        return line + "\n"
    }

    /// `30d`, `12h`, `90s`.
    static func duration(_ seconds: Int64) -> String {
        if seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        return "\(seconds)s"
    }
}
