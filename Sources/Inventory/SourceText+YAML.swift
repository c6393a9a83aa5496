import Yams

extension SourceText {
    /// Parses the text as one YAML document, resolving plain scalars as Ansible does
    /// (PyYAML, YAML 1.1: `yes`/`no`/`on`/`off` are booleans, `010` is octal, `1e3` is a string).
    ///
    /// - Returns: The root node, or nil for an empty document.
    /// - Throws: `SourceError` at the place libyaml or Yams stopped.
    public func composeYAML() throws(SourceError) -> Node? {
        try composeYAML(resolver: .ansible)
    }

    /// An inventory file as Ansible's DataLoader reads it: JSON first (where `1e3` is a
    /// number), YAML otherwise. JSON text is YAML whose plain scalars are only numbers,
    /// `true`, `false` and `null`, so it is composed as YAML that reads numbers as JSON does,
    /// which keeps every node's place for errors.
    func composeInventoryYAML() throws(SourceError) -> Node? {
        JSONReader.read(text) != nil ? try composeJSON() : try composeAnsibleYAML()
    }

    func composeYAML(resolver: Resolver) throws(SourceError) -> Node? {
        // Before Yams: composing hashes each mapping key, an alias's whole expansion included.
        try checkYAMLLimits()
        do {
            return try Yams.compose(yaml: text, resolver)
        } catch let error as YamlError {
            throw self.error(from: error)
        } catch {
            throw self.error("invalid YAML: \(error)", line: 1, column: 1)
        }
    }

    /// An error at the start of `node`.
    public func error(_ message: String, at node: Node) -> SourceError {
        error(message, at: node.mark)
    }

    /// An error at `mark`, or at the start of the file when there is none.
    public func error(_ message: String, at mark: Mark?) -> SourceError {
        error(message, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// Yams' own error, reworded and placed.
    func error(from yamlError: YamlError) -> SourceError {
        func explained(_ problem: String, _ context: YamlError.Context?, _ mark: Mark) -> SourceError {
            // At the end of a text without a final line break, libyaml's mark is on the line
            // after the last: the end of the last line is where the text stops.
            let (line, column) = mark.line > lineCount && lineCount > 0
                ? (lineCount, self.line(lineCount).unicodeScalars.count + 1) : (mark.line, mark.column)
            if self.line(line).unicodeScalars.dropFirst(column - 1).first == "\t" {
                return error("invalid YAML: a tab cannot indent YAML; use spaces", line: line, column: column)
            }
            if problem.hasPrefix("Maximum nesting level reached") {
                // libyaml's own bound (1,000 levels, counting what its scanner read ahead),
                // met where the scan of limits stopped short (see checkYAMLLimits).
                return error(
                    "this YAML nests lists and mappings more than \(YAMLLimits.maximumDepth) levels deep, the most postfleet reads (real files nest a few)",
                    line: line, column: column)
            }
            var message = "invalid YAML: \(problem)"
            if let context {
                let elsewhere = context.mark.line != mark.line || context.mark.column != mark.column
                let place = elsewhere ? " at line \(context.mark.line), column \(context.mark.column)" : ""
                message += " (\(context.text)\(place))"
            }
            return error(message, line: line, column: column)
        }
        switch yamlError {
        case let .scanner(context, problem, mark, _),
             let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            return explained(problem, context, mark)
        case let .reader(problem, offset, _, _):
            let (line, column) = offset.map(position(ofCharacterOffset:)) ?? (1, 1)
            return error("invalid YAML: \(problem)", line: line, column: column)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            let subject = duplicates.count == 1 ? "key \(keys) appears" : "keys \(keys) appear"
            return error("invalid YAML: \(subject) more than once in the same mapping", at: context.mark)
        default:
            return error("invalid YAML: \(yamlError)", line: 1, column: 1)
        }
    }

    /// Line and column (in Unicode scalars) of the character at `offset`.
    private func position(ofCharacterOffset offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character.isNewline {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return (line, column)
    }
}

extension Resolver {
    /// JSON's numbers: a float may have an exponent without a dot (`1e3`).
    static let json: Resolver = {
        // A constant pattern; a failure here is a programming error.
        // swiftlint:disable:next force_try
        try! Resolver.ansible.replacing(.float, with: """
            ^-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$
            """)
    }()

    /// PyYAML's implicit resolvers, which Ansible uses: Yams' defaults, but `0o17` is a
    /// string (not octal) and a float needs a dot (`1e3` is a string).
    static let ansible: Resolver = {
        // The patterns are constants, checked by the tests; a failure here is a programming error.
        // swiftlint:disable:next force_try
        try! Resolver.default
            .replacing(.int, with: """
                ^(?:[-+]?0b[0-1_]+\
                |[-+]?0[0-7_]+\
                |[-+]?(?:0|[1-9][0-9_]*)\
                |[-+]?0x[0-9a-fA-F_]+\
                |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$
                """)
            .replacing(.float, with: """
                ^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?\
                |\\.[0-9_]+(?:[eE][-+][0-9]+)?\
                |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*\
                |[-+]?\\.(?:inf|Inf|INF)\
                |\\.(?:nan|NaN|NAN))$
                """)
    }()
}
