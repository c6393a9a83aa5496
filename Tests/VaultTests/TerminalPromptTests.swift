import Foundation
import Glibc
import Testing

@testable import Vault

/// `--ask-vault-pass` on a terminal (a pseudo-terminal here): the prompt shows, what is
/// typed does not echo, and the terminal's echo is back afterwards.
@Suite struct TerminalPromptTests {
    /// A new pseudo-terminal: the controller's descriptor and the device's path.
    /// (libc's posix_openpt, grantpt, unlockpt and ptsname, which Swift's Glibc module does not show.)
    static func openPTY() throws -> (controller: Int32, device: String) {
        typealias IntFunction = @convention(c) (Int32) -> Int32
        typealias NameFunction = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
        func function<T>(_ name: String, as type: T.Type) throws -> T {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { throw CancellationError() }
            return unsafeBitCast(symbol, to: type)
        }
        let controller = try function("posix_openpt", as: IntFunction.self)(O_RDWR | O_NOCTTY)
        guard controller >= 0, try function("grantpt", as: IntFunction.self)(controller) == 0,
              try function("unlockpt", as: IntFunction.self)(controller) == 0,
              let name = try function("ptsname", as: NameFunction.self)(controller)
        else { throw CancellationError() }
        return (controller, String(cString: name))
    }

    /// What the controller reads (what the program wrote, and any echo), until `until`
    /// holds for it or `seconds` pass.
    static func drain(_ fd: Int32, seconds: Double, until done: (String) -> Bool = { _ in false }) -> String {
        var out: [UInt8] = []
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, out.count < 4096, !done(String(decoding: out, as: UTF8.self)) {
            var poll = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&poll, 1, 50) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 256)
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            out += buffer.prefix(count)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The prompt runs on a thread of its own (it blocks in read); the test types only once
    /// the prompt is shown, as echo goes off (and type-ahead is flushed) just before it.
    @Test func thePasswordIsReadWithoutEcho() throws {
        let (controller, device) = try Self.openPTY()
        let answer = Answer()
        Thread.detachNewThread { answer.set(Result { try TerminalPrompt.ask("Vault password: ", device: device) }) }
        // Closing the controller hangs the terminal up: a prompt still waiting ends with an error.
        defer { close(controller) }
        let prompt = Self.drain(controller, seconds: 10) { $0 == "Vault password: " }
        #expect(prompt == "Vault password: ")
        let typed = Array("s3cret typed\n".utf8)
        #expect(write(controller, typed, typed.count) == typed.count)
        let result = try #require(answer.wait(seconds: 10), "the prompt did not return")
        #expect(try result.get() == "s3cret typed")
        let after = Self.drain(controller, seconds: 0.3)
        #expect(!after.contains("s3cret"), "echoed: \(after)")
        // Echo is on again.
        let fd = open(device, O_RDWR | O_NOCTTY)
        defer { close(fd) }
        var settings = termios()
        #expect(tcgetattr(fd, &settings) == 0 && settings.c_lflag & tcflag_t(ECHO) != 0)
    }

    @Test func noTerminalIsAClearError() {
        #expect(throws: TerminalPrompt.Failure.self) { try TerminalPrompt.ask("Vault password: ", device: "/nonexistent/tty") }
    }
}

/// What the prompt's thread returned.
private final class Answer: @unchecked Sendable {
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<String, any Error>?

    func set(_ result: Result<String, any Error>) {
        lock.withLock { self.result = result }
        done.signal()
    }

    func wait(seconds: Double) -> Result<String, any Error>? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return lock.withLock { result }
    }
}
