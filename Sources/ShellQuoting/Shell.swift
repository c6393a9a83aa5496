/// Quoting for POSIX shells. Every value that reaches a remote shell goes through here.
public enum Shell {
    /// `value` as one shell word: single-quoted, with each `'` written as `'\''`.
    public static func quote(_ value: String) -> String {
        if !value.isEmpty, value.utf8.allSatisfy(isSafe) { return value }
        // Byte by byte: `'` is one byte in UTF-8 and never part of another character's
        // bytes. Foundation's replacingOccurrences went through UTF-16 and was a thirteenth
        // of a no-change run's controller CPU, quoting the 12 kB facts probe for each host.
        var bytes: [UInt8] = [UInt8(ascii: "'")]
        bytes.reserveCapacity(value.utf8.count + 16)
        for byte in value.utf8 {
            if byte == UInt8(ascii: "'") {
                bytes.append(contentsOf: [UInt8(ascii: "'"), UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "'")])
            } else {
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "'"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Words joined into a command line, each quoted.
    public static func join(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }

    private static func isSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "/"),
             UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: "@"), UInt8(ascii: "+"), UInt8(ascii: ","):
            return true
        default:
            return false
        }
    }
}

import Foundation
