import CLibSSH2
import Foundation
import Glibc
import Synchronization

/// A point in time on the monotonic clock, in nanoseconds.
public struct Deadline: Comparable, Sendable {
    public let nanoseconds: UInt64

    public static var now: Deadline {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Deadline(nanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    /// `duration` from now; saturating, so a duration past 584 years is "never", not a wrap.
    public static func after(_ duration: Duration) -> Deadline {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = UInt64(max(0, seconds)).multipliedReportingOverflow(by: 1_000_000_000)
        let (nanos, overflowAgain) = whole.addingReportingOverflow(UInt64(max(0, attoseconds) / 1_000_000_000))
        let (at, overflowLast) = now.nanoseconds.addingReportingOverflow(nanos)
        return overflow || overflowAgain || overflowLast ? .distantFuture : Deadline(nanoseconds: at)
    }

    public static let distantFuture = Deadline(nanoseconds: .max)

    public var hasPassed: Bool { Deadline.now >= self }

    /// Milliseconds from now until the deadline, rounded up; 0 if it has passed.
    var millisecondsFromNow: Int32 {
        let now = Deadline.now.nanoseconds
        guard nanoseconds > now else { return 0 }
        let ms = (nanoseconds - now + 999_999) / 1_000_000
        return Int32(clamping: ms)
    }

    public static func < (a: Deadline, b: Deadline) -> Bool { a.nanoseconds < b.nanoseconds }
}

/// What a wait on a socket ended with.
enum Readiness: Sendable {
    case ready
    case timedOut
    case cancelled
}

/// Socket directions to wait for.
struct Interest: OptionSet, Sendable {
    let rawValue: UInt32
    static let readable = Interest(rawValue: UInt32(EPOLLIN.rawValue))
    static let writable = Interest(rawValue: UInt32(EPOLLOUT.rawValue))
}

/// One thread that waits on every session's socket with epoll and resumes the
/// task that waits for it.
///
/// libssh2 runs in non-blocking mode on the tasks of Swift's cooperative pool:
/// a call either makes progress or returns `LIBSSH2_ERROR_EAGAIN` at once, and
/// only then does the task suspend here until the socket is ready in the
/// direction libssh2 reported. No libssh2 call ever blocks a pool thread, and
/// this thread never calls libssh2.
final class EventLoop: Sendable {
    static let shared = EventLoop()

    private struct Waiter {
        let id: UInt64
        let deadline: Deadline
        let continuation: CheckedContinuation<Readiness, Never>
    }

    private struct State {
        var nextID: UInt64 = 1
        var waiters: [Int32: Waiter] = [:]
        /// Ids whose task was cancelled before its waiter was registered.
        var cancelledEarly: Set<UInt64> = []
        /// The deadline the loop thread sleeps until, so a new earlier one wakes it.
        var sleepingUntil: Deadline = .distantFuture
    }

    private let epollFD: Int32
    private let wakeFD: Int32
    private let state = Mutex(State())

    private init() {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        precondition(epollFD >= 0 && wakeFD >= 0, "postfleet: cannot create epoll or eventfd: errno \(errno)")
        _ = pf_epoll_add_persistent(epollFD, wakeFD, UInt32(EPOLLIN.rawValue))
        let thread = Thread { [self] in self.run() }
        thread.name = "postfleet-ssh-io"
        thread.start()
    }

    /// Suspends until `fd` is ready for `interest`, the deadline passes, or the task is cancelled.
    func wait(fd: Int32, for interest: Interest, until deadline: Deadline) async -> Readiness {
        let id = state.withLock { s -> UInt64 in
            defer { s.nextID += 1 }
            return s.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Readiness, Never>) in
                let wake = state.withLock { s -> Bool in
                    if s.cancelledEarly.remove(id) != nil {
                        continuation.resume(returning: .cancelled)
                        return false
                    }
                    precondition(s.waiters[fd] == nil, "two tasks wait on one SSH socket at once")
                    s.waiters[fd] = Waiter(id: id, deadline: deadline, continuation: continuation)
                    if pf_epoll_arm(epollFD, fd, interest.rawValue) != 0 {
                        // A socket epoll refuses: let the caller try its call again.
                        s.waiters[fd] = nil
                        continuation.resume(returning: .ready)
                        return false
                    }
                    return deadline < s.sleepingUntil
                }
                if wake { self.wake() }
            }
        } onCancel: {
            let waiter = state.withLock { s -> Waiter? in
                if let w = s.waiters[fd], w.id == id {
                    s.waiters[fd] = nil
                    return w
                }
                s.cancelledEarly.insert(id)
                return nil
            }
            waiter?.continuation.resume(returning: .cancelled)
        }
    }

    private func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    private func run() {
        var fds = [Int32](repeating: 0, count: 64)
        while true {
            let timeout: Int32 = state.withLock { s in
                let nearest = s.waiters.values.map(\.deadline).min() ?? .distantFuture
                s.sleepingUntil = nearest
                return nearest == .distantFuture ? -1 : nearest.millisecondsFromNow
            }
            let n = fds.withUnsafeMutableBufferPointer {
                pf_epoll_wait_fds(epollFD, $0.baseAddress, Int32($0.count), timeout)
            }
            var ready: [(CheckedContinuation<Readiness, Never>, Readiness)] = []
            state.withLock { s in
                s.sleepingUntil = .distantFuture
                for i in 0..<max(0, Int(n)) {
                    let fd = fds[i]
                    if fd == wakeFD {
                        var value: UInt64 = 0
                        _ = Glibc.read(wakeFD, &value, 8)
                    } else if let w = s.waiters.removeValue(forKey: fd) {
                        ready.append((w.continuation, .ready))
                    }
                }
                let now = Deadline.now
                for (fd, w) in s.waiters where w.deadline <= now {
                    s.waiters[fd] = nil
                    ready.append((w.continuation, .timedOut))
                }
            }
            for (continuation, result) in ready {
                continuation.resume(returning: result)
            }
        }
    }
}
