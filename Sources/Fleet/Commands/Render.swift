import Foundation
import Glibc
import Inventory
import Playbook
import Vault
import FileStatus

/// Every file a playbook puts on the hosts `pattern` selects (every host: nil), rendered
/// whole before anything is written; a mistake is the loaders' `FILE:LINE:COL: error`.
public func renderFiles(playbook path: String, inventory: InventoryOptions, pattern: String?) throws
    -> [(host: InventoryHost, files: [RenderedFile])] {
    let vault = inventory.vault
    let inventory = try inventory.load()
    let playbook = try Playbook.load(path: path, vault: vault)
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

/// Checks before anything is rendered that `render --out` can write under `out`: an
/// existing directory where a file can be made, or a path whose nearest existing parent
/// is such a directory (`out` is made only when there is something to write).
/// - Throws: ``InputError`` naming `--out`, the path and why.
public func checkRenderOutput(_ out: String) throws(InputError) {
    guard !out.isEmpty else { throw InputError("--out needs a directory name") }
    var directory = out
    var status = FileStatus.of(directory)
    while status == nil {
        let code = errno
        guard code == ENOENT || code == ENOTDIR, directory != parent(of: directory) else {
            throw InputError("--out \(out) cannot be used: \(directory): \(String(cString: strerror(code)))")
        }
        directory = parent(of: directory)
        status = FileStatus.of(directory)
    }
    if directory != out && FileStatus.of(out, following: false) != nil {
        throw InputError("--out \(out) cannot be created: it is a symbolic link to nothing")
    }
    if directory == out && status?.isDirectory != true {
        throw InputError("--out \(out) is a file, not a directory")
    }
    if let why = creationProblem(in: directory) {
        throw InputError("--out \(out) cannot be \(directory == out ? "written" : "created"): \(why)")
    }
}

/// Writes each host's files under `out/HOST/` at their path on the host, with their mode
/// (a secret file 0600 from the moment it exists); returns one line per host saying what
/// it wrote. Every path stays inside `out`: a host name or a file path that would leave
/// it is refused, and so is a symbolic link already in `out` where a directory or a file
/// goes, before anything is written (``RenderPlacement``); ``ConfinedDirectory`` then
/// writes without following any link.
public func writeRendered(_ rendered: [(host: InventoryHost, files: [RenderedFile])], playbook: String,
                          under out: String) throws(InputError) -> [String] {
    let placements = try rendered.map { (entry) throws(InputError) in try RenderPlacement(entry.host.name, entry.files) }
    try checkRenderOutput(out)
    do {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    } catch {
        throw InputError("--out \(out) cannot be created: \(error.localizedDescription)")
    }
    let root = try ConfinedDirectory(opening: URL(fileURLWithPath: out).path)
    for placement in placements { try placement.refuseLinks(under: root) }
    var lines: [String] = []
    for (placement, entry) in zip(placements, rendered) {
        guard !placement.files.isEmpty else {
            lines.append("\(entry.host.name): no files (no play of \(playbook) targets it)")
            continue
        }
        try placement.write(under: root)
        let written = placement.files.map(\.relativePath)
        let count = written.count == 1 ? "1 file" : "\(written.count) files"
        lines.append("\(entry.host.name): \(count) in \(root.shown(placement.host)): \(written.joined(separator: " "))")
    }
    return lines
}
