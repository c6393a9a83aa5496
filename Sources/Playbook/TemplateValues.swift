import Inventory
import Mustache

/// How a template sees a variable's value. swift-mustache reads plain Swift values through
/// `Mirror`, and renders them as Swift prints them; these wrappers make it render the way a
/// Postfix configuration wants, and make names resolve only where `Template.check` says they do.
///
/// - A string as is; a number as YAML writes it; a boolean as `yes` or `no` (Postfix's words);
///   null as nothing; a list as its items joined with `", "`; a mapping as JSON.
/// - Sections: false, null, `""`, an empty list and an empty mapping skip the section; a list
///   repeats it for each item; anything else renders it once with the value on top of the stack.
enum TemplateValues {
    /// What swift-mustache sees for `value`.
    ///
    /// A list's or a mapping's items are wrapped, and its text made, only when the template
    /// reaches them: the variables hold the whole inventory's `groups`, which a template
    /// rarely uses and each render would otherwise copy.
    static func object(for value: Value) -> Any {
        switch value {
        case let .list(items): ListObject(items: items)
        case let .map(entries): MapObject(entries: entries)
        default: ScalarObject(renderText: text(for: value), isNull: !isTruthy(value))
        }
    }

    /// The text `{{name}}` renders for `value`.
    static func text(for value: Value) -> String {
        switch value {
        case .null: ""
        case let .bool(bool): bool ? "yes" : "no"
        case let .string(string): string
        case let .vault(vaulted): vaulted.plaintext
        case let .list(items): items.map(text(for:)).joined(separator: ", ")
        case .int, .double, .map: value.description
        }
    }

    /// Whether `{{#name}}` renders its section for `value` (for a list: whether it has items).
    static func isTruthy(_ value: Value) -> Bool {
        switch value {
        case .null: false
        case let .bool(bool): bool
        case let .string(string): !string.isEmpty
        case let .vault(vaulted): !vaulted.plaintext.isEmpty
        case let .list(items): !items.isEmpty
        case let .map(entries): !entries.isEmpty
        case .int, .double: true
        }
    }
}

/// A string, number, boolean or null. It has no fields (a name never resolves inside it).
private struct ScalarObject: MustacheCustomRenderable, MustacheParent {
    let renderText: String
    let isNull: Bool
    func child(named: String) -> Any? { nil }
}

/// A list: sections repeat over its items.
private struct ListObject: MustacheSequence, MustacheCustomRenderable, MustacheParent {
    let items: [Value]
    var renderText: String { TemplateValues.text(for: .list(items)) }
    var isNull: Bool { items.isEmpty }
    func makeIterator() -> LazyMapSequence<[Value], Any>.Iterator {
        items.lazy.map(TemplateValues.object(for:)).makeIterator()
    }
    func child(named: String) -> Any? { nil }
}

/// A mapping: its keys are names.
private struct MapObject: MustacheCustomRenderable, MustacheParent {
    let entries: [String: Value]
    var renderText: String { TemplateValues.text(for: .map(entries)) }
    var isNull: Bool { entries.isEmpty }
    func child(named name: String) -> Any? { entries[name].map(TemplateValues.object(for:)) }
}
