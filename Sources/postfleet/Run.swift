import ArgumentParser
import Engine
import Foundation
import Inventory
import Playbook
import Postfix
import Report
import SSH

/// `postfleet run`: converge every targeted host to a playbook, all at once, with one report.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Converge hosts to a playbook: instances, files, tables, reloads; one report.",
        discussion: """
            The inventory, the playbook and every template are loaded and rendered for every \
            selected host first; any mistake prints FILE:LINE:COL: error: ... and exits 1 with no \
            host contacted. Then, per host: facts in one round trip, a plan, and (unless there is \
            nothing to do) one apply script: postmulti life-cycle operations, files staged beside \
            their target and checked by Postfix (postconf -n without a warning, postfix check, every \
            table openable) before anything goes live, atomic swaps with a backup NAME.postfleet-ID, \
            then per instance the least disruptive action: nothing, postmap, reload, or stop and \
            start. If anything fails after a swap, the previous files come back and the instance is \
            put back as it was.
            Exit status: 0 every host ok or changed; 2 some host failed; 4 hosts were unreachable \
            and none failed; 1 bad input (no host contacted).
            """
    )

    @Argument(help: "The playbook file.")
    var playbook: String

    @OptionGroup var connection: ConnectionFlags

    @Flag(name: .customLong("check"), help: "Read facts and report what would change; change nothing.")
    var check = false

    @Flag(name: .customLong("diff"), help: "Show what changes per main.cf parameter, master.cf service and table key.")
    var diff = false

    @Option(name: .customLong("json"), help: "Also write the report as JSON (schema postfleet.run/1) to this file.")
    var json: String?

    @Option(name: .customLong("junit"), help: "Also write a JUnit XML report (one test case per host and step) to this file.")
    var junit: String?

    func run() async throws {
        let (work, policy) = try connection.playbookWork(self.playbook)
        connection.warnIfUnchecked(work.map(\.endpoint))

        let report = await connection.rollOut(work, policy: policy, name: self.playbook, check: check, diff: diff)
        var out = ""
        if diff { out += report.diffText }
        out += report.text
        FileHandle.standardOutput.write(Data(out.utf8))
        try writeReport(json) { try report.json() }
        try writeReport(junit) { Data(report.junit.utf8) }
        throw ExitCode(report.exitCode)
    }
}

extension ConnectionFlags {
    /// Converges `work` batch by batch under `policy` with these connection options and live
    /// progress on stderr, and reports it under `name` (the playbook, or the command).
    func rollOut(_ work: [HostWork], policy: Policy?, name: String, check: Bool = false, diff: Bool = false) async -> RunReport {
        var options = RolloutOptions(connection: connectionOptions, forks: forkCount(hosts: work.count), check: check, diff: diff)
        if let timeout = connectionOptions.commandTimeout { options.applyTimeout = timeout }
        options.connectRetry = connectRetry(policy: policy?.retries)
        let progress = Progress(total: work.count)
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = await rollingRollout(work, options: options, policy: policy) { progress.hostFinished($0) }
        progress.finish()
        return RunReport(playbook: name, results: outcome.results, seconds: (clock.now - start).seconds, checkMode: check,
                         batches: outcome.batches, stop: outcome.stop)
    }
}

/// Runs `body`; a mistake in an input file is printed as it describes itself
/// (`FILE:LINE:COL: error: ...` with the line and a caret) and exits 1.
func readInput<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as SourceError {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        throw ExitCode(1)
    } catch let error as FileError {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        throw ExitCode(1)
    }
}
