import ArgumentParser
import Foundation

@main
struct Postfleet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postfleet",
        abstract: "Run Postfix multi-instance mail systems across a fleet over SSH.",
        version: "0.1.0",
        subcommands: [Run.self, Drift.self, PostmultiAction.self, Instances.self, Exec.self, InventoryCommand.self, Render.self]
    )

    /// Bad input (a wrong option, an unreadable inventory, a pattern that matches nothing)
    /// exits 1 with nothing contacted; ArgumentParser's own default would be 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as BadInput {
            FileHandle.standardError.write(Data("postfleet: \(error.message)\n".utf8))
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(1)
            }
            exit(withError: error)
        }
    }
}

/// Input the user can fix; reported without a stack of context, exit code 1.
struct BadInput: Error {
    let message: String
}

/// Writes a report file the user asked for (`--json`, `--junit`); if it cannot be written,
/// says so and exits 1 (the run itself is over by then).
func writeReport(_ path: String?, _ data: () throws -> Data) throws {
    guard let path else { return }
    do {
        try data().write(to: URL(fileURLWithPath: path))
    } catch {
        FileHandle.standardError.write(Data("postfleet: cannot write \(path): \(error.localizedDescription)\n".utf8))
        throw ExitCode(1)
    }
}
