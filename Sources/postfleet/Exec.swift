import ArgumentParser
import Fleet
import Report

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
        // The command is captured as it is, so --help before any `--` would be sent to every
        // host (with -i optional now that ansible.cfg may name the inventory).
        if command.first == "--help" || command.first == "-h" { throw CleanExit.helpRequest(self) }
        if words.isEmpty { throw ValidationError("no command given: postfleet exec -i INVENTORY -- COMMAND...") }
    }

    func run() async throws {
        let output = try OutputFile.prepare(json, flag: "--json")
        let report = await execReport(words.joined(separator: " "), on: try connection.targets(), connection: connection.settings)
        try finish(text: report.text, exitCode: report.exitCode, files: [(output, report.json)])
    }
}
