import Testing

@testable import Inventory

/// The bounds of what the loaders read, at their edges: nesting depth and alias expansion
/// in YAML, brackets in Python literals, and groups nested thousands deep.
@Suite struct LoaderLimitsTests {
    func yamlError(_ text: String) -> SourceError? {
        do {
            try SourceText(path: "f.yml", text: text).checkYAMLLimits()
            return nil
        } catch {
            return error
        }
    }

    func place(_ error: SourceError?) -> String? {
        error.map { "\($0.line):\($0.column)" }
    }

    @Test func nestingUpTo512LevelsIsRead() throws {
        let flow = "x: " + String(repeating: "[", count: 511) + "1" + String(repeating: "]", count: 511) + "\n"
        #expect(yamlError(flow) == nil)  // the mapping and 511 lists: 512 levels
        let block = (0..<512).map { String(repeating: " ", count: 2 * $0) + "k:" }.joined(separator: "\n") + " 1\n"
        #expect(yamlError(block) == nil)
        let source = SourceText(path: "f.yml", text: flow)
        let root = try #require(try source.composeYAML())
        let value = try Value(yaml: root, in: source)
        #expect(value.description.hasPrefix("{\"x\": [[["))
    }

    @Test func theLevelPast512IsRefusedWhereItOpens() {
        // One line: the 513th opening bracket (column 3 + 513), before libyaml reads ahead.
        let flow = yamlError("x: " + String(repeating: "[", count: 100_000) + "\n")
        #expect(place(flow) == "1:516")
        #expect(flow?.message.contains("more than 512 levels deep") == true)
        // The mapping and 512 lists over many lines: the 512th list, where it starts.
        let lines = "x:\n" + (0..<512).map { String(repeating: " ", count: $0 + 1) + "-" }.joined(separator: "\n") + " 1\n"
        #expect(place(yamlError(lines)) == "513:513")
        // Dashes on one line, in a block.
        #expect(place(yamlError("a:\n  " + String(repeating: "- ", count: 100_000))) == "2:1027")
    }

    @Test func anAliasMayNotNestPastTheLimit() {
        let deep = String(repeating: "[", count: 300) + "1" + String(repeating: "]", count: 300)
        let ok = "a: &a \(deep)\nb: " + String(repeating: "[", count: 210) + "*a" + String(repeating: "]", count: 210) + "\n"
        #expect(yamlError(ok) == nil)  // 1 + 210 + 300 = 511 levels
        let tooDeep = "a: &a \(deep)\nb: " + String(repeating: "[", count: 212) + "*a" + String(repeating: "]", count: 212) + "\n"
        let error = yamlError(tooDeep)
        #expect(place(error) == "2:216")
        #expect(error?.message.hasPrefix("alias '*a' stands for 300 levels of lists and mappings") == true)
    }

