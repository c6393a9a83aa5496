import ArgumentParser
import Fleet
import Foundation
import Inventory
import SSH

@main
struct Postfleet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postfleet",
        abstract: "Run Postfix multi-instance mail systems across a fleet over SSH.",
        version: BuildInfo.line,
        subcommands: [Run.self, Drift.self, PostmultiAction.self, Instances.self, Queue.self, TLS.self, Backups.self, History.self, Exec.self, InventoryCommand.self, Render.self, Restore.self]
    )

    /// Bad input (a wrong option, a mistake in a file, a pattern that matches nothing) exits 1
    /// with nothing contacted; ArgumentParser's own default would be 64. A mistake in a file
    /// prints as it describes itself (`FILE:LINE:COL: error: ...`, the line and a caret).
    static func main() async {
        // One socket per session: --forks 1000 needs more than a login shell's 1,024.
        DescriptorLimit.raise()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as InputError {
            fail("postfleet: \(error.message)")
        } catch let error as SourceError {
            fail("\(error)")
        } catch let error as FileError {
            fail("\(error)")
        } catch {
            if exitCode(for: error) == .validationFailure { fail(fullMessage(for: error)) }
            exit(withError: error)
        }
    }

    private static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((OutputSecrets.hiding(in: message) + "\n").utf8))
        Foundation.exit(1)
    }
}
