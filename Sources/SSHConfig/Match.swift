extension ConfigParser {
    /// The criteria of a Match line; nil when one is not supported (the block never applies,
    /// with a warning).
    mutating func matchCriteria(_ c: LineContext) throws(ClientConfigError) -> [SSHConfigMatchCriterion]? {
        let words = try c.atLeastOne()
        var criteria: [SSHConfigMatchCriterion] = []
        var supported = true
        var sawCriterionWithArgument = false
        var k = 0
        while k < words.count {
            let w = words[k]
            k += 1
            let negated = w.value.hasPrefix("!")
            let name = (negated ? String(w.value.dropFirst()) : w.value).lowercased()
            func skip(_ what: String) {
                warnings.append("\(c.path):\(c.line):\(w.column): warning: Match \(what) is not supported; this block is skipped")
                supported = false
            }
            switch name {
            case "all":
                // As `ssh`: alone, or right after canonical/final.
                if sawCriterionWithArgument || k < words.count {
                    throw c.error(w, "Match all cannot be combined with other criteria")
                }
                criteria.append(.all(negated: negated))
            case "canonical", "final":
                skip(name)
            case "host", "originalhost", "user", "localuser", "exec", "localnetwork", "tagged":
                guard k < words.count, !words[k].value.isEmpty else {
                    throw c.error(w, "missing argument for Match \(name)")
                }
                let argument = words[k].value
                k += 1
                sawCriterionWithArgument = true
                switch name {
                case "host": criteria.append(.host(argument, negated: negated))
                case "originalhost": criteria.append(.originalHost(argument, negated: negated))
                case "user": criteria.append(.user(argument, negated: negated))
                case "localuser": criteria.append(.localUser(argument, negated: negated))
                default: skip(name)
                }
            default:
                // A criterion of a newer ssh, or a typo: what follows cannot be read without
                // knowing it.
                skip(name.isEmpty ? "''" : name)
                return nil
            }
        }
        return supported ? criteria : nil
    }
}
