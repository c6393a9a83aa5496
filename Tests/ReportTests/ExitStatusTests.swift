import Report
import Testing

/// The one rule behind every report's `exitCode`: a failure outweighs unreachable hosts,
/// which outweigh success.
@Suite struct ExitStatusTests {
    @Test func theDocumentedCodes() {
        #expect(ExitStatus.ok.rawValue == 0)
        #expect(ExitStatus.badInput.rawValue == 1)
        #expect(ExitStatus.failed.rawValue == 2)
        #expect(ExitStatus.unreachable.rawValue == 4)
    }

    @Test func aFailureOutweighsUnreachableHosts() {
        #expect(ExitStatus.of(failed: false, unreachable: false) == .ok)
        #expect(ExitStatus.of(failed: false, unreachable: true) == .unreachable)
        #expect(ExitStatus.of(failed: true, unreachable: false) == .failed)
        #expect(ExitStatus.of(failed: true, unreachable: true) == .failed)
    }
}
