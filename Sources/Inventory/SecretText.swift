/// Keeps secrets out of the source lines errors quote: the value of a secret-looking
/// variable (``isSecretName(_:)``: `relay_password: s3cret`, `"api_token": "x"`,
/// `ansible_become_pass=x`, `-o smtp_sasl_password_maps=static:u:p`) and a vault-encrypted
/// value (`!vault`, `$ANSIBLE_VAULT;...` and its hex lines) show as ``mask``; the key stays,
/// so the error still says where it is.
public enum SecretText {
    /// What a hidden value shows as.
    public static let mask = "(secret)"

    /// A hidden span of a line: where it was (in Unicode scalars, from 0) and what it held.
    struct Span: Equatable {
        var start: Int
        var end: Int
        var text: String
    }

    /// Whether a variable of this name likely holds a secret: its name contains `password`,
    /// `passwd`, `passphrase`, `secret`, `token` or `credential`, or ends in `_pass`, `_pw` or
    /// `_key` (`ansible_become_pass`, `dkim_key`; a `_key` whose value is a file path is
    /// shown, see ``masking(_:)``).
    ///
    /// `secret` alone is not: it is the flag of a playbook's table (`secret: true`).
    public static func isSecretName(_ name: String) -> Bool {
        let name = name.lowercased()
        if name == "secret" { return false }
        let words = ["password", "passwd", "passphrase", "secret", "token", "credential"]
        if words.contains(where: name.contains) { return true }
        return ["pass", "pw", "key"].contains(name) || ["_pass", "_pw", "_key", "-key"].contains(where: name.hasSuffix)
    }

    /// `line` with its secret values masked, and where they were.
    static func masking(_ line: String) -> (line: String, spans: [Span]) {
        let s = Array(line.unicodeScalars)
        var spans = vaultLine(s).map { [$0] } ?? SecretKeys(s).spans()
        spans.sort { $0.start < $1.start }
        guard !spans.isEmpty else { return (line, []) }
        var out = String.UnicodeScalarView()
        var at = 0
        for span in spans where span.start >= at {
            out.append(contentsOf: s[at..<span.start])
            out.append(contentsOf: mask.unicodeScalars)
            at = span.end
        }
        out.append(contentsOf: s[at...])
        return (String(out), spans)
    }

    /// A line of a vault-encrypted value (`$ANSIBLE_VAULT;1.1;AES256`, or only hex digits):
    /// all of it after the indentation.
    private static func vaultLine(_ s: [Unicode.Scalar]) -> Span? {
        let start = s.firstIndex { $0 != " " && $0 != "\t" } ?? s.count
        let body = String(String.UnicodeScalarView(s[start...]))
        let hex = body.count >= 32 && body.unicodeScalars.allSatisfy { $0.properties.isASCIIHexDigit }
        guard body.hasPrefix("$ANSIBLE_VAULT;") || hex else { return nil }
        return Span(start: start, end: s.count, text: body)
    }

    /// The column (from 1) of the caret under `column` once `spans` are masked: shifted by
    /// what the masks before it changed, at the start of a mask it falls inside.
    static func caretColumn(_ column: Int, spans: [Span]) -> Int {
        let offset = column - 1
        var shift = 0
        for span in spans.sorted(by: { $0.start < $1.start }) {
            if offset >= span.end {
                shift += mask.unicodeScalars.count - (span.end - span.start)
            } else if offset >= span.start {
                return span.start + shift + 1
            }
        }
        return max(offset + shift, 0) + 1
    }

    /// `message` with every value of `spans` replaced by ``mask``: whole, without its
    /// quotes or YAML tag (`!!str x`), and each word of six characters or more (a loader may
    /// quote part of it); shorter than three characters, a value is left alone.
    static func masking(message: String, spans: [Span]) -> String {
        var message = message
        for span in spans {
            var values = [span.text]
            var bare = Substring(span.text)
            if bare.hasPrefix("!"), let space = bare.firstIndex(of: " ") { bare = bare[space...].drop { $0 == " " } }
            if let first = bare.first, first == "\"" || first == "'", bare.count >= 2, bare.last == first {
                bare = bare.dropFirst().dropLast()
            }
            values.append(String(bare))
            values += bare.split(separator: " ").filter { $0.count >= 6 }.map(String.init)
            for value in values.sorted(by: { $0.count > $1.count }) where value.count >= 3 {
                message = message.replacingAll(value, with: mask)
            }
        }
        return message
    }
}

extension String {
    /// Every occurrence of `target` replaced by `replacement` (no Foundation needed): as
    /// Characters, which also finds it written in another normalization form, then as
    /// UTF-8 bytes, which finds it where a Character search cannot, such as before a
    /// combining mark (`"s3cret\u{301}"` holds `"s3cret"`, but no Character of it).
    /// A secret must not survive either way of reading the text.
    public func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        // Both passes first put a private-use scalar that neither text holds where `target`
        // was, so that neither finds `target` again inside a replacement that contains it.
        let used = Set(unicodeScalars).union(target.unicodeScalars).union(replacement.unicodeScalars)
        guard let stand = (0xE000...0xF8FF).lazy.compactMap(Unicode.Scalar.init).first(where: { !used.contains($0) }) else {
            return replacingCharacters(target, with: replacement)
        }
        let mark = String(Character(stand))
        return replacingBytes(target, with: mark).replacingCharacters(target, with: mark).replacingBytes(mark, with: replacement)
    }

    private func replacingCharacters(_ target: String, with replacement: String) -> String {
        var out = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }

    /// Whether `target` occurs in this text as Characters or as UTF-8 bytes
    /// (``replacingAll(_:with:)`` replaces it then).
    public func holds(_ target: String) -> Bool {
        contains(target) || Array(utf8).firstByteRange(of: Array(target.utf8), from: 0) != nil
    }

    /// Every occurrence of `target`'s UTF-8 bytes replaced. A match of a whole UTF-8
    /// sequence starts and ends on scalar boundaries, so the result is valid UTF-8.
    private func replacingBytes(_ target: String, with replacement: String) -> String {
        let bytes = Array(utf8), needle = Array(target.utf8)
        guard var found = bytes.firstByteRange(of: needle, from: 0) else { return self }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var start = 0
        while true {
            out += bytes[start..<found.lowerBound]
            out += replacement.utf8
            start = found.upperBound
            guard let next = bytes.firstByteRange(of: needle, from: start) else { break }
            found = next
        }
        out += bytes[start...]
        return String(decoding: out, as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// The first range from `start` on holding exactly `needle` (not empty).
    func firstByteRange(of needle: [UInt8], from start: Int) -> Range<Int>? {
        guard let first = needle.first, count - start >= needle.count else { return nil }
        var i = start
        let last = count - needle.count
        while i <= last {
            if self[i] == first, self[(i + 1)..<(i + needle.count)].elementsEqual(needle.dropFirst()) {
                return i..<(i + needle.count)
            }
            i += 1
        }
        return nil
    }
}

extension SecretText {
    /// `text` (several lines, such as a command's output) with the value of every
    /// secret-looking `name=value` or `name: value` masked, line by line.
    public static func maskingLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { masking(String($0)).line }.joined(separator: "\n")
    }
}

extension SourceError {
    /// This error with its quoted line shown as `(secret)`: a line of a secret table (its
    /// template, or its entries in the playbook) may hold a password under any key.
    public var hidingSourceLine: SourceError {
        SourceError(file: file, line: line, column: column, message: message, sourceLine: SecretText.mask)
    }
}
