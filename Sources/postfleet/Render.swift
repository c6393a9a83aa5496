import ArgumentParser
import Foundation
import Inventory
import Playbook

/// `postfleet render`: every file a playbook would put on hosts, written under a directory.
/// Contacts no host.
struct Render: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render every file a playbook would put on hosts, contacting none.",
        discussion: """
            Loads and checks the inventory, the playbook and every template first; on any mistake \
            it prints FILE:LINE:COL: error: ... and exits 1 with nothing written. Otherwise each \
            host's files go under OUT/HOST/ at their path on the host (OUT/mta3/etc/postfix/main.cf), \
            and one line per host lists them. A main.cf or master.cf given as parameters or services \
            is written as main.cf.postconf or master.cf.postconf: the postconf commands that apply \
            would run.
            """
    )

    @Argument(help: "The playbook file.")
    var playbook: String

    @Option(name: [.short, .customLong("inventory")], help: "The inventory file.")
    var inventory: String

    @Option(name: .customLong("host"), help: "The host to render for (a host name, or any host pattern).")
    var host: String?

    @Flag(name: .customLong("all"), help: "Render for every host of the inventory.")
    var all = false

    @Option(name: .customLong("out"), help: "The directory to write under (created if missing).")
    var out: String

    func validate() throws {
        if host == nil && !all { throw ValidationError("say which hosts: --host HOST, or --all") }
        if host != nil && all { throw ValidationError("give --host or --all, not both") }
    }

    func run() async throws {
        let inventory = try readInput { try Inventory.load(path: self.inventory) }
        let playbook = try readInput { try Playbook.load(path: self.playbook) }
        let hosts: [InventoryHost]
        if let host {
            do {
                hosts = try inventory.select(host)
            } catch {
                throw BadInput(message: "--host \(host): \(error)")
            }
        } else {
            hosts = inventory.hosts
        }

        // Everything is rendered before anything is written.
        var rendered: [(host: InventoryHost, files: [RenderedFile])] = []
        for host in hosts {
            rendered.append((host, try readInput { try playbook.render(for: host, inventory: inventory) }))
        }

        let root = URL(fileURLWithPath: out)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw BadInput(message: "--out \(out) is a file, not a directory")
        }
        for (host, files) in rendered {
            guard !files.isEmpty else {
                print("\(host.name): no files (no play of \(self.playbook) targets it)")
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
                    throw BadInput(message: "cannot write \(url.path): \(error.localizedDescription)")
                }
                written.append(relative)
            }
            let count = written.count == 1 ? "1 file" : "\(written.count) files"
            print("\(host.name): \(count) in \(hostDirectory.path): \(written.joined(separator: " "))")
        }
    }

}
