/// Folds host names into ClusterShell's node-set notation: `mta1 mta2 mta3 mta7` →
/// `mta[1-3,7]`. Zero-padded numbers keep their width (`mta[01-03]`).
public enum HostSet {
    public static func fold(_ names: [String]) -> String {
        var plain: [String] = []
        // (prefix, width of the zero-padded number) -> numbers
        var numbered: [String: [Int: [Int]]] = [:]
        var order: [String] = []
        for name in names {
            guard let (prefix, digits) = split(name) else {
                plain.append(name)
                continue
            }
            let width = digits.hasPrefix("0") && digits.count > 1 ? digits.count : 0
            if numbered[prefix] == nil { order.append(prefix) }
            numbered[prefix, default: [:]][width, default: []].append(Int(digits)!)
        }
        var parts = plain.sorted()
        for prefix in order {
            var byWidth = numbered[prefix]!
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
                    parts.append(prefix + pad(unique[0], width))
                } else {
                    parts.append(prefix + "[" + ranges(unique).map { a, b in
                        a == b ? pad(a, width) : "\(pad(a, width))-\(pad(b, width))"
                    }.joined(separator: ",") + "]")
                }
            }
        }
        return parts.joined(separator: ",")
    }

    private static func split(_ name: String) -> (String, String)? {
        let digits = name.reversed().prefix(while: \.isASCIIDigit)
        guard !digits.isEmpty, digits.count < name.count, digits.count <= 9 else { return nil }
        return (String(name.dropLast(digits.count)), String(digits.reversed()))
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
