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

    public init(path: String, text: String, isDecrypted: Bool = false) {
        self.path = path
        self.isDecrypted = isDecrypted
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        self.text = text
        // The line breaks libyaml counts: LF, CR LF, CR, NEL, LS, PS.
        self.lines = text.split(omittingEmptySubsequences: false) {
            $0 == "\n" || $0 == "\r\n" || $0 == "\r" || $0 == "\u{85}" || $0 == "\u{2028}" || $0 == "\u{2029}"
        }.map(String.init)
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
