import Inventory
import Playbook

/// Where one host's rendered files go under `render --out`: `HOST/`, then each file's path
/// on the host, as names relative to the output directory. Made only from a host name and
/// paths that stay inside it (no `.`, `..` or `/` in the name, no `.` or `..` in a path),
/// and written only after ``refuseLinks(under:)`` found no link on the way.
struct RenderPlacement {
    struct File {
        /// The directories from the host's directory down, in order: `etc`, `postfix`.
        let directories: [String]
        let name: String
        let contents: [UInt8]
        let mode: Int

        /// `etc/postfix/main.cf`.
        var relativePath: String { (directories + [name]).joined(separator: "/") }
    }

    /// The name of the host's directory: the host name.
    let host: String
    let files: [File]

    /// - Throws: ``InputError`` for a host name or a file path that would leave the directory.
    init(_ host: String, _ rendered: [RenderedFile]) throws(InputError) {
        if let problem = HostName.problem(host) { throw InputError("render --out: \(problem)") }
        self.host = host
        files = try rendered.map { (file) throws(InputError) in
            let names = file.path.split(separator: "/").map(String.init)
            guard let name = names.last, !names.contains(where: { $0 == "." || $0 == ".." }) else {
                throw InputError("render --out: the file \(file.path) of host \(host) cannot be written under a directory: its path must be absolute, without '.' or '..'")
            }
            return File(directories: names.dropLast(), name: name, contents: file.contents, mode: file.mode)
        }
    }

    /// Refuses, before anything is written, a symbolic link (or anything but a directory)
    /// where one of the host's directories goes, and a link or a directory where a file
    /// goes: `render --out` writes through no link, and a hostile or stale directory is
    /// found before any host's files are written.
    func refuseLinks(under root: ConfinedDirectory) throws(InputError) {
        // A host seen for the first time has nothing under its directory (one look, not one per file).
        if try root.entry(host) == .missing { return }
        var checked: Set<String> = []
        for file in files {
            var relative = ""
            for name in [host] + file.directories {
                relative += (relative.isEmpty ? "" : "/") + name
                guard checked.insert(relative).inserted else { continue }
                switch try root.entry(relative) {
                case .missing, .directory: continue
                case .link: throw InputError("cannot write under \(root.shown(relative)): \(ConfinedDirectory.linkRefused)")
                case .file, .other: throw InputError("cannot write under \(root.shown(relative)): it is not a directory")
                }
            }
            let path = relative + "/" + file.name
            switch try root.entry(path) {
            case .missing, .file: continue
            case .link: throw InputError("cannot write \(root.shown(path)): \(ConfinedDirectory.linkRefused)")
            case .directory: throw InputError("cannot write \(root.shown(path)): it is a directory")
            case .other: throw InputError("cannot write \(root.shown(path)): it is not a regular file")
            }
        }
    }

    /// Writes every file under `root/HOST/`, making the directories on the way.
    func write(under root: ConfinedDirectory) throws(InputError) {
        let hostDirectory = try root.subdirectory(host)
        var opened: [String: ConfinedDirectory] = [:]
        for file in files {
            var directory = hostDirectory
            var relative = ""
            for name in file.directories {
                relative += "/" + name
                if let known = opened[relative] {
                    directory = known
                } else {
                    directory = try directory.subdirectory(name)
                    opened[relative] = directory
                }
            }
            try directory.write(file.contents, as: file.name, mode: file.mode)
        }
    }
}
