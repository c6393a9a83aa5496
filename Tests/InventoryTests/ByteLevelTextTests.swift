import Foundation
import Testing

@testable import Inventory

/// Source lines are cut at UTF-8 bytes: they must be what the Character-based code made
/// (kept here as the reference), whatever the text holds.
@Suite struct ByteLevelTextTests {
    /// Pieces that make lines interesting: every line break libyaml counts, CR LF, combining
    /// marks next to breaks, quotes, backslashes, control characters, non-ASCII text.
    static let pieces = [
        "a", "mta1", " ", "\t", "\n", "\r", "\r\n", "\n\r", "\u{85}", "\u{2028}", "\u{2029}", "\u{301}", "\u{FEFF}",
        "\"", "\\", "\u{0}", "\u{1}", "\u{8}", "\u{C}", "\u{1F}", "\u{7F}", "é", "日本", "👍🏽", "!", "#",
    ]

    static func randomTexts(count: Int) -> [String] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            (0..<Int.random(in: 0...10, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
        }
    }

    @Test func linesAreThoseOfTheCharacterSplit() {
        for text in Self.randomTexts(count: 5_000) {
            let source = SourceText(path: "x", text: text)
            let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
            let expected = body.split(omittingEmptySubsequences: false) {
                $0 == "\n" || $0 == "\r\n" || $0 == "\r" || $0 == "\u{85}" || $0 == "\u{2028}" || $0 == "\u{2029}"
            }.map(String.init)
            #expect(source.lineCount == expected.count, "\(text.debugDescription)")
            #expect((0..<source.lineCount).map { source.line($0 + 1) } == expected, "\(text.debugDescription)")
            #expect(source.isTagFree == !body.unicodeScalars.contains("!"))
        }
    }
}
