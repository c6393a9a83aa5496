/// Folds host names into ClusterShell's node-set notation: `mta1 mta2 mta3 mta7` →
/// `mta[1-3,7]`. Zero-padded numbers keep their width (`mta[01-03]`).
///
/// A number anywhere in the name folds, not only at its end: `mta1a .. mta249a` →
/// `mta[1-249]a`, `mta1.dc2 .. mta9.dc2` → `mta[1-9].dc2`. Names of one shape (the same
/// text around the same count of numbers) fold on whichever of their numbers gives the
/// fewest parts, the last one when several do as well.
public enum HostSet {
    public static func fold(_ names: [String]) -> String {
        var plain: [String] = []
        var shapes: [[String]: [Name]] = [:]
        var order: [[String]] = []
        for text in names {
            guard let name = Name(text) else {
                plain.append(text)
                continue
            }
            if shapes[name.texts] == nil { order.append(name.texts) }
            shapes[name.texts, default: []].append(name)
        }
        var parts = plain.sorted()
        for shape in order {
            let members = shapes[shape]!
            var best: [String]? = nil
            for field in (0..<members[0].numbers.count).reversed() {
                let folded = fold(members, on: field)
                if best == nil || folded.count < best!.count { best = folded }
            }
            parts += best!
        }
        return parts.joined(separator: ",")
    }

    /// A name cut into its numbers and the text around them: `mta12a` → ["mta", "a"], ["12"].
    struct Name {
        let texts: [String]
        let numbers: [String]

        init?(_ name: String) {
            var texts: [String] = [], numbers: [String] = []
            var current = "", digits = ""
            for c in name {
                if c.isASCIIDigit {
                    if digits.isEmpty { texts.append(current); current = "" }
                    digits.append(c)
                } else {
                    if !digits.isEmpty { numbers.append(digits); digits = "" }
                    current.append(c)
                }
            }
            if !digits.isEmpty { numbers.append(digits) }
            texts.append(current)
            guard !numbers.isEmpty, numbers.allSatisfy({ $0.count <= 9 }), texts.contains(where: { !$0.isEmpty }) else { return nil }
            self.texts = texts
            self.numbers = numbers
        }

        /// The name before number `field` and after it.
        func around(_ field: Int) -> (before: String, after: String) {
            var before = "", after = texts[field + 1]
            for i in 0..<field { before += texts[i] + numbers[i] }
            before += texts[field]
            for i in (field + 1)..<numbers.count { after += numbers[i] + texts[i + 1] }
            return (before, after)
        }
    }

    /// `members` folded on their number `field`, the rest of each name kept as it is.
    private static func fold(_ members: [Name], on field: Int) -> [String] {
        // (text before, text after) -> width of the zero-padded number -> numbers
        var numbered: [String: [Int: [Int]]] = [:]
        var around: [String: (String, String)] = [:]
        var order: [String] = []
        for name in members {
            let (before, after) = name.around(field)
            let key = before + "\u{0}" + after
            let digits = name.numbers[field]
            let width = digits.hasPrefix("0") && digits.count > 1 ? digits.count : 0
            if numbered[key] == nil { order.append(key); around[key] = (before, after) }
            numbered[key, default: [:]][width, default: []].append(Int(digits)!)
        }
        var parts: [String] = []
        for key in order {
            let (before, after) = around[key]!
            var byWidth = numbered[key]!
            // An unpadded number as wide as a padded set (mta10 beside mta01) belongs to it.
            if let unpadded = byWidth[0] {
                byWidth[0] = unpadded.filter { n in
                    let width = String(n).count
                    guard byWidth[width] != nil else { return true }
                    byWidth[width]!.append(n)
                    return false
                }
                if byWidth[0]!.isEmpty { byWidth[0] = nil }
            }
            for (width, numbers) in byWidth.sorted(by: { $0.key < $1.key }) {
                let unique = Array(Set(numbers)).sorted()
                if unique.count == 1 {
                    parts.append(before + pad(unique[0], width) + after)
                } else {
                    parts.append(before + "[" + ranges(unique).map { a, b in
                        a == b ? pad(a, width) : "\(pad(a, width))-\(pad(b, width))"
                    }.joined(separator: ",") + "]" + after)
                }
            }
        }
        return parts
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    private static func ranges(_ sorted: [Int]) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        for n in sorted {
            if let last = out.last, last.1 + 1 == n { out[out.count - 1].1 = n } else { out.append((n, n)) }
        }
        return out
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// Hosts whose outcomes are the same, to be printed once under their folded names.
struct OutcomeGroup<Key: Hashable, Item> {
    let key: Key
    var hosts: [String]
    /// The first host's outcome; the others' equal it up to `key`.
    let sample: Item

    /// Groups `items` by `key`, in first-seen order, then stably by `rank` (lower first).
    static func make(_ items: [Item], host: (Item) -> String, key: (Item) -> Key, rank: (Item) -> Int) -> [OutcomeGroup] {
        var groups: [OutcomeGroup] = []
        var index: [Key: Int] = [:]
        for item in items {
            let k = key(item)
            if let i = index[k] { groups[i].hosts.append(host(item)) } else {
                index[k] = groups.count
                groups.append(OutcomeGroup(key: k, hosts: [host(item)], sample: item))
            }
        }
        // Stable: enumerated offsets break ties, so equal ranks keep first-seen order.
        return groups.enumerated().sorted { a, b in
            let (ra, rb) = (rank(a.element.sample), rank(b.element.sample))
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }
}
