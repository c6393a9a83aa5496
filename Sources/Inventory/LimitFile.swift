import Foundation

/// Ansible's `--limit @FILE`: a term of the pattern that starts with `@` is replaced by the
/// lines of FILE (each a pattern; blank lines skipped), as a retry file lists the failed and
/// unreachable hosts of a run, one per line.
enum LimitFile {
    /// `pattern` with every `@FILE` term replaced by FILE's lines, joined by commas; the
    /// pattern unchanged when it has none.
    static func expand(_ pattern: String) throws(HostPatternError) -> String {
        let terms = HostPattern.split(pattern)
        guard terms.contains(where: { $0.hasPrefix("@") }) else { return pattern }
        var expanded: [String] = []
        for term in terms {
            guard term.hasPrefix("@") else {
                expanded.append(term)
                continue
            }
            let path = String(term.dropFirst())
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read as UTF-8 text" : "does not exist"
                throw HostPatternError(pattern: pattern, message: "the limit file \(path) \(reason)")
            }
            let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !lines.isEmpty else { throw HostPatternError(pattern: pattern, message: "the limit file \(path) names no host") }
            expanded += lines
        }
        return expanded.joined(separator: ",")
    }
}
