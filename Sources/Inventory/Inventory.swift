import Foundation
import Vault
import Yams

/// The hosts and groups of an Ansible inventory.
public struct Inventory: Sendable {
    /// The file it was loaded from, as given.
    public let path: String
    /// Every host, in order of first appearance in the file.
    public let hosts: [Host]
    /// Every group: `all`, `ungrouped`, then in order of first appearance in the file.
    public let groups: [Group]
    /// `-e` variables: over every inventory and play variable (already in each host's `vars`).
    public internal(set) var extraVariables: [String: Value] = [:]

    private let hostIndex: [String: Int]
    private let groupIndex: [String: Int]
    /// Group members and host selections, found on first use (see ``Membership``).
    let membership = Membership()

    /// An inventory made in code. `groups` may leave out groups that only hosts name;
    /// `all` and `ungrouped` are always there.
    public init(path: String = "", hosts: [Host], groups: [Group] = []) {
        self.path = path
        self.hosts = hosts
        var groups = groups
        for name in [Group.ungrouped, Group.all] where !groups.contains(where: { $0.name == name }) {
            groups.insert(Group(name: name, depth: name == Group.all ? 0 : 1), at: 0)
        }
        // A set, not a search per name: a host may be in thousands of groups.
        var named = Set(groups.map(\.name))
        for name in hosts.flatMap(\.groups) where named.insert(name).inserted {
            groups.append(Group(name: name, depth: 1))
        }
        self.groups = groups
        hostIndex = Dictionary(hosts.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        groupIndex = Dictionary(groups.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Loads an inventory file, in Ansible's YAML or INI format, with the `group_vars/`
    /// and `host_vars/` directories beside it.
    ///
    /// The format is told as Ansible tells it: `.yml`, `.yaml` and `.json` files are YAML,
    /// `.ini` files INI; any other file is YAML if it reads as a YAML mapping of groups,
    /// else INI.
    ///
    /// `!vault` values and vars files encrypted whole are decrypted with `vault`'s passwords
    /// (see ``VaultedString``).
    ///
    /// - Throws: `FileError` when a file cannot be read, `SourceError` (file, line,
    ///   column, message) for any mistake in the inventory or in a variables file, and for a
    ///   vault value or file that cannot be decrypted (at its `!vault` tag, or the file's start).
    public static func load(path: String, vault: VaultKeyring = .empty) throws -> Inventory {
        try load(path: path, home: nil, vault: vault)
    }

    /// `load(path:vault:)`, with `home` for key file paths starting with `~` (`$HOME` when nil).
    /// The path may also be a directory, a script or a host list (see ``load(sources:options:)``).
    static func load(path: String, home: String?, vault: VaultKeyring = .empty) throws -> Inventory {
        var options = LoadOptions()
        options.home = home
        options.vault = vault
        return try load(sources: [path], options: options)
    }

    /// Reads an inventory in Ansible's YAML format from text; `path` names it in errors.
    public static func parse(yaml: String, path: String = "inventory.yml") throws(SourceError) -> Inventory {
        try YAMLInventoryLoader.load(SourceText(path: path, text: yaml))
    }

    /// Reads an inventory in Ansible's INI format from text; `path` names it in errors.
    public static func parse(ini: String, path: String = "inventory.ini") throws(SourceError) -> Inventory {
        try INIInventoryLoader.load(SourceText(path: path, text: ini))
    }

    /// Reads an inventory from text in the format its path and content tell, without
    /// variables directories.
    static func load(_ source: SourceText, home: String? = nil) throws(SourceError) -> Inventory {
        var builder = InventoryBuilder()
        try read(source, into: &builder)
        return builder.build(path: source.path, home: home)
    }

    /// The two formats of Ansible inventory files postfleet reads.
    public enum Format: Sendable, Hashable {
        case yaml
        case ini
    }

    /// Which format a file is in: by extension, else by content.
    public static func format(of source: SourceText) -> Format {
        (try? detect(source))?.format ?? .yaml
    }

    /// Adds what an inventory file says to `builder`, which may hold earlier sources already.
    /// Reads the inventory file at `path` into `builder`; one encrypted whole with
    /// ansible-vault is decrypted first, and its variables are vault strings (so are those
    /// of the sources read before it, which only hides more).
    static func readFile(_ path: String, into builder: inout InventoryBuilder) throws {
        let source = try SourceText.read(path: path)
        guard VaultEnvelope.isEncrypted(source.text) else { return try read(source, into: &builder) }
        try read(source.decrypted(), into: &builder)
        builder.makeVariablesVaulted()
    }

    static func read(_ source: SourceText, into builder: inout InventoryBuilder) throws(SourceError) {
        let (format, root) = try detect(source)
        switch format {
        case .ini: try INIInventoryLoader.read(source, into: &builder)
        case .yaml: try YAMLInventoryLoader.read(source, root: root, into: &builder)
        }
    }

    /// The format, and for YAML found by content the root node already composed.
    ///
    /// Ansible tries its `yaml` plugin on `.yml`, `.yaml`, `.json` and extensionless files and
    /// its `ini` plugin on `.ini` and extensionless ones. postfleet reads any other extension
    /// (`.txt`, `.cfg`) by content too, where ansible-core 2.19 skips the file.
    private static func detect(_ source: SourceText) throws(SourceError) -> (format: Format, root: Node?) {
        let ext = VariableFiles.pathExtension((source.path as NSString).lastPathComponent).lowercased()
        if [".yml", ".yaml", ".json"].contains(ext) { return (.yaml, nil) }
        if ext == ".ini" { return (.ini, nil) }
        do throws(SourceError) {
            // A mapping of groups: every value a mapping or empty (a line of INI such as
            // `mta1 motd="a: b"` is a YAML mapping too, of a string).
            if let root = try source.composeInventoryYAML(), case let .mapping(mapping) = root,
               mapping.allSatisfy({ if case .mapping = $0.value { true } else { $0.value.isNull(in: source) } })
            {
                return (.yaml, root)
            }
            return (.ini, nil)
        } catch {
            // Not YAML: INI, unless its first line can only be YAML ('---' or 'name:').
            if looksLikeYAML(source) { throw error }
            return (.ini, nil)
        }
    }

    /// Whether the first meaningful line is `---` or starts with a key (`all:`,
    /// `border: {...}`), which no INI inventory line can (Ansible refuses a host ending in ':').
    private static func looksLikeYAML(_ source: SourceText) -> Bool {
        guard source.lineCount > 0 else { return false }
        for number in 1...source.lineCount {
            let line = source.line(number).trimmingPythonSpace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("---") { return true }
            guard let colon = line.firstIndex(of: ":") else { return false }
            let key = line[..<colon]
            let after = line[line.index(after: colon)...]
            return !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || "_-.".contains($0) }
                && (after.isEmpty || after.first == " ")
        }
        return false
    }

    /// The host named `name`, if any.
    public func host(named name: String) -> Host? {
        hostIndex[name].map { hosts[$0] }
    }

    /// The group named `name`, if any.
    public func group(named name: String) -> Group? {
        groupIndex[name].map { groups[$0] }
    }

    /// Every group's name: `all`, `ungrouped`, then in order of first appearance.
    public var groupNames: [String] {
        groups.map(\.name)
    }
}
