/// Control characters (Unicode's Cc: U+0000 to U+001F and U+007F to U+009F) in text that
/// says where or as whom to connect. The C functions such a value reaches stop at a NUL
/// (`198.18.0.7\0.example.net` would reach 198.18.0.7), and a line break or an escape
/// sequence changes what a command, a log or a terminal shows; no host name, address, user
/// name, key file or ssh option needs one. postfleet refuses them where the value is read.
extension String {
    /// The first control character and how many Unicode scalars come before it; nil when there is none.
    public var firstControlCharacter: (offset: Int, scalar: Unicode.Scalar)? {
        // Printable ASCII, as most values are: none.
        if utf8.allSatisfy({ (0x20..<0x7F).contains($0) }) { return nil }
        for (offset, scalar) in unicodeScalars.enumerated() where scalar.properties.generalCategory == .control {
            return (offset, scalar)
        }
        return nil
    }

    /// Why text that names `what` cannot be used, when it holds a control character:
    /// `ansible_host holds a control character (U+0000) after 10 characters`. The value
    /// itself is not repeated (it may be a secret, and printing it would not show the character).
    public func controlCharacterProblem(naming what: String) -> String? {
        guard let (offset, scalar) = firstControlCharacter else { return nil }
        let after = offset == 0 ? "as its first character" : "after \(offset) character\(offset == 1 ? "" : "s")"
        return "\(what) holds a control character (\(scalar.codePoint)) \(after); it cannot hold one"
    }
}

extension Unicode.Scalar {
    /// `U+0000`: how an error names a character that printing would not show.
    public var codePoint: String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
