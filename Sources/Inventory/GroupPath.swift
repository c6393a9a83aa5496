/// The chain of groups from one group down to another through children, found by
/// searching down from the first and up from the second by turns, stopping as soon as
/// either side has nowhere left to go: a chain of 10,000 groups, written top down or bottom
/// up, costs a step or two per group added rather than a walk of the whole chain.
enum GroupPath {
    static func find(
        from start: String, to end: String, children: (String) -> [String], parents: (String) -> [String]
    ) -> [String]? {
        if start == end { return [start] }
        var down = SearchSide(from: start)
        var up = SearchSide(from: end)
        while !down.isDone && !up.isDone {
            if let meeting = down.step(through: children, other: up) ?? up.step(through: parents, other: down) {
                return down.links(from: meeting).reversed() + up.links(from: meeting).dropFirst()
            }
        }
        return nil
    }

    /// One side of the search: the groups reached, each with the group it was reached from.
    private struct SearchSide {
        private var reachedFrom: [String: String]
        private var queue: [String]
        private var next = 0

        init(from group: String) {
            reachedFrom = [group: ""]
            queue = [group]
        }

        var isDone: Bool { next == queue.count }

        /// Takes the next group's neighbours; the first one the other side has reached, if any.
        mutating func step(through neighbours: (String) -> [String], other: SearchSide) -> String? {
            let group = queue[next]
            next += 1
            for neighbour in neighbours(group) where reachedFrom[neighbour] == nil {
                reachedFrom[neighbour] = group
                if other.reachedFrom[neighbour] != nil { return neighbour }
                queue.append(neighbour)
            }
            return nil
        }

        /// `group`, the group it was reached from, and so on back to where the side started.
        func links(from group: String) -> [String] {
            var links: [String] = []
            var current = group
            while !current.isEmpty {
                links.append(current)
                current = reachedFrom[current]!
            }
            return links
        }
    }
}
