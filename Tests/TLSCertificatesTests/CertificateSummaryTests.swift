import Foundation
import TLSCertificates
import Testing

/// Certificates made by the real openssl, read by swift-certificates: the fields and the
/// fingerprint must be what openssl itself says.
@Suite struct CertificateSummaryTests {
    /// Runs openssl in `directory`; returns its stdout.
    @discardableResult
    func openssl(_ arguments: [String], in directory: URL) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = arguments
        p.currentDirectoryURL = directory
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "openssl \(arguments.joined(separator: " "))")
        return String(decoding: data, as: UTF8.self)
    }

    func withDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pf-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url)
    }

    @Test func aCertificateReadsAsOpensslSaysIt() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else { return }
        try withDirectory { dir in
            try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "k.pem", "-out", "c.pem",
                         "-days", "10", "-subj", "/O=Example/CN=mta1.example.com",
                         "-addext", "subjectAltName=DNS:mta1.example.com,DNS:*.border.example.com"], in: dir)
            let pem = try String(contentsOf: dir.appendingPathComponent("c.pem"), encoding: .utf8)
            let key = try String(contentsOf: dir.appendingPathComponent("k.pem"), encoding: .utf8)
            let fingerprint = try openssl(["x509", "-in", "c.pem", "-noout", "-fingerprint", "-sha256"], in: dir)
            // Key first, as in a chain file, and text around: the first CERTIFICATE block is read.
            let c = try #require(try CertificateSummary.first(in: "noise\n" + key + pem + "more noise\n"))
            #expect("sha256 Fingerprint=\(c.sha256)\n" == fingerprint)
            #expect(c.commonName == "mta1.example.com")
            #expect(c.subject.contains("CN=mta1.example.com") && c.subject.contains("O=Example"), "\(c.subject)")
            #expect(c.dnsNames == ["mta1.example.com", "*.border.example.com"])
            #expect(c.issuer == c.subject, "self-signed")
            #expect(c.daysLeft(now: Date()) == 9)
        }
    }

    @Test func noCertificateIsNilAndABrokenOneIsAnError() throws {
        #expect(try CertificateSummary.first(in: "") == nil)
        #expect(try CertificateSummary.first(in: "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n") == nil)
        #expect(throws: CertificateError.self) {
            try CertificateSummary.first(in: "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")
        }
    }
}
