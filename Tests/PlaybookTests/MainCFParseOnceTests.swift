import Testing

@testable import Playbook
@testable import Postfix

/// A rendered main.cf is parsed once: its parameters are found from the template's text and
/// postmulti's block (``InstanceRenderer/parameters(_:then:)``), and must be those of the
/// whole file, whatever the template renders.
@Suite struct MainCFParseOnceTests {
    static let pieces = [
        "a = b", "myhostname = mta1", "x=", " = y", "=", " c", "\tcont", "#comment", "# x = y", "\n", "\n", "\r", "\r\n",
        " ", "é = à", "b = é\u{301}", "1bad = x", "multi_instance_name = old", "queue_directory = /q",
    ]
    static let blocks = ["", PostmultiOwnership.blockComment + "\nmulti_instance_name = postfix-out\nmulti_instance_enable = yes\n"]

    @Test func theParametersAreThoseOfTheWholeFile() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0...8, using: &generator)).map { _ in Self.pieces.randomElement(using: &generator)! }.joined()
            for block in Self.blocks {
                let whole = InstanceRenderer.wholeMainCFText(text, block: block)
                let expected = Dictionary(MainCF(whole).parameters, uniquingKeysWith: { _, last in last })
                #expect(InstanceRenderer.parameters(MainCF(text).definitions, then: block) == expected, "\(text.debugDescription)")
            }
        }
    }

    @Test func aLineIsSplitAsItsCharactersSplitIt() {
        let parts = ["a", "b_1", "=", " ", "\t", "\r", "x = y", "1", "-", "\u{E9}", "\u{301}", "\u{85}"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let line = (0..<Int.random(in: 0...6, using: &generator)).map { _ in parts.randomElement(using: &generator)! }.joined()
            let split = MainCF.split(line)
            #expect(split?.name == Self.characterSplit(line)?.name && split?.value == Self.characterSplit(line)?.value,
                    "\(line.debugDescription)")
        }
    }

    /// `name = value` split by Characters, as MainCF.split does for text that is not ASCII.
    static func characterSplit(_ line: String) -> (name: String, value: String)? {
        guard let equals = line.firstIndex(of: "=") else { return nil }
        let name = ConfigLines.trimmed(line[..<equals])
        return MainCF.isParameterName(name) ? (name, ConfigLines.trimmed(line[line.index(after: equals)...])) : nil
    }
}
