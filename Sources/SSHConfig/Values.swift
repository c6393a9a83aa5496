import Glibc

/// Values of keywords, as OpenSSH converts them.
enum ConfigValues {
    /// A port as OpenSSH's a2port(): 1...65535, or a TCP service name (`ssh`).
    static func port(_ text: String) -> Int? {
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            guard text.utf8.count <= 5, let n = Int(text), (1...65535).contains(n) else { return nil }
            return n
        }
        guard !text.isEmpty else { return nil }
        var entry = servent()
        var result: UnsafeMutablePointer<servent>? = nil
        var buffer = [CChar](repeating: 0, count: 4096)
        let rc = getservbyname_r(text, "tcp", &entry, &buffer, buffer.count, &result)
        guard rc == 0, let found = result else { return nil }
        let port = Int(UInt16(bigEndian: UInt16(truncatingIfNeeded: found.pointee.s_port)))
        return port > 0 ? port : nil
    }

    /// Seconds as OpenSSH's convtime(): `30`, `30s`, `1m30s`, `2h`, `1d`, `1w`.
    static func seconds(_ text: String) -> Int? {
        let chars = Array(text.unicodeScalars)
        guard !chars.isEmpty else { return nil }
        var total = 0
        var k = 0
        while k < chars.count {
            var n = 0
            let start = k
            while k < chars.count, chars[k].value >= 48, chars[k].value <= 57 {
                n = n * 10 + Int(chars[k].value - 48)
                if n > 1_000_000_000 { return nil }
                k += 1
            }
            guard k > start else { return nil }
            var multiplier = 1
            if k < chars.count {
                switch chars[k] {
                case "s", "S": multiplier = 1
                case "m", "M": multiplier = 60
                case "h", "H": multiplier = 3600
                case "d", "D": multiplier = 86400
                case "w", "W": multiplier = 604_800
                default: return nil
                }
                k += 1
            }
            total += n * multiplier
            if total > Int(Int32.max) { return nil }
        }
        return total
    }
}
