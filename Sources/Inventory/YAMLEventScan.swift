import CYaml

/// One pass over libyaml's events for the first document of a file, building no node:
/// how deep its collections go and how many nodes it stands for once its aliases are
/// expanded, each anchor's count kept as its node ends (an alias names the anchor defined
/// last before it).
struct YAMLEventScan {
    private struct Open {
        /// Nodes in the collection so far, itself included, aliases expanded.
        var size = 1
        /// Levels of collections from this one down, aliases expanded.
        var height = 1
        let anchor: String?
    }

    private let source: SourceText
    /// nil: count the whole document. A number: stop with an error at the alias that takes
    /// the running count past it.
    private let expansionLimit: Int?
    private var open: [Open] = []
    private var anchors: [String: (size: Int, height: Int)] = [:]
    private var expanded = 0
    private var written = 0

    init(source: SourceText, expansionLimit: Int?) {
        self.source = source
        self.expansionLimit = expansionLimit
    }

    /// Counts up to the end of the first document, or up to libyaml's first error (which
    /// Yams reports afterwards).
    ///
    /// - Returns: The nodes the document stands for, aliases expanded (saturating), and the
    ///   nodes written in it.
    /// - Throws: `SourceError` at the collection or alias that nests deeper than
    ///   ``YAMLLimits/maximumDepth``, or at the alias past `expansionLimit`.
    mutating func run() throws(SourceError) -> (expanded: Int, written: Int) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return (0, 0) }
        defer { yaml_parser_delete(&parser) }
        var text = source.text
        // withUTF8 throws untyped errors: the typed one comes out as a Result.
        let outcome = text.withUTF8 { bytes -> Result<Void, SourceError> in
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                let type = event.type
                if type == YAML_STREAM_END_EVENT || type == YAML_DOCUMENT_END_EVENT || type == YAML_NO_EVENT { break }
                do throws(SourceError) {
                    try take(event)
                } catch {
                    return .failure(error)
                }
            }
            return .success(())
        }
        try outcome.get()
        return (expanded, written)
    }

    private mutating func take(_ event: yaml_event_t) throws(SourceError) {
        let line = Int(event.start_mark.line) + 1
        let column = Int(event.start_mark.column) + 1
        switch event.type {
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            if open.count + 1 > YAMLLimits.maximumDepth {
                throw source.error(
                    "this YAML nests lists and mappings more than \(YAMLLimits.maximumDepth) levels deep, the most postfleet reads (real files nest a few)",
                    line: line, column: column)
            }
            written += 1
            expanded = Self.sum(expanded, 1)
            let anchor = event.type == YAML_SEQUENCE_START_EVENT
                ? Self.name(event.data.sequence_start.anchor) : Self.name(event.data.mapping_start.anchor)
            open.append(Open(anchor: anchor))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let closed = open.popLast() else { return }
            if let anchor = closed.anchor { anchors[anchor] = (closed.size, closed.height) }
            add(size: closed.size, height: closed.height)
        case YAML_SCALAR_EVENT:
            written += 1
            expanded = Self.sum(expanded, 1)
            if let anchor = Self.name(event.data.scalar.anchor) { anchors[anchor] = (1, 0) }
            add(size: 1, height: 0)
        case YAML_ALIAS_EVENT:
            written += 1
            let name = Self.name(event.data.alias.anchor) ?? ""
            // An alias of no anchor (yet) is an error Yams reports.
            let (size, height) = anchors[name] ?? (1, 0)
            if open.count + height > YAMLLimits.maximumDepth {
                throw source.error(
                    "alias '*\(name)' stands for \(height) levels of lists and mappings, which nests this YAML more than \(YAMLLimits.maximumDepth) levels deep, the most postfleet reads",
                    line: line, column: column)
            }
            expanded = Self.sum(expanded, size)
            if let limit = expansionLimit, expanded > limit {
                throw source.error(
                    "alias '*\(name)' stands for \(size) nodes, which takes this file past \(limit) nodes once its aliases are expanded: postfleet copies an alias wherever it is used, and reads at most \(YAMLLimits.minimumExpandedNodes) nodes, or \(YAMLLimits.expansionFactor) times the \(written) written in the file when that is more",
                    line: line, column: column)
            }
            add(size: size, height: height)
        default:
            break
        }
    }

    /// A node of `size` nodes and `height` levels ends inside the innermost open collection.
    private mutating func add(size: Int, height: Int) {
        guard !open.isEmpty else { return }
        open[open.count - 1].size = Self.sum(open[open.count - 1].size, size)
        open[open.count - 1].height = max(open[open.count - 1].height, height + 1)
    }

    /// Counts stop at `Int.max / 2`: a bomb's count is only ever compared with a limit.
    private static func sum(_ a: Int, _ b: Int) -> Int {
        let cap = Int.max / 2
        return b >= cap - a ? cap : a + b
    }

    private static func name(_ anchor: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        anchor.map { String(cString: $0) }
    }
}
