import Engine
import Foundation
import Report

/// Every target host's certificates, served and configured.
public func tlsReport(on targets: Targets, connection: ConnectionSettings, expiringWithin: Int64?) async -> TLSReport {
    let endpoints = targets.endpoints
    let found = await tlsCertificates(on: endpoints, options: connection.connectionOptions,
                                      forks: connection.forkCount(hosts: endpoints.count), connectRetry: connection.connectRetry())
    return TLSReport(hosts: found, now: Date(), expiringWithin: expiringWithin)
}
