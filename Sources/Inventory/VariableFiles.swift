import Foundation
import Vault
import Yams

/// `group_vars/` and `host_vars/` beside an inventory file, read as Ansible's
/// `host_group_vars` plugin reads them:
///
///     inventory.ini
///     group_vars/all.yml              # a file: NAME, NAME.yml, NAME.yaml or NAME.json
///     group_vars/border/main.yml      # or a directory of them, read in lexical order
///     group_vars/border/secrets.yml   #   (subdirectories too; hidden files and `~` backups skipped)
///     host_vars/mta1.yml
///
/// For each name only the first of `NAME`, `NAME.yml`, `NAME.yaml`, `NAME.json` that
/// exists is read. A file is JSON if it parses as JSON, else YAML; an empty one is
/// skipped; anything else must be a mapping of variable names to values.
/// Files named after no group or host of the inventory are ignored, as in Ansible.
enum VariableFiles {
    static let extensions = [".yml", ".yaml", ".json"]

    /// Adds to `builder` what `group_vars/` and `host_vars/` in `directory` (an inventory
    /// directory, or the one an inventory file is in) say about its groups and hosts, as the
    /// files of inventory source number `source` (see ``InventoryBuilder/addFileVariables(_:ofGroup:source:)``).
    ///
    /// - Throws: `SourceError` placed in the variables file at fault, or `FileError`.
    static func load(in directory: String, source: Int, into builder: inout InventoryBuilder) throws {
        let groupDirectory = joined(directory, "group_vars")
        let hostDirectory = joined(directory, "host_vars")
        if isDirectory(groupDirectory) {
            for group in builder.groupNames {
                for file in files(for: group, in: groupDirectory) {
                    if let vars = try variables(in: SourceText.read(path: file)) {
                        builder.addFileVariables(vars, ofGroup: group, source: source)
                    }
                }
            }
        }
        if isDirectory(hostDirectory) {
            let listed = listing(hostDirectory)
            for host in builder.hostNames where listed.mayHold(host) {
                for file in files(for: host, in: hostDirectory) {
                    if let vars = try variables(in: SourceText.read(path: file)) {
                        builder.addFileVariables(vars, ofHost: host, source: source)
                    }
                }
            }
        }
    }

    /// The names in a directory, to skip the stat of a name's four candidates (`NAME`,
    /// `NAME.yml`, ...) when none of them is there: one listing for an inventory of many
    /// hosts, of which few have a file.
    struct Listing {
        /// Lowercased, for a file system that ignores case; nil when the directory could not be read.
        let names: Set<String>?

        /// Whether a file for `name` may be there; true whenever that is not sure (a name
        /// that is not ASCII, or with a `/`, or a directory that could not be read).
        func mayHold(_ name: String) -> Bool {
            guard let names, name.utf8.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "/") }) else { return true }
            let base = name.lowercased()
            return names.contains(base) || extensions.contains { names.contains(base + $0) }
        }
    }

    static func listing(_ directory: String) -> Listing {
        Listing(names: (try? FileManager.default.contentsOfDirectory(atPath: directory)).map { Set($0.map { $0.lowercased() }) })
    }

    /// The files that hold `name`'s variables under `directory`, in the order Ansible reads
    /// them (its DataLoader's `find_vars_files`).
    static func files(for name: String, in directory: String) -> [String] {
        // Ansible skips names that start with '/'; a name with '..' could leave the directory.
        guard !name.isEmpty, !name.hasPrefix("/"), !name.split(separator: "/").contains("..") else { return [] }
        let base = joined(directory, name)
        for candidate in [base] + extensions.map({ base + $0 }) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) else { continue }
            return isDirectory.boolValue ? filesInside(candidate) : [candidate]
        }
        return []
    }

    /// Ansible's `_get_dir_vars_files`: entries sorted by code point, hidden ones and `~`
    /// backups skipped; subdirectories without an extension entered; files with no
    /// extension or a known one taken.
    private static func filesInside(_ directory: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var found: [String] = []
        for entry in entries.sorted(by: PythonJSON.codePointOrder) where !entry.hasPrefix(".") && !entry.hasSuffix("~") {
            let path = joined(directory, entry)
            let ext = pathExtension(entry)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                if ext.isEmpty { found += filesInside(path) }
            } else if ext.isEmpty || extensions.contains(ext) {
                found.append(path)
            }
        }
        return found
    }

    /// Python's `os.path.splitext(name)[1]`: from the last dot, unless the name only starts with dots.
    static func pathExtension(_ name: String) -> String {
        guard let dot = name.lastIndex(of: "."), name[..<dot].contains(where: { $0 != "." }) else { return "" }
        return String(name[dot...])
    }

    /// The variables one file sets, or nil for a file Ansible skips (empty, or a false value).
    static func variables(in source: SourceText) throws(SourceError) -> [String: Value]? {
        if VaultEnvelope.isEncrypted(source.text) {
            return try variables(in: source.decrypted())?.mapValues { $0.vaulted() }
        }
        var vars: [String: Value] = [:]
        if let document = JSONReader.read(source.text) {
            guard case let .map(map) = document.value else {
                return try nonMapping(document.value, in: source, at: nil)
            }
            for (name, value) in map {
                let position = document.positions[name] ?? (1, 1)
                try check(name, value, in: source, line: position.line, column: position.column)
                vars[name] = value
            }
        } else {
            guard let root = try source.composeAnsibleYAML() else { return nil }
            guard case .mapping = root else {
                return try nonMapping(try Value(yaml: root, in: source), in: source, at: root)
            }
            for (key, node) in try root.mergedPairs(in: source) {
                let name = try Value.key(key, in: source)
                let value = try Value(yaml: node, in: source)
                try check(name, value, in: source, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
                vars[name] = value
            }
        }
        return vars.isEmpty ? nil : vars
    }

    /// Ansible skips a file whose data is false (`~`, `[]`, `0`, `""`) and refuses any other that is not a mapping.
    private static func nonMapping(_ value: Value, in source: SourceText, at node: Node?) throws(SourceError) -> [String: Value]? {
        switch value {
        case .null, .bool(false), .int(0), .double(0), .string(""), .list([]): return nil
        default:
            throw source.error(
                "a variables file must be a mapping of variable names to values, not \(value.kindDescription)", at: node?.mark)
        }
    }

    private static func check(_ name: String, _ value: Value, in source: SourceText, line: Int, column: Int) throws(SourceError) {
        do throws(InventoryProblem) {
            try ConnectionVariables.check(name, value)
        } catch {
            throw source.error(error.message, line: line, column: column)
        }
    }

    static func joined(_ directory: String, _ name: String) -> String {
        directory.isEmpty ? name : directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
