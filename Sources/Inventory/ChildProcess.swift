import Foundation

/// A local program run to its end, with both outputs collected, for at most a given time:
/// how an inventory script is run. It runs in the current directory with this process's
/// environment, as Ansible runs it, and reads nothing (standard input is /dev/null).
///
/// It is started with `posix_spawn`, every signal unblocked and SIGPIPE, SIGINT, SIGTERM
/// and the like at their default action (as Python's subprocess restores them for
/// Ansible): the thread that starts it may block signals (Dispatch's and the cooperative
/// pool's threads do), and a child inherits that mask, so Foundation's Process would start
/// a script that SIGTERM cannot stop.
struct ChildProcess {
    struct Outcome {
        /// The exit status, or the number of the signal that ended it.
        let status: Int32
        let killedBySignal: Bool
        let stdout: Data
        let stderr: Data
    }

    enum Failure: Error {
        /// It could not be started; the system's reason.
        case cannotRun(String)
        /// It ran longer than allowed, and was stopped.
        case timedOut
        /// It ended, but something it started still holds its output open.
        case outputLeftOpen
    }

    /// How long the output may stay open after the program ended, and how long a program
    /// told to stop (SIGTERM) has before it is killed.
    static let grace: Duration = .seconds(2)

    static func run(_ path: String, _ arguments: [String], timeout: Duration) throws(Failure) -> Outcome {
        var output: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        guard pipe(&output) == 0 else { throw .cannotRun(String(cString: strerror(errno))) }
        guard pipe(&errors) == 0 else {
            close(output[0]); close(output[1])
            throw .cannotRun(String(cString: strerror(errno)))
        }
        // No other program started meanwhile inherits them (dup2 into the child clears the flag).
        for descriptor in output + errors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        let pid: pid_t
        do throws(Failure) {
            defer { close(output[1]); close(errors[1]) }
            pid = try spawn(path, arguments, stdout: output[1], stderr: errors[1])
        } catch {
            close(output[0]); close(errors[0])
            throw error
        }
        // Both outputs are read while it runs, so that a full pipe cannot stop it.
        let out = Collector(output[0])
        let err = Collector(errors[0])
        guard let status = waitForExit(pid, within: timeout) else {
            kill(pid, SIGTERM)
            if waitForExit(pid, within: grace) == nil {
                kill(pid, SIGKILL)
                _ = waitForExit(pid, within: grace)
            }
            throw .timedOut
        }
        guard let stdout = out.data(within: grace), let stderr = err.data(within: grace) else { throw .outputLeftOpen }
        let signal = status & 0x7F
        return Outcome(status: signal == 0 ? (status >> 8) & 0xFF : signal, killedBySignal: signal != 0, stdout: stdout, stderr: stderr)
    }

    private static func spawn(_ path: String, _ arguments: [String], stdout: Int32, stderr: Int32) throws(Failure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        // Nothing else of this process: a descriptor opened without FD_CLOEXEC (another
        // thread's file being written) would stay open in the script for its whole run.
        spawnCloseFrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2, SIGXFSZ] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([path] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        var result: Int32 = 0
        // "Text file busy": a program another thread started holds the script open for
        // writing (a file just written, inherited by a child that has not exec'd or that
        // does not close what it inherits); it passes. Up to 2 s: under load 250 ms was not.
        for attempt in 1...40 {
            result = (argv + [nil]).withUnsafeBufferPointer { argvPointer in
                posix_spawn(&pid, path, &actions, &attributes, argvPointer.baseAddress!, environ)
            }
            guard result == ETXTBSY, attempt < 40 else { break }
            usleep(50_000)
        }
        guard result == 0 else { throw .cannotRun(String(cString: strerror(result))) }
        return pid
    }

    /// The wait status once `pid` has ended; nil if it has not within `time` (looked at every 5 ms).
    private static func waitForExit(_ pid: pid_t, within time: Duration) -> Int32? {
        let clock = ContinuousClock()
        let deadline = clock.now + time
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return status }
            if result < 0 && errno != EINTR { return 0 }
            if clock.now >= deadline { return nil }
            usleep(5_000)
        }
    }

    /// Reads a pipe to its end on a thread of its own.
    private final class Collector: @unchecked Sendable {
        // `data` is written once, by the reading thread, before `done` is signalled, and read
        // only after a wait on `done` succeeds.
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)

        init(_ descriptor: Int32) {
            Thread.detachNewThread { [self] in
                var collected = Data()
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let count = read(descriptor, &buffer, buffer.count)
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 { break }
                    collected.append(contentsOf: buffer[0..<count])
                }
                close(descriptor)
                data = collected
                done.signal()
            }
        }

        /// Everything read, once the pipe has ended; nil if it does not end within `time`.
        func data(within time: Duration) -> Data? {
            let (seconds, attoseconds) = time.components
            let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            return done.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success ? data : nil
        }
    }
}

/// glibc's posix_spawn_file_actions_addclosefrom_np (2.34 and later), which Swift's Glibc
/// module does not show. (The lab tests' spawner uses it too.)
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
@discardableResult
public func spawnCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32
