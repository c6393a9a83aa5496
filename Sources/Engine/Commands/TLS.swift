import Foundation
import Postfix
import SSH
import TLSCertificates

/// One listening socket of an instance and the certificate it served.
public struct ListenerCertificate: Sendable {
    /// `198.18.0.1:25`, `[::1]:25`.
    public var endpoint: String
    public var served: CertificateSummary?
    /// Why no certificate could be read from it (no STARTTLS, a handshake failure, a
    /// certificate X.509 could not read).
    public var failure: String?

    public init(endpoint: String, served: CertificateSummary? = nil, failure: String? = nil) {
        self.endpoint = endpoint
        self.served = served
        self.failure = failure
    }
}

/// One instance's certificates: configured on disk and served by each listener.
public struct InstanceCertificates: Sendable {
    public var name: String
    public var group: String?
    public var configDirectory: String
    public var running: Bool
    public var hostname: String
    /// The leaf of `smtpd_tls_cert_file` (or `smtpd_tls_chain_files`); nil when none is configured.
    public var configured: CertificateSummary?
    /// Why the configured file could not be read as a certificate.
    public var configuredFailure: String?
    public var listeners: [ListenerCertificate]

    public init(name: String, group: String? = nil, configDirectory: String, running: Bool = true, hostname: String,
                configured: CertificateSummary? = nil, configuredFailure: String? = nil, listeners: [ListenerCertificate]) {
        self.name = name
        self.group = group
        self.configDirectory = configDirectory
        self.running = running
        self.hostname = hostname
        self.configured = configured
        self.configuredFailure = configuredFailure
        self.listeners = listeners
    }

    /// The listeners that serve a certificate other than the configured one: the files
    /// changed and the instance was not reloaded.
    public var stale: [ListenerCertificate] {
        guard let configured else { return [] }
        return listeners.filter { $0.served.map { $0.sha256 != configured.sha256 } ?? false }
    }
}

/// One host's certificates as `postfleet tls` read them, or why it could not.
public struct HostTLS: Sendable {
    public var host: String
    public var instances: [InstanceCertificates] = []
    public var listFailure: String?
    public var noOpenSSL = false
    public var error: HostFailure?
    public var connectAttempts = 0

    public init(host: String) {
        self.host = host
    }

    /// Whether the host could not be read whole.
    public var failed: Bool { error != nil || listFailure != nil || noOpenSSL }
}

/// Reads every host's certificates, one round trip each (``TLSProbe``), at most `forks`
/// hosts at once.
public func tlsCertificates(on endpoints: [Endpoint], options: ConnectionOptions, forks: Int,
                            connectRetry: Backoff = Backoff(attempts: 1)) async -> [HostTLS] {
    await fanOut(endpoints, limit: forks) { endpoint in
        let outcome = await withSession(endpoint, options: options, backoff: connectRetry) { session, _ in
            try await hostTLS(session)
        }
        var host = outcome.value ?? HostTLS(host: endpoint.name)
        host.error = outcome.error
        host.connectAttempts = outcome.attempts
        return host
    }
}

func hostTLS(_ session: Session) async throws -> HostTLS {
    let name = session.endpoint.name
    let run = try await session.exec(TLSProbe.script)
    guard run.succeeded else {
        throw HostFailure(host: name, phase: .tls, message: "the certificate probe failed (\(run.failureSummary))")
    }
    let probed: TLSProbe.Result
    do {
        probed = try TLSProbe.read(run.stdoutText, host: name)
    } catch {
        throw HostFailure(host: name, phase: .tls, message: error.description, underlying: error)
    }
    var host = HostTLS(host: name)
    host.listFailure = probed.listFailure
    host.noOpenSSL = probed.noOpenSSL
    host.instances = probed.instances.map(certificates)
    return host
}

/// The probe's PEM text read as certificates.
func certificates(_ instance: TLSProbe.Instance) -> InstanceCertificates {
    var result = InstanceCertificates(name: instance.name, group: instance.facts.group, configDirectory: instance.facts.configDirectory,
                                      running: instance.running, hostname: instance.hostname, listeners: [])

    do {
        result.configured = try CertificateSummary.first(in: instance.configuredPEM)
    } catch {
        result.configuredFailure = "the configured certificate: \(error)"
    }
    for listener in instance.listeners {
        var entry = ListenerCertificate(endpoint: listener.endpoint, failure: listener.failure)
        do {
            entry.served = try CertificateSummary.first(in: listener.servedPEM)
        } catch {
            entry.failure = "the served certificate: \(error)"
        }
        result.listeners.append(entry)
    }
    return result
}
