/// Runs one piece of work per item, at most `limit` at once, and returns the results in
/// the items' order.
///
/// The bound lives inside the task group: it starts `limit` children, then one more each
/// time one finishes, so no more than `limit` sessions are ever open and no task waits
/// on a semaphore.
public func fanOut<Item: Sendable, Result: Sendable>(
    _ items: [Item],
    limit: Int,
    _ work: @escaping @Sendable (Item) async -> Result
) async -> [Result] {
    let limit = max(1, limit)
    return await withTaskGroup(of: (Int, Result).self) { group in
        var results = [Result?](repeating: nil, count: items.count)
        var next = 0
        while next < min(limit, items.count) {
            let index = next
            group.addTask { (index, await work(items[index])) }
            next += 1
        }
        while let (index, result) = await group.next() {
            results[index] = result
            if next < items.count {
                let index = next
                group.addTask { (index, await work(items[index])) }
                next += 1
            }
        }
        return results.map { $0! }
    }
}
