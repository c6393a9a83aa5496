import Foundation
import Playbook
import Postfix

/// `postconf -M` lines by service key, as whitespace-split fields.
enum ServiceLine {
    static func index(_ lines: [String]) -> [MasterServiceKey: [String]] {
        index(fields: lines.map(MasterCF.fields))
    }

    /// Services already split into fields, by their key; those of fewer than two fields left out.
    static func index(fields services: [[String]]) -> [MasterServiceKey: [String]] {
        var out: [MasterServiceKey: [String]] = [:]
        for fields in services where fields.count >= 2 {
            out[MasterServiceKey(name: fields[0], type: fields[1])] = fields
        }
        return out
    }
}

/// One difference `--diff` shows: a main.cf parameter, a master.cf service, or a table key.
public struct DiffEntry: Sendable, Equatable {
    public enum Section: Sendable, Equatable, CustomStringConvertible {
        case mainCF
        case masterCF
        case table(String)
        /// A file of `files:` (a certificate, a key).
        case file(String)

        public var description: String {
            switch self {
            case .mainCF: "main.cf"
            case .masterCF: "master.cf"
            case let .table(name), let .file(name): name
            }
        }
    }

    public var section: Section
    public var key: String
    /// nil: added.
    public var old: String?
    /// nil: removed.
    public var new: String?

    public init(section: Section, key: String, old: String?, new: String?) {
        self.section = section
        self.key = key
        self.old = old
        self.new = new
    }

    /// What a secret value shows as.
    public static let secret = RenderedFile.secretMask
    /// The key of a table entry that says its file (or index) has the wrong permission bits.
    public static let modeKey = "(mode)"

    /// This entry with its values hidden: it says that a secret was added, removed or changed.
    var redacted: DiffEntry {
        DiffEntry(section: section, key: key, old: old.map { _ in Self.secret }, new: new.map { _ in Self.secret })
    }

    /// A password map given in main.cf itself (`smtp_sasl_password_maps = static:user:pass`,
    /// `inline:{...}`): its value is the secret.
    var holdsInlineSecret: Bool {
        key.hasSuffix("_password_maps") && [old, new].contains { value in
            value.map { $0.contains("static:") || $0.contains("inline:") } ?? false
        }
    }

    /// `+ name = value`, `- name = value`, `~ name = old -> new`.
    public var line: String {
        switch (old, new) {
        case let (nil, new?): "+ \(key) = \(new)"
        case let (old?, nil): "- \(key) = \(old)"
        case let (old?, new?): "~ \(key) = \(old) -> \(new)"
        case (nil, nil): "~ \(key)"
        }
    }

    static func parameters(old: [String: String], new: [String: String], order: [String]) -> [DiffEntry] {
        var out: [DiffEntry] = []
        for name in order {
            let value = new[name]!
            if let was = old[name], InstancePlan.normalized(was) == InstancePlan.normalized(value) { continue }
            out.append(DiffEntry(section: .mainCF, key: name, old: old[name], new: value))
        }
        for name in old.keys.sorted() where new[name] == nil {
            out.append(DiffEntry(section: .mainCF, key: name, old: old[name], new: nil))
        }
        return out
    }

    static func services(old: [MasterServiceKey: [String]], new: [MasterServiceKey: [String]], order: [MasterServiceKey]) -> [DiffEntry] {
        var out: [DiffEntry] = []
        for key in order where old[key] != new[key] {
            out.append(DiffEntry(section: .masterCF, key: key.description,
                                 old: old[key]?.joined(separator: " "), new: new[key]!.joined(separator: " ")))
        }
        for key in old.keys.sorted() where new[key] == nil {
            out.append(DiffEntry(section: .masterCF, key: key.description, old: old[key]!.joined(separator: " "), new: nil))
        }
        return out
    }

    /// Per key of a table source (`key value` lines; comments and blank lines ignored; a
    /// key's first line counts, as postmap(1) keeps the first and warns about the others).
    static func table(_ name: String, old: String, new: String) -> [DiffEntry] {
        func entries(_ text: String) -> (order: [String], values: [String: String]) {
            var order: [String] = [], values: [String: String] = [:]
            for raw in text.split(separator: "\n") {
                let line = raw.trimmingCharacters(in: .whitespaces)
                guard !line.isEmpty, !line.hasPrefix("#") else { continue }
                let key = String(line.prefix { $0 != " " && $0 != "\t" })
                let value = line.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
                if values[key] == nil { order.append(key); values[key] = value }
            }
            return (order, values)
        }
        let (oldOrder, oldValues) = entries(old)
        let (newOrder, newValues) = entries(new)
        var out: [DiffEntry] = []
        for key in newOrder where oldValues[key] != newValues[key] {
            out.append(DiffEntry(section: .table(name), key: key, old: oldValues[key], new: newValues[key]))
        }
        for key in oldOrder where newValues[key] == nil {
            out.append(DiffEntry(section: .table(name), key: key, old: oldValues[key], new: nil))
        }
        return out
    }
}