    /// Nine levels of nine aliases: the first alias that takes the count past a million.
    @Test func anAliasBombIsRefusedAtTheAliasThatCrossesTheLimit() {
        var lines = ["a: &a [" + Array(repeating: "lol", count: 9).joined(separator: ", ") + "]"]
        for (previous, name) in zip("abcdefgh", "bcdefghi") {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]")
        }
        let error = yamlError(lines.joined(separator: "\n"))
        #expect(place(error) == "7:8")
        #expect(error?.message.hasPrefix("alias '*f' stands for 597871 nodes, which takes this file past 1000000 nodes") == true)
    }

    /// 20 times the nodes written: 80,000 aliases of a 15-node list stand for 1.2 million
    /// nodes, under 20 x 80,000; half as many aliases of twice the list are refused.
    @Test func theExpansionLimitGrowsWithTheFile() {
        let list = "[" + (0..<14).map(String.init).joined(separator: ", ") + "]"
        let aliases = Array(repeating: "*d", count: 80_000).joined(separator: ", ")
        #expect(yamlError("d: &d \(list)\nuses: [\(aliases)]\n") == nil)
        let big = "[" + (0..<29).map(String.init).joined(separator: ", ") + "]"
        let fewer = Array(repeating: "*d", count: 40_000).joined(separator: ", ")
        #expect(yamlError("d: &d \(big)\nuses: [\(fewer)]\n")?.message.contains("past 1000000 nodes") == true)
        #expect(YAMLLimits.maximumExpandedNodes(written: 10) == 1_000_000)
        #expect(YAMLLimits.maximumExpandedNodes(written: 100_000) == 2_000_000)
    }

    @Test func aSyntaxErrorAfterABombIsNotReachedFirst() {
        let bomb = (["a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"] + (1..<8).map { "l\($0): &a [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]" })
        let error = yamlError(bomb.joined(separator: "\n") + "\nbroken: [\n")
        #expect(error?.message.hasPrefix("alias '*a' stands for") == true)
    }

    @Test func pythonLiteralsNestAsCPythonAllows() {
        let list200 = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        guard case .value = PythonLiteral.evaluate(list200) else { Issue.record("200 brackets are a literal"); return }
        let list201 = String(repeating: "[", count: 201) + String(repeating: "]", count: 201)
        #expect(PythonLiteral.evaluate(list201) == .text)
        #expect(PythonLiteral.evaluate(String(repeating: "(", count: 100_000)) == .text)
        #expect(PythonLiteral.evaluate(String(repeating: "-", count: 100_000) + "1") == .text)
        #expect(PythonLiteral.evaluate("--1") == .text)
        #expect(PythonLiteral.evaluate("-(-1)") == .text)
        #expect(PythonLiteral.evaluate("-(1)") == .value(.int(-1)))
        #expect(PythonLiteral.evaluate("[-1, +2]") == .value(.list([.int(-1), .int(2)])))
    }

    /// 3,000 here (HostileInputCommandTests runs 10,000 through the binary): far past any
    /// recursion of a frame per level that a debug build's stack could hold.
    @Test func groupsThousandsDeep() throws {
        let chain = (1..<3000).map { "[g\($0):children]\ng\($0 + 1)\n" }
        for text in [chain.joined() + "[g3000]\nh1\n", "[g3000]\nh1\n" + chain.reversed().joined()] {
            let inventory = try Inventory.parse(ini: text)
            #expect(inventory.group(named: "g3000")?.depth == 3000)
            #expect(inventory.host(named: "h1")?.groups.count == 3000)
            #expect(inventory.ansibleGraphLineCount() == 3003)  // @all, @ungrouped, @g1 ... @g3000, h1
            #expect(inventory.ansibleGraph()?.split(separator: "\n").count == 3003)
            #expect(inventory.ansibleListJSON().contains("\"g2999\": {\n        \"children\": [\n            \"g3000\""))
        }
        let cycle = chain.joined() + "[g3000:children]\ng1\n"
        #expect(throws: SourceError.self) { try Inventory.parse(ini: cycle) }
    }

    @Test func aCycleIsNamedByItsShortestWay() {
        do {
            _ = try Inventory.parse(ini: "[a:children]\nb\nc\n[b:children]\nd\n[c:children]\nd\n[d:children]\na\n")
            Issue.record("a cycle loaded")
        } catch {
            #expect(error.message == "group 'a' would be its own ancestor: a > b > d > a")
        }
    }

    @Test func aLongLineIsQuotedAroundTheCaret() {
        let error = SourceError(file: "f", line: 1, column: 1000, message: "m", sourceLine: String(repeating: "x", count: 2000))
        let lines = error.description.split(separator: "\n")
        #expect(lines[1] == "..." + String(repeating: "x", count: 160) + "...")
        #expect(lines[2] == String(repeating: " ", count: 83) + "^")
        let short = SourceError(file: "f", line: 1, column: 3, message: "m", sourceLine: "abcdef")
        #expect(short.description == "f:1:3: error: m\nabcdef\n  ^")
    }
}
