import Foundation
import Testing

@testable import Inventory

/// A fresh directory under the system's temporary directory, removed at the end of `body`.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("postfleet-inventory-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// Writes `yaml` to `inventory.yml` in a temporary directory, then runs `body` on its path.
func withInventoryFile<T>(_ yaml: String, _ body: (String) throws -> T) throws -> T {
    try withTemporaryDirectory { directory in
        let path = directory.appendingPathComponent("inventory.yml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return try body(path)
    }
}

/// The inventory `yaml` makes, loaded from a file.
func loadInventory(_ yaml: String) throws -> Inventory {
    try withInventoryFile(yaml) { path in try Inventory.load(path: path) }
}

/// The error loading `yaml` from a file throws, and the file's path; records an issue if it loads.
func loadError(
    _ yaml: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws -> (path: String, error: SourceError) {
    try withInventoryFile(yaml) { path in
        do {
            _ = try Inventory.load(path: path)
        } catch let error as SourceError {
            return (path, error)
        }
        Issue.record("the inventory loaded without error", sourceLocation: sourceLocation)
        throw CancellationError()
    }
}

/// Host names, for comparing selections.
func names(_ hosts: [Inventory.Host]) -> [String] {
    hosts.map(\.name)
}
