extension String {
    /// `contains(text)` for an ASCII `text`, answered from the UTF-8 bytes when they do not
    /// hold it (as they mostly do not): only a run of the same bytes can be Characters equal
    /// to ASCII ones. When they do, `contains` decides (a combining mark after the run makes
    /// other Characters of it).
    package func containsASCII(_ text: StaticString) -> Bool {
        precondition(text.isASCII, "containsASCII takes ASCII text")
        let needle = UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
        var string = self
        let found = string.withUTF8 { bytes -> Bool in
            guard let first = needle.first, bytes.count >= needle.count else { return needle.isEmpty }
            for start in 0...(bytes.count - needle.count) where bytes[start] == first {
                if (1..<needle.count).allSatisfy({ bytes[start + $0] == needle[$0] }) { return true }
            }
            return false
        }
        return found && contains(text.description)
    }
}
