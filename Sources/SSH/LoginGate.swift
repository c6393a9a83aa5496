import Synchronization

/// At most `limit` logins at once to each jump host, the others waiting their turn.
///
/// A run through a bastion opens one connection to it per target host. sshd drops new
/// connections while too many are not yet logged in (MaxStartups, by default `10:30:100`:
/// from the eleventh on, 30% are dropped, rising to all at 100), so `--forks 100` through
/// a default sshd loses hosts at random ("Failed getting banner"), as `ssh -J` and Ansible
/// do. Kept below that, nearly every connection gets through (one that other clients'
/// logins still push over is tried again: `Session.openJump`); the time a login takes
/// (a few milliseconds) bounds the wait. A connection counts from TCP connect to the end of its
/// login; the wait for a turn does not count against the connect timeout.
final class LoginGate: Sendable {
    /// The gate for jump hosts, keyed by `address:port`.
    static let jumpHosts = LoginGate(limit: 8)

    let limit: Int

    private struct Turns {
        var inside: [String: Int] = [:]
        var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]
    }

    private let turns = Mutex(Turns())

    init(limit: Int) {
        precondition(limit > 0)
        self.limit = limit
    }

    /// Runs `body` once fewer than `limit` others are inside for `key`.
    func admitted<T>(_ key: String, _ body: () async throws -> T) async throws -> T {
        await enter(key)
        defer { leave(key) }
        return try await body()
    }

    private func enter(_ key: String) async {
        await withCheckedContinuation { (turn: CheckedContinuation<Void, Never>) in
            let now = turns.withLock { t -> Bool in
                if t.inside[key, default: 0] < limit {
                    t.inside[key, default: 0] += 1
                    return true
                }
                t.waiting[key, default: []].append(turn)
                return false
            }
            if now { turn.resume() }
        }
    }

    /// Hands the turn to the first waiter, if any (it stays counted inside), else frees it.
    private func leave(_ key: String) {
        let next = turns.withLock { t -> CheckedContinuation<Void, Never>? in
            if var queue = t.waiting[key], !queue.isEmpty {
                let first = queue.removeFirst()
                t.waiting[key] = queue.isEmpty ? nil : queue
                return first
            }
            let left = t.inside[key, default: 1] - 1
            t.inside[key] = left > 0 ? left : nil
            return nil
        }
        next?.resume()
    }

    /// How many are inside for `key` and how many wait (for tests).
    func count(_ key: String) -> (inside: Int, waiting: Int) {
        turns.withLock { ($0.inside[key] ?? 0, $0.waiting[key]?.count ?? 0) }
    }
}
