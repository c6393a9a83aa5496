import Inventory
import Yams

/// Template and file paths, read relative to the playbook's directory.
extension PlaybookLoader {
    /// A template file named by a path value; a missing file is an error at the value.
    func templateFile(_ node: Node, what: String) throws(SourceError) -> (template: Template, source: SourceText) {
        let (path, text) = try read(node, what: what, kind: "template")
        return (try Template(file: text, shownPath: path), text)
    }

    func fileSource(_ node: Node, what: String) throws(SourceError) -> FileSource {
        let (path, text) = try read(node, what: what, kind: "file")
        return FileSource(path: path, resolvedPath: text.path, contents: Array(text.text.utf8), mark: reader.mark(node))
    }

    private func read(_ node: Node, what: String, kind: String) throws(SourceError) -> (String, SourceText) {
        let path = try reader.string(node, what: what)
        let resolved = path.hasPrefix("/") || baseDirectory == "." ? path : baseDirectory + "/" + path
        do {
            return (path, try SourceText.read(path: resolved))
        } catch {
            throw reader.error(Self.unreadable(kind, path: path, resolved: resolved, error), at: node)
        }
    }

    /// Why the file `path` (read at `resolved`) could not be read, as an error message says it.
    static func unreadable(_ kind: String, path: String, resolved: String, _ error: FileError) -> String {
        let lookedFor = resolved == path ? "" : " (looked for \(resolved))"
        return switch error.reason {
        case .notFound: "\(kind) '\(path)' does not exist\(lookedFor); paths are relative to the playbook's directory"
        case .isDirectory: "\(kind) '\(path)' is a directory, not a file\(lookedFor)"
        case .notReadable: "\(kind) '\(path)' cannot be read: permission denied\(lookedFor)"
        case .notUTF8: "\(kind) '\(path)' is not UTF-8 text\(lookedFor)"
        }
    }
}
