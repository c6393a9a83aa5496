extension SourceText {
    /// Refuses a line that opens more than ``YAMLLimits/maximumDepth`` collections without
    /// closing them: `[` and `{` anywhere (outside quotes and comments), and `- ` and `? `
    /// where the line starts with them (`- - - x` is three lists, one inside the other).
    ///
    /// libyaml reads ahead along a line of brackets before it parses them, and stops at its
    /// own limit (1,000 levels, counting what it read ahead) with a mark far from where the
    /// nesting goes too deep; this pass, one look at each byte, places the error at the
    /// opening that goes too deep. A line of text that is not YAML structure (in a block
    /// scalar, say) is held to the same bound: 512 unclosed brackets on one line is not a
    /// value anyone writes.
    func checkNestingPerLine() throws(SourceError) {
        let bytes = Array(text.utf8)
        var line = 1
        var index = 0
        while index < bytes.count {
            let end = Self.lineEnd(in: bytes, from: index)
            if let column = Self.tooDeepColumn(bytes[index..<end.content]) {
                throw error(
                    "this line opens lists and mappings more than \(YAMLLimits.maximumDepth) levels deep, the most postfleet reads (real files nest a few)",
                    line: line, column: column)
            }
            line += 1
            index = end.next
        }
    }

    /// Where the line's content ends and the next line starts, for the line breaks libyaml
    /// counts: LF, CR LF, CR, NEL (C2 85), LS (E2 80 A8) and PS (E2 80 A9).
    private static func lineEnd(in bytes: [UInt8], from start: Int) -> (content: Int, next: Int) {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case 0x0A:
                return (index, index + 1)
            case 0x0D:
                return (index, index + 1 < bytes.count && bytes[index + 1] == 0x0A ? index + 2 : index + 1)
            case 0xC2 where index + 1 < bytes.count && bytes[index + 1] == 0x85:
                return (index, index + 2)
            case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                return (index, index + 3)
            default:
                index += 1
            }
        }
        return (index, index)
    }

    /// The column (in Unicode scalars, from 1) of the opening that nests one level past the
    /// limit, or nil.
    private static func tooDeepColumn(_ line: ArraySlice<UInt8>) -> Int? {
        var depth = 0
        var column = 0
        var leading = true  // still in the line's run of spaces, `- ` and `? `
        var quote: UInt8?
        var previous: UInt8 = 0x20
        var index = line.startIndex
        while index < line.endIndex {
            let byte = line[index]
            let next = index + 1 < line.endIndex ? line[index + 1] : 0x20
            if byte & 0xC0 != 0x80 { column += 1 }
            defer {
                previous = byte
                index += 1
            }
            if let open = quote {
                if byte == UInt8(ascii: "\\") && open == UInt8(ascii: "\"") {
                    index += 1  // an escaped character; a continuation byte never needs counting here
                    if index < line.endIndex, line[index] & 0xC0 != 0x80 { column += 1 }
                } else if byte == open {
                    quote = nil
                }
                continue
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                continue
            case UInt8(ascii: "#") where previous == 0x20 || previous == 0x09:
                return nil  // a comment runs to the end of the line
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                quote = byte
                leading = false
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                leading = false
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
                leading = false
            case UInt8(ascii: "-"), UInt8(ascii: "?"):
                if leading && (next == 0x20 || next == 0x09) { depth += 1 } else { leading = false }
            default:
                leading = false
            }
            if depth > YAMLLimits.maximumDepth { return column }
        }
        return nil
    }
}
