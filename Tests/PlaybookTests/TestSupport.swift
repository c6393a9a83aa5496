import Foundation
import Inventory
import Playbook
import Testing

/// The repository's root, to reach the shipped playbooks and inventories.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// A fresh directory under the system's temporary directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("postfleet-playbook-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory.path)
}

/// Writes `files` (paths relative to `directory`) into `directory`.
func write(_ files: [String: String], into directory: String) throws {
    for (path, text) in files {
        let url = URL(fileURLWithPath: directory).appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}

/// Writes `playbook.yml` and `files` into a temporary directory and runs `body` on the
/// playbook's path.
func withPlaybookFiles<T>(_ yaml: String, files: [String: String] = [:], _ body: (String) throws -> T) throws -> T {
    try withTemporaryDirectory { directory in
        try write(files.merging(["playbook.yml": yaml]) { $1 }, into: directory)
        return try body(directory + "/playbook.yml")
    }
}

/// The playbook `yaml` makes, with `files` beside it.
func loadPlaybook(_ yaml: String, files: [String: String] = [:]) throws -> Playbook {
    try withPlaybookFiles(yaml, files: files) { path in try Playbook.load(path: path) }
}

/// The error loading `yaml` throws, and the playbook's path; records an issue if it loads.
func loadError(
    _ yaml: String, files: [String: String] = [:], sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws -> (path: String, error: SourceError) {
    try withPlaybookFiles(yaml, files: files) { path in
        do {
            _ = try Playbook.load(path: path)
        } catch let error as SourceError {
            return (path, error)
        }
        Issue.record("the playbook loaded without error", sourceLocation: sourceLocation)
        throw CancellationError()
    }
}

/// The first line of an error's description: `FILE:LINE:COL: error: MESSAGE`.
func firstLine(_ error: SourceError) -> String {
    String(error.description.prefix { $0 != "\n" })
}

/// The border cluster of the example inventory, small.
let exampleInventory = """
    all:
      vars:
        domain: example.com
        admin: mtaadmin
        mailhub: mailhub.example.com
      children:
        border:
          hosts:
            mta[1:3]:
            mta3: {ansible_host: 198.18.0.3}
        hub:
          hosts:
            mailhub:
    """

func inventory(_ yaml: String = exampleInventory) throws -> Inventory {
    try Inventory.parse(yaml: yaml, path: "inventory.yml")
}

extension Inventory {
    func requireHost(_ name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> InventoryHost {
        try #require(host(named: name), sourceLocation: sourceLocation)
    }
}

extension Array where Element == RenderedFile {
    /// The file rendered at `path`, as text.
    func text(at path: String) -> String? {
        first { $0.path == path }?.text
    }
}
