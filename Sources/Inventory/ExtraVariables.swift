import Foundation
import Yams

/// `-e/--extra-vars`, read as Ansible's `load_extra_vars` reads each value, in order, a later
/// value's variables replacing an earlier one's of the same name:
///
/// - `@FILE`: a YAML or JSON file of variables (read as a `group_vars/` file is);
/// - text starting with `{` or `[`: YAML or JSON, which must be a mapping;
/// - anything else: `key=value` words (``KeyValueArguments``), every value a string.
///
/// They are over every other variable of every host (inventory, `group_vars/`, `host_vars/`,
/// a play's `vars:`), connection variables (`ansible_user`, `ansible_port`, ...) included.
/// Where Ansible would quietly keep a word without `=` as `_raw_params`, or take an empty
/// name, this is an error.
public enum ExtraVariables {
    /// The flag, as errors name it.
    static let flag = "-e"

    /// - Throws: `SourceError` placed in the file or in the text at fault (the text's "file"
    ///   is `-e`), `InventorySourceError` for a file that cannot be read.
    public static func parse(_ values: [String]) throws -> [String: Value] {
        var variables: [String: Value] = [:]
        for text in values where !text.isEmpty {
            variables.merge(try parse(text)) { _, later in later }
        }
        return variables
    }

    private static func parse(_ text: String) throws -> [String: Value] {
        let source = SourceText(path: flag, text: text)
        if text.hasPrefix("@") {
            return try file(String(text.dropFirst()))
        }
        if text.hasPrefix("/") || text.hasPrefix(".") {
            throw source.error("'\(text)' looks like a file: write @\(text) to read variables from it", line: 1, column: 1)
        }
        if text.hasPrefix("{") || text.hasPrefix("[") {
            return try mapping(in: source, what: "\(flag) text starting with \(text.prefix(1))")
        }
        return try keyValues(source)
    }

    private static func file(_ path: String) throws -> [String: Value] {
        let source: SourceText
        do {
            source = try SourceText.read(path: path)
        } catch {
            throw InventorySourceError(source: "\(flag) @\(path)", message: error.problem)
        }
        return try mapping(in: source, what: "a file of extra variables")
    }

    /// The variables of YAML or JSON text, read as a `group_vars/` file is (an encrypted one
    /// included); as in Ansible, anything but a mapping (nothing too) is refused.
    private static func mapping(in source: SourceText, what: String) throws(SourceError) -> [String: Value] {
        let encrypted = source.text.hasPrefix("$ANSIBLE_VAULT;")
        if !encrypted, let found = try nonMapping(source) {
            let problem = found == "nothing" ? "is empty" : "is \(found)"
            throw source.error("\(what) \(problem); it must be a mapping of variable names to values", line: 1, column: 1)
        }
        return try VariableFiles.variables(in: source) ?? [:]
    }

    /// What the text holds when it is not a mapping ("nothing", "a list", ...); nil for a mapping.
    private static func nonMapping(_ source: SourceText) throws(SourceError) -> String? {
        if let document = JSONReader.read(source.text) {
            if case .map = document.value { return nil }
            return document.value.kindDescription
        }
        guard let root = try source.composeYAML(), !root.isNull(in: source) else { return "nothing" }
        if case .mapping = root { return nil }
        return root.kindDescription(in: source)
    }

    private static func keyValues(_ source: SourceText) throws(SourceError) -> [String: Value] {
        let pairs: [(key: String, value: String)]
        do throws(KeyValueArguments.Problem) {
            pairs = try KeyValueArguments.parse(source.text)
        } catch {
            let hint = "; -e takes NAME=VALUE words, YAML or JSON text starting with { or [, or @FILE"
            throw at(error.word, in: source, error.message + hint)
        }
        var variables: [String: Value] = [:]
        for (key, value) in pairs {
            guard !key.isEmpty else { throw at("=", in: source, "a variable name cannot be empty") }
            do throws(InventoryProblem) {
                try ConnectionVariables.check(key, .string(value))
            } catch {
                throw at(key + "=", in: source, error.message, shift: key.unicodeScalars.count + 1)
            }
            variables[key] = .string(value)
        }
        return variables
    }

    /// An error `shift` characters into the first place `word` appears in the text (at its
    /// start when not found).
    private static func at(_ word: String?, in source: SourceText, _ message: String, shift: Int = 0) -> SourceError {
        let text = source.text
        guard let word, let range = text.range(of: word) else { return source.error(message, line: 1, column: 1) }
        let before = text[..<range.lowerBound]
        let line = before.filter(\.isNewline).count + 1
        let column = before.reversed().prefix { !$0.isNewline }.reduce(0) { $0 + $1.unicodeScalars.count } + 1
        return source.error(message, line: line, column: column + shift)
    }
}
