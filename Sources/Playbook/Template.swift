import Inventory
import Mustache
import Postfix

/// A Mustache template, compiled once when the playbook loads and rendered per host.
///
/// It renders text, never HTML (no `&lt;`), so Postfix's own `$name` and `${name}` and any
/// `<>&"` pass through untouched. Before rendering, every name the template uses for the host
/// is looked up the way Mustache looks it up (through the section stack, `a.b` for a field,
/// `.` for the current item), and a name that is not there is an error at its tag:
/// swift-mustache alone would render it as an empty string.
public struct Template: Sendable {
    /// Where the text comes from, to place errors.
    enum Origin: Sendable {
        /// A template file: positions are the file's.
        case file(SourceText)
        /// A YAML value in a playbook. `column` is where the value's text starts on the mark's
        /// line when the text is written there as is (a plain or quoted one-line scalar);
        /// otherwise errors point at the value.
        case inline(SourceMark, column: Int?)
    }

    /// The template's text.
    public let text: String
    let origin: Origin
    let nodes: [TemplateNode]
    let compiled: MustacheTemplate

    /// The template file's path as the playbook gives it (relative to the playbook), or nil
    /// for a value written in the playbook.
    public let path: String?

    /// Compiles a template file (its path as the user should see it in errors is `source.path`).
    init(file source: SourceText, shownPath: String) throws(SourceError) {
        try self.init(text: source.text, origin: .file(source), path: shownPath)
    }

    /// Compiles a YAML string value written at `mark`.
    init(inline text: String, at mark: SourceMark, column: Int?) throws(SourceError) {
        try self.init(text: text, origin: .inline(mark, column: column), path: nil)
    }

