import Inventory
import Yams

/// Reads the nodes of one playbook file, turning every mistake into a `SourceError` at the node.
///
/// Merge keys and PyYAML's values come from the inventory's reader, so a playbook and an
/// inventory read the same YAML the same way.
struct YAMLReader {
    let source: SourceText

    func mark(_ node: Node) -> SourceMark { SourceMark(node, in: source) }

    func error(_ message: String, at node: Node) -> SourceError { source.error(message, at: node) }

    func tagName(_ node: Node) -> Tag.Name { Tag.Name(rawValue: node.tag.rawValue) }

    func isNull(_ node: Node) -> Bool {
        if case .scalar = node { return tagName(node) == .null }
        return false
    }

    /// "a list", "a mapping", "the string 'maybe'", ... for messages.
    func kind(_ node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case let .scalar(scalar):
            switch tagName(node) {
            case .null: "empty"
            case .bool: "the boolean \(scalar.string)"
            case .int: "the integer \(scalar.string)"
            case .float: "the number \(scalar.string)"
            default: "the string '\(scalar.string)'"
            }
        }
    }

    /// A mapping's pairs with merge keys (`<<: *defaults`) applied as PyYAML applies them.
    func pairs(_ node: Node) throws(SourceError) -> [(key: Node, value: Node)] {
        try node.mergedPairs(in: source)
    }

    /// The keys and values of a mapping, checking each key against `known`.
    ///
    /// - Parameter context: How messages name the mapping: "play 'Border cluster'".
    func fields(
        _ node: Node, known: [String], context: String, hint: String? = nil
    ) throws(SourceError) -> [(name: String, key: Node, value: Node)] {
        var result: [(name: String, key: Node, value: Node)] = []
        for (key, value) in try pairs(node) {
            guard case let .scalar(scalar) = key else {
                throw error("a key must be a plain name, not \(kind(key))", at: key)
            }
            let name = scalar.string
            guard known.contains(name) else {
                var message = "unknown key '\(name)' in \(context)"
                if let suggestion = Suggestion.nearest(to: name, among: known) {
                    message += "; did you mean '\(suggestion)'?"
                } else {
                    message += "; " + (hint ?? "the keys are " + known.map { "'\($0)'" }.joined(separator: ", "))
                }
                throw error(message, at: key)
            }
            result.append((name, key, value))
        }
        return result
    }

    /// A mapping node, or an error naming what it should be.
    func mapping(_ node: Node, what: String) throws(SourceError) -> Node {
        guard case .mapping = node else { throw error("\(what) must be a mapping, not \(kind(node))", at: node) }
        return node
    }

    /// The items of a list node.
    func list(_ node: Node, what: String) throws(SourceError) -> [Node] {
        guard case let .sequence(sequence) = node else { throw error("\(what) must be a list, not \(kind(node))", at: node) }
        return Array(sequence)
    }

    /// A non-empty string. Numbers are taken as written; booleans, null, lists and mappings are not.
    func string(_ node: Node, what: String) throws(SourceError) -> String {
        guard case let .scalar(scalar) = node, tagName(node) != .null, tagName(node) != .bool else {
            throw error("\(what) must be a string, not \(kind(node))", at: node)
        }
        guard !scalar.string.isEmpty else { throw error("\(what) cannot be empty", at: node) }
        return scalar.string
    }

    /// `true`/`false` (or PyYAML's `yes`/`no`/`on`/`off`).
    func bool(_ node: Node, what: String) throws(SourceError) -> Bool {
        guard case let .scalar(scalar) = node, tagName(node) == .bool, let bool = Bool.construct(from: scalar) else {
            throw error("\(what) must be true or false, not \(kind(node))", at: node)
        }
        return bool
    }

    /// A variable's value, as PyYAML (and so Ansible) constructs it.
    func value(_ node: Node) throws(SourceError) -> Value {
        try Value(yaml: node, in: source)
    }

    /// Where a scalar's text starts on its line when it is written there as is (plain, or
    /// quoted without escapes, on one line): so an error inside a value can point at the
    /// character. Nil when the text is not found verbatim.
    func textColumn(of node: Node) -> Int? {
        guard case let .scalar(scalar) = node, let mark = node.mark, !scalar.string.contains("\n") else { return nil }
        let line = source.line(mark.line).unicodeScalars
        var start = line.index(line.startIndex, offsetBy: mark.column - 1, limitedBy: line.endIndex) ?? line.endIndex
        var column = mark.column
        switch scalar.style {
        case .singleQuoted, .doubleQuoted:
            guard start < line.endIndex else { return nil }
            start = line.index(after: start)
            column += 1
        case .plain, .any:
            break
        default:
            return nil
        }
        return line[start...].starts(with: scalar.string.unicodeScalars) ? column : nil
    }
}
