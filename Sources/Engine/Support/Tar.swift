/// A minimal POSIX ustar writer: regular files and the directories above them, so a
/// set of files reaches a host in one round trip (`tar -x -C /` reads it).
struct TarArchive {
    struct Entry {
        var path: String  // relative, no leading slash
        var contents: [UInt8]
        var mode: Int
        var owner: String
        var group: String
        var mtime: Int
    }

    enum Failure: Error, Equatable {
        case pathTooLong(String)
    }

    static func make(_ entries: [Entry]) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        for e in entries {
            out += try header(e)
            out += e.contents
            let pad = (512 - e.contents.count % 512) % 512
            out += [UInt8](repeating: 0, count: pad)
        }
        out += [UInt8](repeating: 0, count: 1024)
        return out
    }

    private static func header(_ e: Entry) throws(Failure) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        let (prefix, name) = try split(e.path)
        func put(_ s: String, at offset: Int, width: Int) {
            let bytes = Array(s.utf8.prefix(width))
            h.replaceSubrange(offset..<offset + bytes.count, with: bytes)
        }
        func octal(_ n: Int, at offset: Int, width: Int) {
            let digits = String(n, radix: 8)
            put(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, at: offset, width: width - 1)
        }
        put(name, at: 0, width: 100)
        octal(e.mode & 0o7777, at: 100, width: 8)
        octal(0, at: 108, width: 8)
        octal(0, at: 116, width: 8)
        octal(e.contents.count, at: 124, width: 12)
        octal(e.mtime, at: 136, width: 12)
        put("        ", at: 148, width: 8)  // checksum counts as spaces
        h[156] = UInt8(ascii: "0")  // regular file
        put("ustar\u{0}", at: 257, width: 6)
        put("00", at: 263, width: 2)
        put(e.owner, at: 265, width: 32)
        put(e.group, at: 297, width: 32)
        put(prefix, at: 345, width: 155)
        let sum = h.reduce(0) { $0 + Int($1) }
        let digits = String(sum, radix: 8)
        put(String(repeating: "0", count: max(0, 6 - digits.count)) + digits, at: 148, width: 6)
        h[154] = 0
        h[155] = UInt8(ascii: " ")
        return h
    }

    /// ustar keeps up to 155 bytes of directories apart from a 100-byte name.
    private static func split(_ path: String) throws(Failure) -> (String, String) {
        if path.utf8.count <= 100 { return ("", path) }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        for i in stride(from: parts.count - 1, to: 0, by: -1) {
            let prefix = parts[..<i].joined(separator: "/")
            let name = parts[i...].joined(separator: "/")
            if prefix.utf8.count <= 155 && name.utf8.count <= 100 { return (prefix, name) }
        }
        throw .pathTooLong(path)
    }
}
