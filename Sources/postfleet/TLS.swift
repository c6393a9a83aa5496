import ArgumentParser
import Fleet
import Playbook
import Report

/// `postfleet tls`: the certificate each listener of each instance actually serves, across
/// the fleet, soonest expiry first.
struct TLS: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls",
        abstract: "Show the certificate each listener of each instance actually serves, soonest expiry first.",
        discussion: """
            One round trip per host: for every instance, each TCP socket its master listens on \
            is asked for its certificate from the host itself (openssl s_client -starttls smtp, \
            the instance's myhostname as SNI), and the certificate its configuration names \
            (smtpd_tls_cert_file, smtpd_tls_chain_files) is read; only certificate blocks leave \
            the host, never a key. Per listener: subject, names, expiry, SHA-256 fingerprint. A \
            listener serving another certificate than the configured one (the files changed, the \
            instance was not reloaded) is called out.

            Exit status: 0 every host read, no listener serving an old certificate, and (with \
            --expiring-within) none expiring within that time; 2 otherwise; 4 only unreachable \
            hosts; 1 bad input (nothing contacted).
            """
    )

    @OptionGroup var connection: ConnectionFlags

    @Option(name: .customLong("expiring-within"), help: "Exit 2 when a served certificate expires within this time: 30d, 12h, 2w (up to a year).")
    var expiringWithin: String?

    @Option(name: .customLong("json"), help: "Also write the report as JSON (schema postfleet.tls/1) to this file.")
    var json: String?

    func run() async throws {
        let output = try OutputFile.prepare(json, flag: "--json")
        let within: Int64?
        do {
            within = try expiringWithin.map { (text) throws(PolicyError) in try Limits.age(text) }
        } catch {
            throw InputError("--expiring-within: \(error)")
        }
        let report = await tlsReport(on: try connection.targets(), connection: connection.settings, expiringWithin: within)
        try finish(text: report.text, exitCode: report.exitCode, files: [(output, report.json)])
    }
}
