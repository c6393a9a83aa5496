/// A delay reason with what differs from message to message taken out, so that one remote
/// 4xx seen for thousands of recipients on forty hosts is one line with its count.
///
///     host mailhub[198.18.0.250] said: 450 4.2.0 <ann@one.example>: Recipient address
///     rejected: try again later (in reply to RCPT TO command)
///
/// becomes `host mailhub[IP] said: 450 4.2.0 <ADDRESS>: Recipient address rejected: try
/// again later (in reply to RCPT TO command)`. Taken out: addresses (`<...>` and bare
/// `local@domain`), IP addresses in brackets, queue ids after `queued as`, and numbers that
/// stand alone (counts, ports, seconds). Kept: host names, the SMTP reply code and the
/// enhanced status code, which say what the remote side meant.
public enum DelayReason {
    public static func normalized(_ reason: String) -> String {
        let words = reason.split(separator: " ", omittingEmptySubsequences: false)
        var out: [String] = []
        for (index, word) in words.enumerated() {
            if index > 1, words[index - 1] == "as", words[index - 2] == "queued" {
                out.append("ID" + trailingPunctuation(of: word))
            } else {
                let next = index + 1 < words.count ? words[index + 1] : nil
                out.append(normalizedWord(word, after: index > 0 ? words[index - 1] : nil, before: next))
            }
        }
        return out.joined(separator: " ")
    }

    private static func normalizedWord(_ word: Substring, after previous: Substring?, before next: Substring?) -> String {
        // An SMTP reply code (after "said:" or before an enhanced status code) and an
        // enhanced status code (x.y.z) stay.
        if word.count == 3, word.allSatisfy(\.isASCIIDigit), previous == "said:" || next.map(isEnhancedStatus) == true {
            return String(word)
        }
        if isEnhancedStatus(word) { return String(word) }
        var result = ""
        var rest = word[...]
        while let first = rest.first {
            if first == "<", let close = rest.firstIndex(of: ">") {
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                result += inside.contains("@") || inside.isEmpty ? "<ADDRESS>" : "<\(inside)>"
                rest = rest[rest.index(after: close)...]
            } else if first == "[", let close = rest.firstIndex(of: "]") {
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                result += isAddressLiteral(inside) ? "[IP]" : "[\(inside)]"
                rest = rest[rest.index(after: close)...]
            } else if first.isASCIIDigit, startsStandaloneNumber(result) {
                let end = rest.firstIndex { !$0.isASCIIDigit && $0 != "." } ?? rest.endIndex
                var number = rest[..<end]
                while number.last == "." { number = number.dropLast() }
                // A dotted quad is an address: `host 192.0.2.7[192.0.2.7]` reads `host IP[IP]`.
                result += number.split(separator: ".", omittingEmptySubsequences: false).count == 4 ? "IP" : "N"
                rest = rest[number.endIndex...]
            } else {
                result.append(first)
                rest = rest.dropFirst()
            }
        }
        if result.contains("@"), !result.contains("<") {
            // A bare address: local@domain with its punctuation kept.
            let core = result.trimmed(of: "()[],;:'\"")
            if core.contains("@") {
                return String(result[..<core.startIndex]) + "ADDRESS" + String(result[core.endIndex...])
            }
        }
        return result
    }

    /// A digit starts a number of its own at the start of a word or after punctuation, not
    /// inside a name such as `mta12` or `mx1.example` (whose digits are read one by one).
    private static func startsStandaloneNumber(_ before: String) -> Bool {
        guard let last = before.last else { return true }
        return !(last.isLetter || last.isNumber || last == "-" || last == "_")
    }

    private static func isEnhancedStatus(_ word: Substring) -> Bool {
        var core = word
        while let last = core.last, !last.isASCIIDigit { core = core.dropLast() }
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && ["2", "4", "5"].contains(parts[0])
            && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCIIDigit) }
    }

    private static func isAddressLiteral(_ text: Substring) -> Bool {
        let body = text.hasPrefix("IPv6:") ? text.dropFirst(5) : text
        return !body.isEmpty && body.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" }
            && body.contains { $0.isASCIIDigit }
    }

    private static func trailingPunctuation(of word: Substring) -> String {
        String(word.reversed().prefix { ")],;:".contains($0) }.reversed())
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    fileprivate func trimmed(of set: String) -> Substring {
        var s = self[...]
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return s
    }
}
