/// Postfix's parameter expansion (postconf(5), "A parameter value may refer to other
/// parameters"), as `mac_expand()` does it: `$name`, `${name}`, `$(name)`, recursively;
/// `${name?value}`, `${name?{value}}`, `${name:value}`, `${name:{value}}`,
/// `${name?{value1}:{value2}}`; relational expressions `${{a} == {b}?{x}:{y}}` (also
/// `!=`, `<`, `<=`, `>`, `>=`, numerical when both sides are digits); `$$` for `$`. An
/// undefined parameter expands to nothing, as in Postfix.
///
/// A parameter's value comes from the instance's own parameters first, then from the
/// defaults (``defaults(for:)``). Expansion is bounded: at most ``depthLimit`` nested
/// references (Postfix's own `mac_expand` gives up past 100 levels too), at most
/// ``lengthLimit`` characters of result, and a parameter that refers to itself, directly or
/// through others, is a ``Failure/cycle(_:)`` instead of a loop.
public struct ParameterExpansion: Sendable {
    /// Why a value could not be expanded.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Parameters that refer to each other in a circle, in the order met.
        case cycle([String])
        /// More than ``depthLimit`` nested references.
        case tooDeep
        /// A result longer than ``lengthLimit`` characters.
        case tooLong
        /// A `${` or `$(` without its closing brace, or a malformed conditional.
        case syntax(String)

        public var description: String {
            switch self {
            case let .cycle(names): "parameters refer to each other in a circle: " + names.joined(separator: " -> ")
            case .tooDeep: "more than \(ParameterExpansion.depthLimit) nested parameter references"
            case .tooLong: "the expanded value is longer than \(ParameterExpansion.lengthLimit) characters"
            case let .syntax(problem): problem
            }
        }
    }

    /// Nested references followed at most (Postfix's `mac_expand` stops at 100 as well).
    public static let depthLimit = 100
    /// Characters of expanded value at most: far past any real value, well short of memory trouble.
    public static let lengthLimit = 100_000

    /// The instance's own parameters (main.cf, or a service's `-o` over main.cf).
    public let parameters: [String: String]
    /// What a parameter the instance does not set is.
    public let defaults: [String: String]

    public init(parameters: [String: String], defaults: [String: String] = [:]) {
        self.parameters = parameters
        self.defaults = defaults
    }

    /// For `instance`: `parameters` over the defaults of ``defaults(for:)``.
    public init(parameters: [String: String], instance: PostfixInstance) {
        self.init(parameters: parameters, defaults: Self.defaults(for: instance))
    }

    /// The defaults that name files and table types, as `postconf -d` shows them on Debian
    /// 12's Postfix 3.7, with the instance's own directories. `default_database_type` is
    /// `hash` there (upstream's default on Linux); only the path of a table matters for
    /// what postfleet decides with it.
    public static func defaults(for instance: PostfixInstance) -> [String: String] {
        [
            "config_directory": instance.configDirectory,
            "queue_directory": instance.queueDirectory,
            "data_directory": instance.dataDirectory,
            "meta_directory": PostfixInstance.defaultConfigDirectory,
            "sample_directory": PostfixInstance.defaultConfigDirectory,
            "daemon_directory": "/usr/lib/postfix/sbin",
            "command_directory": "/usr/sbin",
            "shlib_directory": "/usr/lib/postfix",
            "readme_directory": "/usr/share/doc/postfix",
            "html_directory": "/usr/share/doc/postfix/html",
            "manpage_directory": "/usr/share/man",
            "default_database_type": "hash",
            "default_cache_db_type": "btree",
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "multi_instance_name": instance.isDefault ? "" : instance.name,
        ]
    }

    /// The raw value of `name`: the instance's, else the default, else nil.
    public func raw(_ name: String) -> String? { parameters[name] ?? defaults[name] }

    /// `value` with every reference replaced.
    public func expand(_ value: String) throws(Failure) -> String {
        var run = Run(expansion: self)
        return try run.expand(value, chain: [])
    }

    /// The expanded value of parameter `name` ("" when it is not set, as in Postfix).
    public func value(of name: String) throws(Failure) -> String {
        try expand("$" + name)
    }

    /// Every parameter name `value` refers to, directly or through the parameters it names,
    /// including those inside conditionals whichever way they go. Bounded like ``expand(_:)``;
    /// a cycle stops the walk where it closes.
    public func references(in value: String) -> Set<String> {
        var seen: Set<String> = []
        var pending = Self.names(in: value)
        while let name = pending.popLast(), seen.count < Self.lengthLimit {
            guard seen.insert(name).inserted, let raw = raw(name) else { continue }
            pending += Self.names(in: raw)
        }
        return seen
    }

    /// The parameter names written in `text` (`$name`, `${name...}`, `$(name...)`), one level only.
    static func names(in text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var names: [String] = []
        var i = 0
        while i < scalars.count {
            guard scalars[i] == "$", i + 1 < scalars.count else { i += 1; continue }
            var j = i + 1
            if scalars[j] == "$" { i += 2; continue }
            if scalars[j] == "{" || scalars[j] == "(" { j += 1 }
            let start = j
            while j < scalars.count, Run.isNameScalar(scalars[j]) { j += 1 }
            if j > start { names.append(String(String.UnicodeScalarView(scalars[start..<j]))) }
            i = max(j, i + 1)
        }
        return names
    }
}
