import Foundation
import Testing

@testable import Inventory

/// Source lines and JSON strings are made from UTF-8 bytes: they must be what the
/// Character- and scalar-based code made (kept here as the reference), whatever the text holds.
@Suite struct ByteLevelTextTests {
    /// Pieces that make lines interesting: every line break libyaml counts, CR LF, combining
    /// marks next to breaks, quotes, backslashes, control characters, non-ASCII text.
    static let pieces = [
        "a", "mta1", " ", "\t", "\n", "\r", "\r\n", "\n\r", "\u{85}", "\u{2028}", "\u{2029}", "\u{301}", "\u{FEFF}",
        "\"", "\\", "\u{0}", "\u{1}", "\u{8}", "\u{C}", "\u{1F}", "\u{7F}", "\u{9F}", "\u{A0}", "é", "日本", "👍🏽", "!", "#",
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

    @Test func jsonStringsAreThoseOfTheScalarLoop() {
        for text in Self.randomTexts(count: 5_000) {
            var written = ""
            PythonJSON.writeString(text, to: &written)
            #expect(written == Self.pythonString(text), "\(text.debugDescription)")
        }
    }

    @Test func codePointOrderIsTheOrderOfScalars() {
        let texts = Self.randomTexts(count: 300)
        for a in texts {
            for b in texts.prefix(30) {
                let scalars = a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) { $0.value < $1.value }
                #expect(PythonJSON.codePointOrder(a, b) == scalars)
            }
        }
    }

    /// json.dumps(text, ensure_ascii=False): the short escapes, `\u00XX` for the other
    /// control characters, every other scalar as it is.
    static func pythonString(_ string: String) -> String {
        let short: [Unicode.Scalar: String] = [
            "\"": #"\""#, "\\": #"\\"#, "\n": #"\n"#, "\r": #"\r"#, "\t": #"\t"#, "\u{8}": #"\b"#, "\u{C}": #"\f"#,
        ]
        let body = string.unicodeScalars.map { scalar in
            short[scalar] ?? (scalar.value < 0x20 ? #"\u00"# + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16) : String(scalar))
        }
        return "\"" + body.joined() + "\""
    }

    @Test func controlCharactersAreFoundAsByTheScalarLoop() {
        for text in Self.randomTexts(count: 5_000) {
            let found = text.unicodeScalars.enumerated().first { $0.element.properties.generalCategory == .control }
            #expect(text.firstControlCharacter?.offset == found?.offset, "\(text.debugDescription)")
            #expect(text.firstControlCharacter?.scalar == found?.element)
        }
    }
}
