import ArgumentParser
import Engine
import Foundation
import Report
import SSH

struct Exec: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a shell command on every selected host at once.",
        discussion: """
            The words after -- are joined with spaces and run by the remote user's shell, as ssh does.
            Output is printed once per distinct result, under the hosts that produced it.
            Exit status: 0 every host ran it with status 0; 2 some host failed; 4 hosts were
            unreachable and none failed; 1 bad input (no host contacted).
            """
    )

    @OptionGroup var connection: ConnectionFlags

    @Option(name: .customLong("json"), help: "Also write the results as JSON to this file.")
    var json: String?

    @Argument(parsing: .captureForPassthrough, help: "The command to run (after --).")
    var command: [String] = []

    /// The command's words, without the `--` that separates them from the options.
    private var words: [String] { command.first == "--" ? Array(command.dropFirst()) : command }

    func validate() throws {
        if words.isEmpty { throw ValidationError("no command given: postfleet exec -i INVENTORY -- COMMAND...") }
    }

    func run() async throws {
        let hosts = try connection.selectedHosts().hosts
        let defaults = try connection.defaults(for: hosts)
        let endpoints = hosts.map { Endpoint($0, defaults: defaults) }
        connection.warnIfUnchecked(endpoints)
        let clock = ContinuousClock()
        let start = clock.now
        let outcomes = await runCommand(words.joined(separator: " "), on: endpoints,
                                        options: connection.connectionOptions,
                                        forks: connection.forkCount(hosts: endpoints.count),
                                        connectRetry: connection.connectRetry())
        let elapsed = clock.now - start
        let report = CommandReport(outcomes: outcomes, seconds: elapsed.seconds)
        FileHandle.standardOutput.write(Data(report.text.utf8))
        try writeReport(json) { try report.json() }
        throw ExitCode(report.exitCode)
    }
}
