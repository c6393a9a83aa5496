import Foundation
import Inventory
import Playbook

/// Every file a playbook puts on the hosts `pattern` selects (every host: nil), rendered
/// whole before anything is written; a mistake is the loaders' `FILE:LINE:COL: error`.
public func renderFiles(playbook path: String, inventory: String, pattern: String?) throws
    -> [(host: InventoryHost, files: [RenderedFile])] {
    let inventory = try Inventory.load(path: inventory)
    let playbook = try Playbook.load(path: path)
    let hosts: [InventoryHost]
    if let pattern {
        do {
            hosts = try inventory.select(pattern)
        } catch {
            throw InputError("--host \(pattern): \(error)")
        }
    } else {
        hosts = inventory.hosts
    }
    return try hosts.map { ($0, try playbook.render(for: $0, inventory: inventory)) }
}

/// Writes each host's files under `out/HOST/` at their path on the host, with their mode;
/// returns one line per host saying what it wrote.
public func writeRendered(_ rendered: [(host: InventoryHost, files: [RenderedFile])], playbook: String,
                          under out: String) throws(InputError) -> [String] {
    let root = URL(fileURLWithPath: out)
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), !isDirectory.boolValue {
        throw InputError("--out \(out) is a file, not a directory")
    }
    var lines: [String] = []
    for (host, files) in rendered {
        guard !files.isEmpty else {
            lines.append("\(host.name): no files (no play of \(playbook) targets it)")
            continue
        }
        let hostDirectory = root.appendingPathComponent(host.name)
        var written: [String] = []
        for file in files {
            let relative = String(file.path.drop { $0 == "/" })
            let url = hostDirectory.appendingPathComponent(relative)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents).write(to: url)
                try FileManager.default.setAttributes([.posixPermissions: file.mode], ofItemAtPath: url.path)
            } catch {
                throw InputError("cannot write \(url.path): \(error.localizedDescription)")
            }
            written.append(relative)
        }
        let count = written.count == 1 ? "1 file" : "\(written.count) files"
        lines.append("\(host.name): \(count) in \(hostDirectory.path): \(written.joined(separator: " "))")
    }
    return lines
}
