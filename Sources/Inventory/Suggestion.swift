/// "Did you mean ...?": the known name closest to a mistyped one.
package enum Suggestion {
    /// The candidate nearest to `input` by edit distance (a swap of two neighbours counts as
    /// one edit), if it is near enough to be a typo: at most one edit per three characters
    /// (and at least one), or `input` is the start of it (`child` for `children`).
    /// Ties go to the earlier candidate.
    package static func nearest(to input: String, among candidates: some Sequence<String>) -> String? {
        let typed = Array(input.lowercased())
        var best: (name: String, distance: Int)?
        for candidate in candidates where candidate != input {
            let known = Array(candidate.lowercased())
            let distance = editDistance(typed, known)
            let isPrefix = typed.count >= 3 && known.starts(with: typed)
            guard distance <= max(1, known.count / 3) && distance < max(typed.count, 2) || isPrefix else {
                continue
            }
            if best == nil || distance < best!.distance {
                best = (candidate, distance)
            }
        }
        return best?.name
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and
    /// transpositions of neighbours each cost one.
    package static func editDistance<C: Equatable>(_ a: [C], _ b: [C]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