    private init(text: String, origin: Origin, path: String?) throws(SourceError) {
        self.text = text
        self.origin = origin
        self.path = path
        do {
            nodes = try TemplateSyntax.parse(text)
        } catch {
            throw Self.error(error.message, at: error.position, origin: origin)
        }
        do {
            // The pragma makes swift-mustache render text; standing alone on its line, it
            // takes its line break with it, so the template's first line is unchanged.
            compiled = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT }}\n" + text)
        } catch let error as MustacheTemplate.ParserError {
            throw Self.error(
                "template syntax: \(error.error)",
                at: TextPosition(line: max(1, error.context.lineNumber - 1), column: error.context.columnNumber),
                origin: origin)
        } catch {
            throw Self.error("template syntax: \(error)", at: TextPosition(line: 1, column: 1), origin: origin)
        }
    }

    /// Whether the text uses any tag (a value without one renders as itself).
    public var hasTags: Bool { hasTagNodes || text.contains("{{") }

    /// Whether the parsed template holds a variable or a section (not only text).
    var hasTagNodes: Bool { nodes.contains { if case .text = $0 { false } else { true } } }

    /// Every variable name the template uses, in order, without duplicates (names inside
    /// sections included, as written).
    public var variableNames: [String] {
        var names: [String] = []
        func walk(_ nodes: [TemplateNode]) {
            for node in nodes {
                switch node {
                case let .variable(name, _):
                    if !names.contains(name) { names.append(name) }
                case let .section(name, _, _, body):
                    if !names.contains(name) { names.append(name) }
                    walk(body)
                case .text:
                    break
                }
            }
        }
        walk(nodes)
        return names
    }

    /// Renders the template with `variables`.
    ///
    /// - Parameter host: Named in the message of an undefined variable.
    /// - Throws: `SourceError` at the first tag whose name is not defined.
    public func render(_ variables: [String: Value], host: String) throws(SourceError) -> String {
        var size = RenderedSize()
        var stack: [Value] = [.map(variables)]
        try check(nodes, stack: &stack, host: host, size: &size)
        return compiled.render(TemplateValues.object(for: .map(variables)))
    }

    // MARK: - Checking names

    /// Checks every name the template uses for `host` where it would be rendered, and what
    /// the rendering would write (see ``RenderedSize``).
    private func check(_ nodes: [TemplateNode], stack: inout [Value], host: String, size: inout RenderedSize) throws(SourceError) {
        for node in nodes {
            switch node {
            case let .text(bytes):
                size.add(bytes: bytes)
            case let .variable(name, position):
                let value = try resolve(name, in: stack, at: position, host: host)
                if case let .string(string) = value, string.containsASCII("{{") {
                    throw error(
                        "variable '\(name)' for host \(host) is '\(string)', a template that would be written out as it is: postfleet renders a variable's value only when it is one of the play's 'vars:'; move it there, or write the value out",
                        at: position)
                }
                size.addTag()
                size.add(bytes: TemplateValues.text(for: value).utf8.count)
                if size.isPastLimit { throw size.error(in: self, at: position, host: host) }
            case let .section(name, inverted, position, body):
                let value = try resolve(name, in: stack, at: position, host: host)
                size.addTag()
                if size.isPastLimit { throw size.error(in: self, at: position, host: host) }
                if inverted {
                    if !TemplateValues.isTruthy(value) { try check(body, stack: &stack, host: host, size: &size) }
                } else if case let .list(items) = value {
                    for item in items {
                        size.addTag()
                        if size.isPastLimit { throw size.error(in: self, at: position, host: host) }
                        stack.append(item)
                        try check(body, stack: &stack, host: host, size: &size)
                        stack.removeLast()
                    }
                } else if TemplateValues.isTruthy(value) {
                    stack.append(value)
                    try check(body, stack: &stack, host: host, size: &size)
                    stack.removeLast()
                }
            }
        }
    }

    /// What `name` means with `stack` (innermost last), as swift-mustache resolves it: `.` is
    /// the top; `.a.b` starts at the top; `a.b` starts at the innermost mapping that has `a`.
    private func resolve(_ name: String, in stack: [Value], at position: TextPosition, host: String) throws(SourceError) -> Value {
        // A plain name, found: the common case, without splitting it.
        if !name.contains(".") {
            for value in stack.reversed() {
                if case let .map(entries) = value, let found = entries[name] { return found }
            }
        }
        let parts = name.split(separator: ".").map(String.init)
        guard name != ".", !parts.isEmpty else { return stack.last ?? .null }
        var current: Value
        if name.hasPrefix(".") {
            current = stack.last ?? .null
            if case let .map(entries) = current, let value = entries[parts[0]] {
                current = value
            } else {
                throw undefined(name, missing: parts[0], after: [], in: current, host: host, at: position)
            }
        } else {
            guard let found = stack.reversed().lazy.compactMap({ $0.mapValue?[parts[0]] }).first else {
                let visible = stack.reversed().flatMap { $0.mapValue.map { Array($0.keys).sorted() } ?? [] }
                throw undefined(name, missing: parts[0], after: [], among: visible, host: host, at: position)
            }
            current = found
        }
        for (index, part) in parts.enumerated().dropFirst() {
            guard case let .map(entries) = current, let value = entries[part] else {
                throw undefined(name, missing: part, after: Array(parts[..<index]), in: current, host: host, at: position)
            }
            current = value
        }
        return current
    }

    private func undefined(
        _ name: String, missing: String, after path: [String], in value: Value, host: String, at position: TextPosition
    ) -> SourceError {
        guard case let .map(entries) = value else {
            let owner = path.isEmpty ? "the current item" : "'\(path.joined(separator: "."))'"
            return error("undefined variable '\(name)' for host \(host): \(owner) is \(value.kindDescription), it has no '\(missing)'", at: position)
        }
        return undefined(name, missing: missing, after: path, among: entries.keys.sorted(), host: host, at: position)
    }

    private func undefined(
        _ name: String, missing: String, after path: [String], among known: [String], host: String, at position: TextPosition
    ) -> SourceError {
        var message = "undefined variable '\(name)' for host \(host)"
        if !path.isEmpty { message += ": '\(path.joined(separator: "."))' has no '\(missing)'" }
        if let suggestion = Suggestion.nearest(to: missing, among: known) {
            message += "; did you mean '\((path + [suggestion]).joined(separator: "."))'?"
        } else if path.isEmpty {
            message += "; define it in the inventory or in the play's 'vars:'"
        }
        return error(message, at: position)
    }

    /// An error at `position` of the template's text.
    func error(_ message: String, at position: TextPosition) -> SourceError {
        Self.error(message, at: position, origin: origin)
    }

    private static func error(_ message: String, at position: TextPosition, origin: Origin) -> SourceError {
        switch origin {
        case let .file(source):
            return source.error(message, line: position.line, column: position.column)
        case let .inline(mark, column):
            guard let column, position.line == 1 else { return mark.error(message) }
            return SourceError(file: mark.file, line: mark.line, column: column + position.column - 1,
                               message: message, sourceLine: mark.sourceLine)
        }
    }
}
