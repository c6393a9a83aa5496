import Foundation
import Inventory

extension RenderedFile {
    /// This file knowing which of `values` (vault plaintexts of its host's variables) its
    /// text holds. A table that holds one is secret (0600, its values hidden in diffs,
    /// whatever `secret:` says); a `main.cf.postconf` or `master.cf.postconf` shows them as
    /// `(secret)` in its text (its ``edits``, which a run applies, keep them). A whole
    /// main.cf or master.cf is the host's file and keeps them: a diff and a report hide them.
    func holdingVaultValues(_ values: Set<String>) -> RenderedFile {
        let text = self.text
        let held = values.filter { !$0.isEmpty && text.holds($0) }.sorted { $0.count > $1.count }
        guard !held.isEmpty else { return self }
        var contents = self.contents
        if kind == .mainCFEdits || kind == .masterCFEdits {
            contents = Array(held.reduce(text) { $0.replacingAll($1, with: Self.secretMask) }.utf8)
        }
        let table = if case .table = kind { true } else { false }
        return RenderedFile(path: path, contents: contents, secret: secret || table, instance: instance, kind: kind,
                            edits: edits, vaultValues: held)
    }
}

extension Playbook {
    /// Every vault plaintext of the plays' `vars:`, longest first.
    public var vaultPlaintexts: [String] {
        Set(plays.flatMap { $0.vars.values.flatMap(\.vaultPlaintexts) }).filter { !$0.isEmpty }.sorted { $0.count > $1.count }
    }
}
