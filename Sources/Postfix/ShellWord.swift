/// Quoting for the POSIX shell that runs Postfix commands on a host (the same rule as the SSH
/// layer's: single quotes, each `'` written as `'\''`; safe words left bare).
enum ShellWord {
    static func quote(_ word: String) -> String {
        if !word.isEmpty, word.utf8.allSatisfy(isSafe) { return word }
        var quoted = "'"
        for character in word {
            quoted += character == "'" ? #"'\''"# : String(character)
        }
        return quoted + "'"
    }

    static func join(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }

    private static func isSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "/"),
             UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: "@"), UInt8(ascii: "+"), UInt8(ascii: ","):
            true
        default:
            false
        }
    }
}
