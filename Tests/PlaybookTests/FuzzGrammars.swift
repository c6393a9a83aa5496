/// Random inputs built from small grammars of what the loaders read: YAML (anchors, aliases,
/// merge keys, tags, flow and block, bursts of nesting), INI inventories (Python literals
/// among the values), Mustache templates and host patterns. Mostly well formed, so the
/// inputs get past the first check; sometimes not.
struct FuzzGrammars {
    var random: SeededGenerator

    static let names = ["all", "border", "hub", "mta1", "mta2", "a", "b", "vars", "hosts", "children", "<<", "ansible_host", "domain"]
    static let scalars = [
        "x", "yes", "no", "~", "null", "0x1F", "010", "1e3", "1.5", "-1", ".inf", ".nan", "1:30", "9223372036854775808",
        "\"quoted \\t \\u00e9\"", "'single ''q'''", "\"{{domain}}\"", "'{{#a}}x{{/a}}'", "!vault x", "!!binary aGk=", "!unknown x",
        "\"\\0\"", "\"a\\nb\"", "127.0.0.1", "mta[1:3]", "\"\"", "[]", "{}", "a b", "x-y", "\"{{a}} {{#a}}{{.}}{{/a}}\"",
    ]

    // MARK: YAML

    /// A YAML document: random, or shaped like an inventory or a playbook with random values.
    mutating func yaml(shape: String) -> String {
        var anchors: [String] = []
        switch shape {
        case "inventory":
            return "all:\n  vars:\n    v: \(flow(depth: 3, anchors: &anchors))\n  hosts:\n    mta1: \(flow(depth: 2, anchors: &anchors))\n"
                + "  children:\n    border:\n" + block(depth: 3, indent: 6, anchors: &anchors)
        case "playbook":
            return "- hosts: all\n  vars:\n" + block(depth: 3, indent: 4, anchors: &anchors)
                + "  instances:\n    - name: default\n      main_cf: {parameters: {myhostname: \(flow(depth: 1, anchors: &anchors))}}\n"
        default:
            return random.chance(50) ? block(depth: 4, indent: 0, anchors: &anchors) : flow(depth: 4, anchors: &anchors)
        }
    }

    private mutating func scalar(anchors: inout [String]) -> String {
        if !anchors.isEmpty, random.chance(15) { return "*" + random.pick(anchors) }
        if random.chance(1) { return "*undefined" }
        return random.pick(Self.scalars)
    }

    /// An anchor for the node about to be written, or nil; the caller adds its name to the
    /// anchors once the node is written, so no alias names a node from inside it.
    private mutating func anchorName() -> String? {
        random.chance(20) ? random.pick(["a", "b", "c", "d"]) : nil
    }

    /// A flow value; now and then a burst of nesting or a chain of aliases.
    mutating func flow(depth: Int, anchors: inout [String]) -> String {
        // Rare, as a document holds dozens of values.
        if Int.random(in: 0..<1000, using: &random) < 3 { return burst() }
        if Int.random(in: 0..<1000, using: &random) < 5 { return aliasChain() }
        guard depth > 0, random.chance(60) else { return scalar(anchors: &anchors) }
        let name = anchorName()
        let items = (0..<Int.random(in: 0...4, using: &random)).map { _ in flow(depth: depth - 1, anchors: &anchors) }
        if let name { anchors.append(name) }
        let anchor = name.map { "&\($0) " } ?? ""
        if random.chance(50) { return anchor + "[" + items.joined(separator: ", ") + "]" }
        let pairs = items.map { "\(random.pick(Self.names)): \($0)" }
        return anchor + "{" + pairs.joined(separator: ", ") + "}"
    }

