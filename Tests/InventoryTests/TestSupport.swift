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

/// Writes `files` (relative path → text) into a temporary directory, then runs `body` on
/// the directory's path. Parent directories are made as needed.
func withFiles<T>(_ files: [String: String], _ body: (String) throws -> T) throws -> T {
    try withTemporaryDirectory { directory in
        for (path, text) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return try body(directory.path)
    }
}

/// The inventory `files` make, loaded from `inventory` among them (with its variables directories).
func loadInventory(_ files: [String: String], inventory: String) throws -> Inventory {
    try withFiles(files) { directory in try Inventory.load(path: directory + "/" + inventory) }
}

/// The inventory an INI text makes, loaded from a file named `hosts` (no extension, as
/// Ansible's default inventory).
func loadINI(_ text: String, name: String = "hosts") throws -> Inventory {
    try loadInventory([name: text], inventory: name)
}

/// The error loading `files` throws, with the directory they were written to (so the
/// expected path can be built); records an issue if they load.
func loadError(
    _ files: [String: String], inventory: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws -> (directory: String, error: SourceError) {
    try withFiles(files) { directory in
        do {
            _ = try Inventory.load(path: directory + "/" + inventory)
        } catch let error as SourceError {
            return (directory, error)
        }
        Issue.record("the inventory loaded without error", sourceLocation: sourceLocation)
        throw CancellationError()
    }
}
