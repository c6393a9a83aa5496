extension Inventory {
    /// The hosts a pattern such as `border:!mta3` or `border[0:2]` selects, in inventory order.
    ///
    /// Stricter than Ansible, which warns and carries on: a term naming no host or group is an
    /// error (so a typo in `!mta3` cannot widen a restart to every host), and so is a pattern
    /// that selects no host at all.
    ///
    /// A term `@FILE` stands for the lines of FILE (Ansible's retry files, ``LimitFile``).
    ///
    /// - Throws: `HostPatternError`, with a "did you mean" for a name close to a known one.
    public func select(_ pattern: String) throws(HostPatternError) -> [Host] {
        try select(HostPattern(LimitFile.expand(pattern)))
    }

    /// The hosts `pattern` selects, in inventory order.
    public func select(_ pattern: HostPattern) throws(HostPatternError) -> [Host] {
        var selected: Set<String> = []
        for term in pattern.evaluationOrder {
            let matched = try hostNames(matching: term, of: pattern)
            switch term.operation {
            case .union: selected.formUnion(matched)
            case .intersection: selected.formIntersection(matched)
            case .exclusion: selected.subtract(matched)
            }
        }
        let result = hosts.filter { selected.contains($0.name) }
        guard !result.isEmpty else {
            throw HostPatternError(pattern: pattern.description, message: "no hosts match \"\(pattern.description)\"")
        }
        return result
    }

    /// Ansible's `_match_one_pattern`: a host of that exact name; else the groups the
    /// expression matches, and also the hosts it matches when no group did or it is a
    /// wildcard, a regex, or has a dot (an address or domain name); then the subscript.
    private func hostNames(matching term: HostPattern.Term, of pattern: HostPattern) throws(HostPatternError) -> Set<String> {
        let expression = term.expression
        if term.selection == nil, host(named: expression) != nil { return [expression] }

        let matches: (String) -> Bool
        if term.isRegex {
            // Checked when the pattern was parsed.
            guard let regex = try? Regex(String(expression.dropFirst())) else { return [] }
            matches = { (try? regex.prefixMatch(in: $0)) != nil }
        } else if term.isWildcard {
            let glob = Glob(expression)
            matches = glob.matches
        } else {
            matches = { $0 == expression }
        }

        let matchingGroups = Set(groupNames.filter(matches))
        var found = hosts.filter { host in
            matchingGroups.contains(Group.all) || !matchingGroups.isDisjoint(with: host.groups)
        }
        if matchingGroups.isEmpty || term.isRegex || term.isWildcard || expression.contains(".") {
            let already = Set(found.map(\.name))
            found = hosts.filter { already.contains($0.name) || matches($0.name) }
        }
        if matchingGroups.isEmpty && found.isEmpty {
            let suggestion = term.isRegex || term.isWildcard
                ? nil : Suggestion.nearest(to: expression, among: groupNames + hosts.map(\.name))
            throw HostPatternError(
                pattern: pattern.description, message: "no hosts match \"\(expression)\"", suggestion: suggestion)
        }

        guard let selection = term.selection else { return Set(found.map(\.name)) }
        let picked: ArraySlice<Host>
        switch selection {
        case let .index(index):
            let position = index < 0 ? found.count + index : index
            picked = found.indices.contains(position) ? found[position...position] : []
        case let .range(from, through):
            let last = min(through ?? found.count - 1, found.count - 1)
            picked = from <= last ? found[from...last] : []
        }
        guard !picked.isEmpty else {
            let numbered = switch found.count {
            case 0: "no hosts"
            case 1: "1 host, numbered 0"
            default: "\(found.count) hosts, numbered 0 to \(found.count - 1)"
            }
            throw HostPatternError(
                pattern: pattern.description,
                message: "no hosts match \"\(term.expression)\(Self.render(selection))\": \"\(expression)\" has \(numbered)")
        }
        return Set(picked.map(\.name))
    }

    private static func render(_ selection: HostPattern.Selection) -> String {
        switch selection {
        case let .index(index): "[\(index)]"
        case let .range(from, through): "[\(from):\(through.map(String.init) ?? "")]"
        }
    }
}