    /// Block mappings and lists, indented from `indent`.
    mutating func block(depth: Int, indent: Int, anchors: inout [String]) -> String {
        let pad = String(repeating: " ", count: indent)
        var out = ""
        let isList = random.chance(30)
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let head = isList ? pad + "- " : pad + random.pick(Self.names) + ":"
            if depth > 0, random.chance(50) {
                let name = anchorName()
                out += head + (name.map { " &\($0)" } ?? "") + "\n"
                out += block(depth: depth - 1, indent: indent + 2, anchors: &anchors)
                if let name { anchors.append(name) }
            } else {
                out += head + " " + flow(depth: 2, anchors: &anchors) + "\n"
            }
        }
        return out
    }

    /// Nesting around the limit (512), in one of the forms that reach it.
    mutating func burst() -> String {
        let count = Int.random(in: 400...700, using: &random)
        switch Int.random(in: 0..<3, using: &random) {
        case 0: return String(repeating: "[", count: count) + "1" + String(repeating: "]", count: count)
        case 1: return String(repeating: "{a: ", count: count) + "1" + String(repeating: "}", count: count)
        default: return "\n" + String(repeating: "- ", count: count) + "x\n"
        }
    }

    /// Anchors that alias the one before, a few times each: small, or a bomb.
    mutating func aliasChain() -> String {
        let levels = Int.random(in: 1...9, using: &random)
        let width = Int.random(in: 1...9, using: &random)
        var items = ["&l0 [x, y]"]
        for level in 1..<max(levels, 2) {
            items.append("&l\(level) [" + Array(repeating: "*l\(level - 1)", count: width).joined(separator: ", ") + "]")
        }
        return "[" + items.joined(separator: ", ") + "]"
    }

    // MARK: INI

    mutating func ini() -> String {
        var lines: [String] = []
        for _ in 0..<Int.random(in: 1...12, using: &random) {
            let group = random.pick(["border", "hub", "g1", "g2", "all", "ungrouped", "bad name", ""])
            switch Int.random(in: 0..<8, using: &random) {
            case 0: lines.append("[\(group)]")
            case 1: lines.append("[\(group):vars]")
            case 2: lines.append("[\(group):\(random.pick(["children", "child", "hosts", ""]))]")
            case 3: lines.append(random.pick(["# comment", "; comment", "", "[", "---", "a: b"]))
            case 4: lines.append("\(random.pick(["g1", "g2", "border", "hub"]))")
            default:
                let host = random.pick(["mta1", "mta[1:3]", "mta[01:10:2]", "h:2222", "[::1]:22", "mta[a:c]", "mta[3:1]", "x:", "h\u{0}"])
                let vars = (0..<Int.random(in: 0...3, using: &random)).map { _ in
                    "\(random.pick(["a", "ansible_host", "ansible_port", "x", ""]))=\(pythonLiteral(depth: 3))"
                }
                lines.append(([host] + vars).joined(separator: " "))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A Python literal (or something close): what `ast.literal_eval` sees in an INI value.
    mutating func pythonLiteral(depth: Int) -> String {
        if random.chance(2) { return String(repeating: "[", count: Int.random(in: 150...260, using: &random)) }
        if random.chance(2) { return String(repeating: "-", count: Int.random(in: 2...5000, using: &random)) + "1" }
        guard depth > 0, random.chance(40) else {
            return random.pick(["1", "-1", "+1", "0x1F", "0o17", "1_000", "1e3", "1j", "1+2j", "True", "None", "'a'", "\"b\"", "b'c'",
                                "'\\N{DASH}'", "99999999999999999999", "...", "set()", "yes", "x#y", "'unclosed", "(", ")"])
        }
        let items = (0..<Int.random(in: 0...3, using: &random)).map { _ in pythonLiteral(depth: depth - 1) }
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return "[" + items.joined(separator: ",") + "]"
        case 1: return "(" + items.joined(separator: ",") + ",)"
        case 2: return "{" + items.map { "\($0):\($0)" }.joined(separator: ",") + "}"
        default: return "{" + items.joined(separator: ",") + "}"
        }
    }

    // MARK: Templates and patterns

    mutating func template() -> String {
        var out = ""
        var open: [String] = []
        for _ in 0..<Int.random(in: 1...20, using: &random) {
            let name = random.chance(85)
                ? random.pick(["domain", "a", "a.b", "instance.name", ".", "group_names", "groups.border", "inventory_hostname"])
                : random.pick(["missing", "x y", "f(x)", ""])
            switch Int.random(in: 0..<12, using: &random) {
            case 0, 1: out += "text $x ${y} \n"
            case 2, 3: out += "{{\(name)}}"
            case 4:
                let section = random.pick(["a", "group_names", "domain", "missing"])
                out += "{{\(random.pick(["#", "^"]))\(section)}}"
                open.append(section)
            case 5: if let last = open.popLast() { out += "{{/\(last)}}" }
            case 6: out += random.pick(["{{{domain}}}", "{{&domain}}", "{{! note }}", "{{=<% %>=}}", "<%domain%>", "{{> partial}}", "{{$block}}",
                                        "{{% CONTENT_TYPE: TEXT }}", "{{%NOPE}}", "{{", "}}", "{{#a}}", "{{/a}}", "{{/never}}"])
            case 7 where random.chance(20):
                let depth = Int.random(in: 90...130, using: &random)
                out += String(repeating: "{{#a}}", count: depth) + "x" + String(repeating: "{{/a}}", count: depth)
            default: out += "\n"
            }
        }
        if random.chance(80) { for name in open.reversed() { out += "{{/\(name)}}" } }
        return out
    }

    mutating func hostPattern() -> String {
        let terms = (0..<Int.random(in: 1...4, using: &random)).map { _ in
            random.pick(["", "!", "&"]) + random.pick(["all", "border", "hub", "mta1", "mta*", "m?a[1-3]", "~mta[12]", "~(", "border[0]",
                                                       "border[1:]", "border[-1]", "border[9:2]", "nosuch", "*", "[", "mta1.example", ":"])
        }
        return terms.joined(separator: random.pick([":", ",", "::"]))
    }
}
