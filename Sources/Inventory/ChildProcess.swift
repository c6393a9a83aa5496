import Foundation

/// A local program run to its end, with both outputs collected, for at most a given time:
/// how an inventory script is run. It runs in the current directory with this process's
/// environment, as Ansible runs it, and reads nothing (standard input is /dev/null).
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
    static let grace: DispatchTimeInterval = .seconds(2)

    static func run(_ path: String, _ arguments: [String], timeout: Duration) throws(Failure) -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            throw .cannotRun((error as NSError).localizedFailureReason ?? error.localizedDescription)
        }
        // Both outputs are read while it runs, so that a full pipe cannot stop it.
        let output = Collector(stdout.fileHandleForReading)
        let errors = Collector(stderr.fileHandleForReading)
        let (seconds, attoseconds) = timeout.components
        let limit = DispatchTime.now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        if exited.wait(timeout: limit) == .timedOut {
            process.terminate()
            if exited.wait(timeout: .now() + grace) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                _ = exited.wait(timeout: .now() + grace)
            }
            throw .timedOut
        }
        guard let out = output.data(within: grace), let err = errors.data(within: grace) else { throw .outputLeftOpen }
        return Outcome(status: process.terminationStatus, killedBySignal: process.terminationReason == .uncaughtSignal,
                       stdout: out, stderr: err)
    }

    /// Reads a pipe to its end on a thread of its own.
    private final class Collector: @unchecked Sendable {
        // `data` is written once, by the reading thread, before `done` is signalled, and read
        // only after a wait on `done` succeeds.
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)

        init(_ handle: FileHandle) {
            Thread.detachNewThread { [self] in
                data = handle.readDataToEndOfFile()
                done.signal()
            }
        }

        /// Everything read, once the pipe has ended; nil if it does not end within `time`.
        func data(within time: DispatchTimeInterval) -> Data? {
            done.wait(timeout: .now() + time) == .success ? data : nil
        }
    }
}
