import Foundation
import Testing
import Yams

@testable import Inventory

/// Plain scalars are resolved by hand (``PlainScalarTag``) and inventories without tags are
/// composed without Yams' resolver (``SourceText/composeAnsibleYAML()``): both must give what
/// Yams' regular expressions gave.
@Suite struct PlainScalarTagTests {
    static func byRegularExpressions(_ text: String) -> Yams.Tag.Name {
        Resolver.ansible.resolveTag(of: Node.scalar(Node.Scalar(text)))
    }

    static let crafted = [
        "", "~", "null", "Null", "NULL", "nULL", "yes", "Yes", "YES", "yEs", "no", "on", "OFF", "true", "False", "y", "n",
        "0", "00", "0_", "-0", "+0", "07", "08", "0o17", "0b", "0b101", "0b2", "-0b1_0", "0x", "0x1F", "0xg", "+0x_a",
        "1", "12", "1_000", "_1", "1_", "-", "+", "1:20", "1:60", "1:5", "1:05", "1:123", "190:20:30", "1:2:", ":1",
        "0:10", "1.5", "1.", ".5", "._", "._5", ".", "-.5", "1e3", "1.0e3", "1.0e+3", "1.0E-3", "1.0e+", "1.0e+3x",
        ".5e+1", ".5e1", "-.inf", ".inf", "+.Inf", ".INF", ".NaN", "-.nan", ".nan", "1:20.5", "1:20.", "-1:20.5_",
        "1:2:3.4", "<<", "<", "=", "==", "2001-12-14", "2001-1-14", "2001-12-14t21:59:43.10-05:00",
        "2001-12-14 21:59:43.10 -5", "2001-12-14\t21:59:43.10Z", "2001-12-14 21:59:43", "2001-12-14 21:59:43.",
        "2001-12-14 21:59:43 Z", "2001-12-14 21:59:43 ", "2001-12-14T1:59:43+05:3", "2001-12-14T1:59:43+053",
        "2001-12-14  21:59:43", "20011-12-14", "2001-123-14", "2001-12-14x", "2001-12-1", "mta1", "198.18.0.1",
        "a b", "yes\t", "1 ", "-1_2:3", "0x1:2", "\u{E9}t\u{E9}", "1\u{A0}", "1\u{2028}", "yes\u{85}",
        // What the first character alone decides, and what it must not: breaks, blanks, other scripts.
        "\n", "\r\n", "\r", "\u{85}", "\u{2028}", " yes", "\tyes", "\t", " ", "a", "Zulu", "ansible_host", "#1", "\u{FF10}",
    ]

    @Test func craftedTextsGetTheTagTheRegularExpressionsGive() {
        for text in Self.crafted {
            #expect(PlainScalarTag.of(text) == Self.byRegularExpressions(text), "\(text.debugDescription)")
        }
    }

    /// Random texts over the characters the rules look at, 20,000 of them (well under a second).
    @Test func randomTextsGetTheTagTheRegularExpressionsGive() {
        let alphabet = Array("0123456789_-+.:eExXbBoOaflnrstuyNTYZ~<= \t")
        var generator = SystemRandomNumberGenerator()
        var mismatches: [String] = []
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...12, using: &generator)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            if PlainScalarTag.of(text) != Self.byRegularExpressions(text) { mismatches.append(text.debugDescription) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20))")
    }

    /// Inventories whose keys Yams would resolve differently read the same with and
    /// without a `!` in the text (a comment), that is, composed either way.
    @Test(arguments: [
        "all:\n  vars:\n    yes: 1\n    ~: 2\n    0x10: 3\n    '0x10': 4\n    1.50: 5\n    '1': a\n    1: b\n  hosts:\n    mta1:\n",
        "all:\n  vars:\n    base: &base {relay: mailhub, 1: one, '2': two}\n  hosts:\n    mta1:\n      <<: *base\n      2: deux\n",
        "all:\n  hosts:\n    mta1: {on: off, null: ~, port: 0o22, n: 010, f: 1e3, g: 1.5e+3}\n",
        "all:\n  vars:\n    a: 1\n    'a': 2\n",
        "all:\n  hosts:\n    ~:\n",
        "all:\n  vars:\n    <<: [{x: 1}, {x: 2, y: 3}]\n",
    ])
    func anInventoryReadsTheSameComposedEitherWay(_ yaml: String) throws {
        let tagFree = SourceText(path: "inventory.yml", text: yaml)
        let tagged = SourceText(path: "inventory.yml", text: yaml + "# !\n")
        #expect(tagFree.isTagFree && !tagged.isTagFree)
        #expect(Self.outcome(tagFree) == Self.outcome(tagged))
    }

    @Test func aJSONInventoryKeepsJSONNumbers() throws {
        let inventory = try Inventory.load(SourceText(
            path: "inventory.json", text: #"{"all": {"hosts": {"mta1": {"a": 1e3, "b": 1.5E-2, "c": 10, "d": null}}}}"#))
        #expect(inventory.hosts[0].vars == ["a": .double(1000), "b": .double(0.015), "c": .int(10), "d": .null])
    }

    /// `ansible-inventory --list` of the text, or its error.
    static func outcome(_ source: SourceText) -> String {
        do {
            return try Inventory.load(source).ansibleListJSON()
        } catch {
            return "\(error)"
        }
    }
}
