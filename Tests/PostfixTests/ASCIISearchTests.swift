import Testing

@testable import Postfix

/// `containsASCII` answers as `contains` does, whatever the text around the bytes it looks for.
@Suite struct ASCIISearchTests {
    static let pieces = ["{", "{{", "}", "a", "_password_maps", "_password", "_maps", "\u{301}", "\u{20DD}", "é", " ", "\r\n", "日"]

    @Test func itAnswersAsContains() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let text = (0..<Int.random(in: 0...6, using: &generator)).map { _ in Self.pieces.randomElement(using: &generator)! }.joined()
            #expect(text.containsASCII("{{") == text.contains("{{"), "\(text.debugDescription)")
            #expect(text.containsASCII("_password_maps") == text.contains("_password_maps"), "\(text.debugDescription)")
            #expect(text.containsASCII("") == text.contains(""))
        }
    }
}
