import Engine
import Foundation
import Postfix
import SSH
import Testing

/// Real Postfix judges staged configurations.
@Suite(.enabled(if: Lab.isUp, "needs the lab: scripts/lab up 10"), .timeLimit(.minutes(10)))
struct ConfigCheckLabTests {
    let lab = Lab.current!

    /// The directory ``check(_:)`` writes the configuration to on mta6.
    let dir = "/etc/pf-check-\(UUID().uuidString.prefix(8))"

    /// Writes a configuration directory from the host's own main.cf plus `extra`, checks it.
    /// The setup must succeed: a check of a directory that was never written proves nothing.
    func check(_ extra: String) async throws -> ExecResult {
        try await Session.with(try lab.endpoint("mta6"), options: lab.options()) { session in
            let setup = try await session.exec("mkdir -p \(dir) && cp /etc/postfix/main.cf /etc/postfix/master.cf \(dir)/ && cat >> \(dir)/main.cf",
                                               stdin: Array(extra.utf8))
            try #require(setup.succeeded, "the staged directory: \(setup.stderrText)")
            let result = try await session.exec(ConfigCheck.command(configDirectory: dir))
            _ = try await session.exec("rm -rf \(dir)")
            return result
        }
    }

    @Test func theHostsOwnConfigurationPasses() async throws {
        let r = try await check("")
        #expect(r.succeeded, "\(r.stderrText)")
        #expect(r.stderrText.isEmpty)
    }

    @Test func anUnknownTableTypeFailsWithPostfixsMessage() async throws {
        let r = try await check("smtp_generic_maps = bogus:${config_directory}/generic\n")
        #expect(!r.succeeded)
        #expect(r.stderrText.contains("unsupported dictionary type: bogus"), "\(r.stderrText)")
    }

    @Test func aMissingIndexedTableFails() async throws {
        let r = try await check("virtual_alias_maps = cdb:${config_directory}/virtual\n")
        #expect(!r.succeeded)
        // Postfix's own words, for the file the staged main.cf names.
        #expect(r.stderrText.contains("postmap: fatal: open database \(dir)/virtual.cdb: No such file or directory"), "\(r.stderrText)")
    }

    @Test func aMisspelledParameterFails() async throws {
        let r = try await check("relay_host = [mailhub.example.com]\n")
        #expect(!r.succeeded)
        #expect(r.stderrText.contains("unused parameter: relay_host"))
    }

    @Test func aTableThatExistsPasses() async throws {
        let r = try await check("transport_maps = texthash:/etc/hosts\nsmtp_generic_maps = regexp:/dev/null\n")
        #expect(r.succeeded, "\(r.stderrText)")
    }
}
