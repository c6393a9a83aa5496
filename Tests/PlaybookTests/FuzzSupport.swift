import Foundation
import Inventory
import Testing

/// xorshift64* (Vigna): the same seed gives the same inputs on every machine.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 0x2545_F491_4F6C_DD1D : seed }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &self) < percent }

    mutating func pick<T>(_ items: [T]) -> T { items.randomElement(using: &self)! }
}

/// The fuzz runs' seed: `POSTFLEET_FUZZ_SEED` to replay or explore, else a fixed one so the
/// suite is the same on every run.
let fuzzSeed: UInt64 = ProcessInfo.processInfo.environment["POSTFLEET_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20_251_205

/// One fuzz run: numbered cases from one seed, each timed, each outcome judged; a case that
/// fails prints the seed, its number and its input (escaped) so it can be replayed.
///
/// A case that runs past `hangSeconds` cannot be stopped from inside the process: a watchdog
/// thread prints the case and aborts the test process, so a hang fails the suite in bounded
/// time instead of holding it forever.
final class FuzzRun: @unchecked Sendable {
    let name: String
    var random: SeededGenerator
    /// A case slower than this is recorded as an issue: a document just under the expansion
    /// limit (a million nodes) takes seconds in the debug build on two shared cores.
    let slowSeconds: Double
    let hangSeconds: Double
    private let lock = NSLock()
    private var current: (label: String, input: String, started: ContinuousClock.Instant)?
    private var finished = false
    private var counts = (cases: 0, loaded: 0, located: 0)

    init(_ name: String, seed: UInt64 = fuzzSeed, slowSeconds: Double = 10, hangSeconds: Double = 60) {
        self.name = name
        // Each run draws its own stream from the seed.
        random = SeededGenerator(seed: seed ^ UInt64(truncatingIfNeeded: name.utf8.reduce(5381) { ($0 &* 33) &+ Int($1) }))
        self.slowSeconds = slowSeconds
        self.hangSeconds = hangSeconds
        let thread = Thread { [weak self] in
            while let run = self, !run.isFinished {
                run.checkHang()
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        thread.start()
    }

    deinit { finish() }

    private var isFinished: Bool { lock.withLock { finished } }

    /// Stops the watchdog and prints how the cases ended.
    func finish() {
        let (wasFinished, total) = lock.withLock { () -> (Bool, (cases: Int, loaded: Int, located: Int)) in
            defer { finished = true }
            return (finished, self.counts)
        }
        if !wasFinished {
            print("\(name) (seed \(fuzzSeed)): \(total.cases) cases, \(total.loaded) loaded, \(total.located) refused with a place")
        }
    }

    private func checkHang() {
        guard let (label, input, started) = lock.withLock({ current }) else { return }
        let elapsed = ContinuousClock.now - started
        if elapsed > .seconds(hangSeconds) {
            FileHandle.standardError.write(Data("""
                \(name): case \(label) ran past \(hangSeconds) s (seed \(fuzzSeed), POSTFLEET_FUZZ_SEED replays it); input:
                \(Self.shown(input))

                """.utf8))
            abort()
        }
    }

    /// Runs one case; `body` returns nothing or throws, and `judge` says what is wrong with
    /// the error it threw (nil: a located error, as it should be).
    func check(
        _ label: String, input: String, judge: (any Error) -> String?, sourceLocation: Testing.SourceLocation = #_sourceLocation,
        _ body: () throws -> Void
    ) {
        let started = ContinuousClock.now
        lock.withLock { current = (label, input, started) }
        defer { lock.withLock { current = nil } }
        var problem: String?
        do {
            try body()
            lock.withLock { counts.loaded += 1 }
        } catch {
            problem = judge(error)
            if problem == nil { lock.withLock { counts.located += 1 } }
            if Self.verbose { print("\(name) \(label): \(String(describing: error).prefix { $0 != "\n" })") }
        }
        lock.withLock { counts.cases += 1 }
        let elapsed = ContinuousClock.now - started
        if problem == nil, elapsed > .seconds(slowSeconds) { problem = "took \(elapsed), more than \(slowSeconds) s" }
        if let problem {
            Issue.record("""
                \(name) case \(label) (seed \(fuzzSeed)): \(problem)
                input: \(Self.shown(input))
                """, sourceLocation: sourceLocation)
        }
    }

    /// `POSTFLEET_FUZZ_VERBOSE=1` prints each case's error: what the inputs reach.
    static let verbose = ProcessInfo.processInfo.environment["POSTFLEET_FUZZ_VERBOSE"] == "1"

    /// An input as a Swift string literal, cut to a few thousand characters.
    static func shown(_ input: String) -> String {
        let escaped = input.debugDescription
        return escaped.count > 4000 ? String(escaped.prefix(4000)) + "... (\(escaped.count) characters)" : escaped
    }
}

/// What a fuzzed load may throw: a `SourceError` at a line and column of one of `files`
/// (paths as given to the loader, with their texts), within that file; a `FileError` that
/// says a file is not UTF-8; a `HostPatternError` (a pattern is a flag, not a file).
/// - Returns: What is wrong with `error`, or nil.
func judgeLocated(_ error: any Error, files: [String: String]) -> String? {
    switch error {
    case let error as SourceError:
        guard let text = files[error.file] else { return "an error in \(error.file), which is none of the inputs: \(error)" }
        let lines = text.split(omittingEmptySubsequences: false) {
            $0 == "\n" || $0 == "\r\n" || $0 == "\r" || $0 == "\u{85}" || $0 == "\u{2028}" || $0 == "\u{2029}"
        }
        guard error.line >= 1, error.line <= lines.count, error.column >= 1 else {
            return "a place outside the file (\(lines.count) lines): \(error)"
        }
        let expected = "\(error.file):\(error.line):\(error.column): error: "
        guard error.description.hasPrefix(expected), !error.message.isEmpty else { return "not FILE:LINE:COL: error: \(error)" }
        return nil
    case let error as FileError:
        return error.reason == .notUTF8 && files[error.path] != nil ? nil : "a file error: \(error)"
    case let error as HostPatternError:
        return error.message.isEmpty ? "an empty pattern error" : nil
    default:
        return "not a located error: \(type(of: error)): \(error)"
    }
}

/// Byte-level damage to a valid input: flips, insertions, deletions, and splices of what
/// YAML, INI and Mustache treat specially.
enum Mutation {
    static let splices: [[UInt8]] = [
        Array("&a ".utf8), Array("*a".utf8), Array("&b [*a, *a, *a]".utf8), Array("[".utf8), Array("{".utf8),
        Array("- ".utf8), Array("? ".utf8), Array(": ".utf8), Array("\t".utf8), [0], [0xFF], [0xC0, 0x80], [0x80],
        [0xE2, 0x80, 0xA8], Array("\r".utf8), Array("'".utf8), Array("\"".utf8), Array("#".utf8), Array("<<: *a\n".utf8),
        Array("!vault |".utf8), Array("{{".utf8), Array("}}".utf8), Array("{{#a}}".utf8), Array("{{/a}}".utf8),
        Array("[g:children]\n".utf8), Array("[1:".utf8), Array("\n".utf8), Array(String(repeating: "[", count: 600).utf8),
        Array(String(repeating: "- ", count: 600).utf8),
    ]

    static func mutate(_ input: [UInt8], _ random: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0 where !bytes.isEmpty: bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
            case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
            case 2 where !bytes.isEmpty: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &random)))
            default: bytes.insert(contentsOf: random.pick(splices), at: at)
            }
        }
        return bytes
    }

    static func randomBytes(_ random: inout SeededGenerator) -> [UInt8] {
        (0..<Int.random(in: 0...300, using: &random)).map { _ in
            // Mostly printable, so the bytes reach past the first line now and then.
            random.chance(70) ? random.pick(Array(" \n\t-:[]{}&*!|>'\"#%@`,?abcxyz019=.".utf8)) : UInt8.random(in: 0...255, using: &random)
        }
    }
}

/// Writes `bytes` to `path` (as they are, invalid UTF-8 included).
func writeBytes(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}
