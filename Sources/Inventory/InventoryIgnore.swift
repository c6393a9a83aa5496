import Foundation

/// Which entries of an inventory directory are not inventories, as Ansible's InventoryManager
/// decides: hidden entries, `host_vars`, `group_vars` and `vars_plugins`, names ending in one
/// of ``extensions`` (INVENTORY_IGNORE_EXTS), and names in which one of ``patterns``
/// (INVENTORY_IGNORE_PATTERNS, Python regular expressions) is found. Directories too.
public struct InventoryIgnore: Sendable, Hashable {
    /// ansible-core 2.19's default: REJECT_EXTS, then `.orig`, `.cfg`, `.retry`.
    public static let defaultExtensions = [
        ".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst", ".orig", ".cfg", ".retry",
    ]

    /// Endings that leave an entry out (`inventory_ignore_extensions` in ansible.cfg).
    public var extensions: [String]
    /// Regular expressions that leave an entry out where they match any part of its name
    /// (`inventory_ignore_patterns`).
    public var patterns: [String]

    public init(extensions: [String] = InventoryIgnore.defaultExtensions, patterns: [String] = []) {
        self.extensions = extensions
        self.patterns = patterns
    }

    /// Ansible's IGNORED_ALWAYS.
    static let alwaysIgnored: Set<String> = ["host_vars", "group_vars", "vars_plugins"]

    /// Whether the entry named `name` is left out.
    public func skips(_ name: String) -> Bool {
        if name.hasPrefix(".") || Self.alwaysIgnored.contains(name) { return true }
        if extensions.contains(where: { name.hasSuffix($0) }) { return true }
        return patterns.contains { pattern in
            guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
            return regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
        }
    }

    /// The first pattern that is not a regular expression, with why; nil when all are.
    public func invalidPattern() -> (pattern: String, reason: String)? {
        for pattern in patterns {
            do {
                _ = try NSRegularExpression(pattern: pattern)
            } catch {
                return (pattern, "not a regular expression")
            }
        }
        return nil
    }
}
