import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate as a mail administrator reads it: who it is for, who issued it, until
/// when, and its SHA-256 fingerprint (what `openssl x509 -fingerprint -sha256` prints),
/// parsed by swift-certificates. Nothing here is secret: a private key never reaches it
/// (``first(in:)`` reads only CERTIFICATE blocks).
public struct CertificateSummary: Sendable, Hashable, Codable {
    /// The subject, as `CN=mta1.example.com,O=Example`.
    public var subject: String
    public var commonName: String?
    /// The subjectAltName DNS names, in order.
    public var dnsNames: [String]
    public var issuer: String
    public var notBefore: Date
    public var notAfter: Date
    /// Upper-case hex byte pairs joined by colons.
    public var sha256: String

    public init(subject: String, commonName: String?, dnsNames: [String], issuer: String, notBefore: Date, notAfter: Date, sha256: String) {
        self.subject = subject
        self.commonName = commonName
        self.dnsNames = dnsNames
        self.issuer = issuer
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.sha256 = sha256
    }

    /// The first CERTIFICATE block of `pem` (a file or an `openssl s_client` transcript may
    /// hold several, and other text between them), or nil when there is none.
    public static func first(in pem: String) throws(CertificateError) -> CertificateSummary? {
        guard let start = pem.range(of: "-----BEGIN CERTIFICATE-----"),
              let end = pem.range(of: "-----END CERTIFICATE-----", range: start.upperBound..<pem.endIndex) else {
            return nil
        }
        return try CertificateSummary(pem: String(pem[start.lowerBound..<end.upperBound]))
    }

    /// One PEM certificate.
    public init(pem: String) throws(CertificateError) {
        let certificate: Certificate
        let der: [UInt8]
        do {
            let document = try PEMDocument(pemString: pem)
            guard document.discriminator == "CERTIFICATE" else {
                throw CertificateError("a PEM \(document.discriminator) block, not a CERTIFICATE")
            }
            der = document.derBytes
            certificate = try Certificate(derEncoded: der)
        } catch let error as CertificateError {
            throw error
        } catch {
            throw CertificateError("not a certificate X.509 can read: \(error)")
        }
        subject = certificate.subject.description
        issuer = certificate.issuer.description
        commonName = Self.commonName(certificate.subject)
        dnsNames = ((try? certificate.extensions.subjectAlternativeNames) ?? nil).map { names in
            names.compactMap { if case let .dnsName(name) = $0 { name } else { nil } }
        } ?? []
        notBefore = certificate.notValidBefore
        notAfter = certificate.notValidAfter
        sha256 = SHA256.hash(data: der).map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    private static func commonName(_ name: DistinguishedName) -> String? {
        for rdn in name {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return String(describing: attribute.value)
            }
        }
        return nil
    }

    /// Whole days from `now` until it expires (negative once it has).
    public func daysLeft(now: Date) -> Int {
        Int((notAfter.timeIntervalSince(now) / 86_400).rounded(.down))
    }
}

public struct CertificateError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
