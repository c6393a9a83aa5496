import Testing

@testable import Postfix

/// main.cf and master.cf are cut into lines at the bytes: the lines must be those the
/// Character split gave ("\r\n" is one Character), whatever the text holds.
@Suite struct ConfigLinesTests {
    static let pieces = ["a = b", " ", "\t", "#", "\n", "\r", "\r\n", "\n\r", "\u{301}", "é", "\u{85}", "\u{2028}", "x"]

    @Test func physicalLinesAreThoseOfTheCharacterSplit() {
        var generator = SystemRandomNumberGenerator()
        func random(_ bound: Int) -> Int { Int.random(in: 0..<max(bound, 1), using: &generator) }
        for _ in 0..<5_000 {
            let text = (0..<random(12)).map { _ in Self.pieces[random(Self.pieces.count)] }.joined()
            let expected = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
                .map(String.init)
            #expect(ConfigLines.physicalLines(text) == expected, "\(text.debugDescription)")
        }
    }
}
