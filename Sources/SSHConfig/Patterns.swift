/// OpenSSH's patterns (match.c) and `%` tokens.
enum SSHConfigPattern {
    /// `*` matches any run of characters, `?` one character; everything else itself.
    static func match(_ string: String, _ pattern: String) -> Bool {
        let s = Array(string.unicodeScalars), p = Array(pattern.unicodeScalars)
        var si = 0, pi = 0
        var starP = -1, starS = 0
        while si < s.count {
            if pi < p.count && (p[pi] == "?" || (p[pi] != "*" && p[pi] == s[si])) {
                si += 1
                pi += 1
            } else if pi < p.count && p[pi] == "*" {
                starP = pi
                starS = si
                pi += 1
            } else if starP >= 0 {
                pi = starP + 1
                starS += 1
                si = starS
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// A comma-separated pattern list: true when a pattern matches and no `!pattern` does.
    static func matchList(_ string: String, _ list: String, lowercase: Bool) -> Bool {
        var positive = false
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            var pattern = String(item)
            let negated = pattern.hasPrefix("!")
            if negated { pattern.removeFirst() }
            if lowercase { pattern = asciiLowercased(pattern) }
            if match(string, pattern) {
                if negated { return false }
                positive = true
            }
        }
        return positive
    }

    static func asciiLowercased(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { c in
            c.value >= 65 && c.value <= 90 ? Unicode.Scalar(c.value + 32)! : c
        }))
    }

    /// Replaces `%x` by `values[x]` and `%%` by `%`; other tokens stay as written.
    static func expand(_ text: String, _ values: [Character: String]) -> String {
        var out = String.UnicodeScalarView()
        var it = text.unicodeScalars.makeIterator()
        while let c = it.next() {
            guard c == "%" else { out.append(c); continue }
            guard let t = it.next() else { out.append("%"); break }
            if t == "%" {
                out.append("%")
            } else if let v = values[Character(t)] {
                out.append(contentsOf: v.unicodeScalars)
            } else {
                out.append("%")
                out.append(t)
            }
        }
        return String(out)
    }
}
