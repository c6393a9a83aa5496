import Playbook

/// How a rolling run cuts its hosts into batches: Ansible's `serial`, exactly.
///
/// - A count is that many hosts; a percentage is of all the play's hosts (not of those
///   left), rounded down, and at least 1.
/// - A list is a ramp: each batch takes the next size, and the last size repeats until
///   no host is left (`[1, 5, "25%"]`: a canary, then 5, then quarters).
/// - No `serial`: one batch of every host.
/// The hosts keep their order; every host is in exactly one batch.
public enum Batches {
    /// The number of hosts `size` means for a play of `total` hosts.
    public static func count(_ size: Policy.BatchSize, of total: Int) -> Int {
        switch size {
        case let .count(n): return max(1, n)
        // A percentage above 100 (not from a playbook: those are checked) is every host.
        case let .percent(p): return max(1, p >= 100 ? total : total * max(p, 0) / 100)
        }
    }

    public static func split<Host>(_ hosts: [Host], serial: [Policy.BatchSize]) -> [[Host]] {
        guard !serial.isEmpty else { return hosts.isEmpty ? [] : [hosts] }
        var batches: [[Host]] = []
        var start = 0
        var item = 0
        while start < hosts.count {
            let size = count(serial[item], of: hosts.count)
            let end = size >= hosts.count - start ? hosts.count : start + size
            batches.append(Array(hosts[start..<end]))
            start = end
            item = min(item + 1, serial.count - 1)
        }
        return batches
    }
}
