import Dispatch
import Testing

/// Where the lab suites run: on threads of a dispatch queue of their own, not on Swift's
/// cooperative pool.
///
/// A lab test waits for programs it starts (`runProcess`, `scripts/lab`) by blocking its
/// thread, and the cooperative pool has one thread per core: two here. Two tests waiting
/// on a long rollout held both, and a third test's SSH handshake, awaiting the socket,
/// could not be resumed until its 20 s deadline had passed (CI, stop 26: "handshake: timed
/// out" in ChangeLab and TLSLab at the same instant). Jobs of a test that prefers this
/// executor run on a concurrent queue, which starts another thread when one blocks, so
/// a blocked test holds only its own thread.
final class LabThreads: TaskExecutor, @unchecked Sendable {
    static let shared = LabThreads()
    private let queue = DispatchQueue(label: "postfleet.lab-tests", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

/// Runs every test of a suite with `LabThreads` as its preferred executor; child tasks and
/// the default actors they call (an SSH `Session`) follow it.
struct OnLabThreads: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        try await withTaskExecutorPreference(LabThreads.shared) { try await function() }
    }
}

extension Trait where Self == OnLabThreads {
    /// The suite's tests run on `LabThreads`, where blocking waits cannot starve other tests.
    static var onLabThreads: Self { OnLabThreads() }
}
