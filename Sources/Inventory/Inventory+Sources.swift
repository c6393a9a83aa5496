import Foundation
import Vault
import FileStatus

extension Inventory {
    /// How ``load(sources:options:)`` reads its sources.
    public struct LoadOptions: Sendable {
        /// `-e`, already read (``ExtraVariables``): over every variable of every host.
        public var extraVariables: [String: Value] = [:]
        /// The entries of an inventory directory that are not inventories.
        public var ignore = InventoryIgnore()
        /// How long one run of an inventory script may take before it is stopped (Ansible sets none).
        public var scriptTimeout: Duration = InventoryScript.defaultTimeout
        /// The home directory for key file paths starting with `~`; `$HOME` when nil.
        var home: String?
        /// The vault passwords `!vault` values and encrypted files are decrypted with.
        public var vault: VaultKeyring = .empty

        public init() {}
    }

    /// Loads inventory sources (each `-i`), merged in order as Ansible's InventoryManager
    /// merges them: one inventory of every source's hosts and groups, a later source's
    /// variables over an earlier one's for the same group or host, and the `group_vars/` and
    /// `host_vars/` of each source (beside a file or a script, inside a directory) read for
    /// every group and host, source after source. A source is, as Ansible tells them:
    ///
    /// - a host list: text with a comma that names no file (`mta1,mta2,`, `mta1:2222,`);
    /// - a directory: its entries in code point order, hidden ones, `group_vars`, `host_vars`,
    ///   `vars_plugins` and what ``InventoryIgnore`` skips left out, subdirectories read the same way;
    /// - an executable program (`#!` or ELF): an inventory script (``InventoryScript``);
    /// - any other file: Ansible YAML or INI (see ``load(path:)``).
    ///
    /// Where Ansible only warns about a source it cannot read and goes on without it, this is an error.
    ///
    /// - Throws: `FileError` for a missing or unreadable file, `SourceError` (file, line,
    ///   column) for a mistake in one, `InventorySourceError` for a script, host list or
    ///   directory entry that gave no inventory.
    public static func load(sources: [String], options: LoadOptions = LoadOptions()) throws -> Inventory {
        try VaultDecryption(options.vault).run {
            var builder = InventoryBuilder()
            let reader = SourceReader(options: options)
            for source in sources {
                try reader.read(source, into: &builder)
            }
            for (index, source) in sources.enumerated() {
                guard let directory = SourceReader.variablesDirectory(of: source) else { continue }
                try VariableFiles.load(in: directory, source: index, into: &builder)
            }
            builder.extraVariables = options.extraVariables
            return builder.build(path: sources.joined(separator: ","), home: options.home)
        }
    }
}

/// Reads one source, of any kind, into a builder.
struct SourceReader {
    let options: Inventory.LoadOptions

    /// Deeper than this, a directory is taken for a loop of symbolic links.
    static let maximumDepth = 32

    /// Whether Ansible reads `source` as a host list: it has a comma and names no file.
    static func isHostList(_ source: String) -> Bool {
        source.contains(",") && !FileManager.default.fileExists(atPath: source)
    }

    /// Where the `group_vars/` and `host_vars/` of a source are: a directory's own, beside a
    /// file; none for a host list (Ansible's get_vars_from_inventory_sources).
    static func variablesDirectory(of source: String) -> String? {
        if isHostList(source) { return nil }
        if VariableFiles.isDirectory(source) { return source }
        return (source as NSString).deletingLastPathComponent
    }

    func read(_ source: String, into builder: inout InventoryBuilder) throws {
        if Self.isHostList(source) {
            try HostList.read(source, into: &builder)
        } else if VariableFiles.isDirectory(source) {
            // As Ansible, which would warn and go on with no hosts.
            guard try readDirectory(source, depth: 0, into: &builder) else {
                throw InventorySourceError(
                    source: source, message: "holds no inventory: every entry is hidden, group_vars, host_vars, or ends in one of \(options.ignore.extensions.joined(separator: " "))")
            }
        } else if InventoryScript.isScript(source) {
            try InventoryScript(path: source, timeout: options.scriptTimeout).read(into: &builder)
        } else {
            try Inventory.readFile(source, into: &builder)
        }
    }

    /// Reads every entry that is an inventory; returns whether there was one.
    private func readDirectory(_ directory: String, depth: Int, into builder: inout InventoryBuilder) throws -> Bool {
        guard depth < Self.maximumDepth else {
            throw InventorySourceError(
                source: directory, message: "inventory directories nest more than \(Self.maximumDepth) deep (a loop of symbolic links?)")
        }
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw FileError(path: directory, reason: .notReadable)
        }
        var read = false
        for entry in entries.sorted(by: PythonJSON.codePointOrder) where !options.ignore.skips(entry) {
            let path = VariableFiles.joined(directory, entry)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw InventorySourceError(source: path, message: "is a symbolic link to nothing")
            }
            if isDirectory.boolValue {
                if try readDirectory(path, depth: depth + 1, into: &builder) { read = true }
                continue
            }
            guard Self.isRegularFile(path) else {
                // A FIFO or a socket would never end; Ansible would wait on it.
                throw InventorySourceError(source: path, message: "is neither a file nor a directory; an inventory directory holds inventories")
            }
            if InventoryScript.isScript(path) {
                try InventoryScript(path: path, timeout: options.scriptTimeout).read(into: &builder)
            } else {
                try Inventory.readFile(path, into: &builder)
            }
            read = true
        }
        return read
    }

    /// Whether `path` is a regular file, following symbolic links.
    private static func isRegularFile(_ path: String) -> Bool {
        FileStatus.of(path)?.isRegularFile == true
    }
}
