/// A main.cf or master.cf file cut into pieces the way Postfix reads it, keeping every
/// character so it can be written back unchanged, with two exceptions: "\r\n" line breaks
/// are written back as "\n", and an unterminated last line gets one (postconf -e keeps
/// both as they were on the lines it does not touch; Postfix reads either form alike, as
/// MainCFTests checks against the real postconf).
///
/// As in Postfix's `readlline()`: a logical line starts with a non-whitespace character
/// that is not `#`; lines starting with whitespace continue it; empty lines, whitespace-only
/// lines and lines whose first non-whitespace character is `#` are ignored, and do not end a
/// logical line (a continuation may follow them).
struct ConfigLines: Sendable, Hashable {
    struct Chunk: Sendable, Hashable {
        enum Kind: Sendable, Hashable {
            /// A logical line: its first line and continuations (with any comments between them).
            case entry
            /// Comments, blank lines, and continuation lines with no logical line to continue.
            case trivia
        }

        var kind: Kind
        /// Physical lines, without line breaks.
        var lines: [String]

        /// The comments and blank lines inside a logical line (between continuations): postconf
        /// keeps them when it replaces or removes the logical line.
        var interiorTrivia: [String] {
            lines.dropFirst().filter(ConfigLines.isIgnorable)
        }

        /// The logical line as Postfix joins it: the first line, then each continuation line
        /// as is (its leading whitespace kept, the line break dropped); comments left out.
        var logicalText: String {
            var text = lines.first ?? ""
            for line in lines.dropFirst() where !ConfigLines.isIgnorable(line) {
                text += line
            }
            return text
        }
    }

    var chunks: [Chunk]

    init(_ text: String) {
        var lines = Self.physicalLines(text)
        if lines.last == "" { lines.removeLast() }

        var chunks: [Chunk] = []
        var pending: [String] = []
        var current: Int?
        for line in lines {
            if Self.isIgnorable(line) {
                pending.append(line)
            } else if line.first == " " || line.first == "\t" {
                if let current {
                    chunks[current].lines += pending + [line]
                } else {
                    chunks.append(Chunk(kind: .trivia, lines: pending + [line]))
                }
                pending = []
            } else {
                if !pending.isEmpty { chunks.append(Chunk(kind: .trivia, lines: pending)) }
                pending = []
                chunks.append(Chunk(kind: .entry, lines: [line]))
                current = chunks.count - 1
            }
        }
        if !pending.isEmpty { chunks.append(Chunk(kind: .trivia, lines: pending)) }
        self.chunks = chunks
    }

    /// The text cut at each "\n" and "\r\n" (the Characters that end a line; "\r\n" is one).
    ///
    /// Cut at the bytes, which gives the same lines as cutting at those Characters: a line
    /// feed is a grapheme cluster of its own, or the end of "\r\n".
    static func physicalLines(_ text: String) -> [String] {
        var text = text
        return text.withUTF8 { bytes in
            var lines: [String] = []
            var start = 0
            for index in bytes.indices where bytes[index] == 0x0A {
                let end = index > start && bytes[index - 1] == 0x0D ? index - 1 : index
                lines.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
                start = index + 1
            }
            lines.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start...]), as: UTF8.self))
            return lines
        }
    }

    /// Empty, whitespace only, or a comment.
    static func isIgnorable(_ line: String) -> Bool {
        guard let first = line.first(where: { $0 != " " && $0 != "\t" && $0 != "\r" }) else { return true }
        return first == "#"
    }

    /// The line number (from 1) where each chunk starts.
    var startLines: [Int] {
        var result: [Int] = []
        var line = 1
        for chunk in chunks {
            result.append(line)
            line += chunk.lines.count
        }
        return result
    }

    /// The whole text, each line ending in a line break.
    var text: String {
        chunks.flatMap(\.lines).map { $0 + "\n" }.joined()
    }

    static func trimmed<S: StringProtocol>(_ text: S) -> String {
        let isSpace = { (c: Character) in c == " " || c == "\t" || c == "\r" || c == "\n" }
        guard let first = text.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = text.lastIndex(where: { !isSpace($0) })!
        return String(text[first...last])
    }
}
