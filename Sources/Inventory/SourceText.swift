import Foundation

/// The text of a source file and its name, kept together so that any error found
/// later can quote the line it is on.
public struct SourceText: Sendable, Hashable {
    /// The path as the user gave it; errors print it as is.
    public let path: String
    /// The whole text, without a leading byte order mark.
    public let text: String
    /// The text was vault-encrypted: errors do not quote its lines.
    public let isDecrypted: Bool
    private let lines: [String]
    /// Whether the text has no `!`, and so, as YAML, no tag (`!!str`, `!vault`, `%TAG`):
    /// every plain scalar in it has the tag its text gives it (see `Node.Scalar.tagName(in:)`).
    let isTagFree: Bool

    public init(path: String, text: String, isDecrypted: Bool = false) {
        self.path = path
        self.isDecrypted = isDecrypted
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        self.text = text
        (lines, isTagFree) = Self.lines(of: text)
    }

    /// The text cut at the line breaks libyaml counts: LF, CR LF, CR, NEL, LS, PS; and
    /// whether it has no `!`.
    ///
    /// Cut at the bytes, which gives the same lines as cutting at those Characters: each
    /// of them is a grapheme cluster of its own (CR LF being one), so no Character holds a
    /// line break with anything else.
    private static func lines(of text: String) -> (lines: [String], isTagFree: Bool) {
        var text = text
        return text.withUTF8 { bytes in
            var lines: [String] = []
            var isTagFree = true
            var start = 0
            var index = 0
            func cut(at end: Int, next: Int) {
                lines.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
                start = next
                index = next
            }
            while index < bytes.count {
                switch bytes[index] {
                case 0x0A: cut(at: index, next: index + 1)
                case 0x0D: cut(at: index, next: index + 1 < bytes.count && bytes[index + 1] == 0x0A ? index + 2 : index + 1)
                // NEL is C2 85; LS and PS are E2 80 A8 and E2 80 A9.
                case 0xC2 where index + 1 < bytes.count && bytes[index + 1] == 0x85: cut(at: index, next: index + 2)
                case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80
                    && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                    cut(at: index, next: index + 3)
                case UInt8(ascii: "!"):
                    isTagFree = false
                    index += 1
                default: index += 1
                }
            }
            lines.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start...]), as: UTF8.self))
            return (lines, isTagFree)
        }
    }

    /// Reads a UTF-8 file.
    ///
    /// - Throws: `FileError` naming the path when the file is missing, a directory,
    ///   unreadable, or not UTF-8.
    public static func read(path: String) throws(FileError) -> SourceText {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FileError(path: path, reason: .notFound)
        }
        if isDirectory.boolValue { throw FileError(path: path, reason: .isDirectory) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileError(path: path, reason: .notReadable)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FileError(path: path, reason: .notUTF8)
        }
        return SourceText(path: path, text: text)
    }

    /// How many lines the text has, counting the empty one after a final line break.
    var lineCount: Int { lines.count }

    /// Line `number` (from 1) without its line break, or "" past the end.
    public func line(_ number: Int) -> String {
        lines.indices.contains(number - 1) ? lines[number - 1] : ""
    }

    /// An error at `line`:`column` of this file, quoting that line; for a decrypted text,
    /// the place in it without the line.
    public func error(_ message: String, line: Int, column: Int) -> SourceError {
        guard isDecrypted else {
            return SourceError(file: path, line: line, column: column, message: message, sourceLine: self.line(line))
        }
        return SourceError(file: path, line: line, column: column, message: message + " (line \(line) of the decrypted text)",
                           sourceLine: SecretText.mask)
    }
}
