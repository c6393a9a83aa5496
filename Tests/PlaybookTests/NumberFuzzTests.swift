import Foundation
import Inventory
import Playbook
import Testing

/// Random numbers in every numeric field of a playbook, through the real loader, and in every
/// numeric flag's parser: random magnitudes, signs and exponents, NaN and infinity spellings,
/// integers past Int64, hex, octal, binary, underscores, sexagesimal, unit suffixes, quotes and
/// garbage. Asserted only: nothing traps, and each value is either accepted within its limit or
/// refused with an error at a location in the file (a flag: a `PolicyError`).
///
/// The seed is new each run and printed with any failure; `POSTFLEET_FUZZ_SEED=N` replays one.
@Suite struct NumberFuzzTests {
    static let cases = 2_000
    let seed: UInt64 = ProcessInfo.processInfo.environment["POSTFLEET_FUZZ_SEED"].flatMap(UInt64.init)
        ?? UInt64.random(in: 0...UInt64.max)
    var replay: String { "seed \(seed); replay with POSTFLEET_FUZZ_SEED=\(seed)" }

    @Test func randomNumbersInPlaybookFields() {
        // Said first: a trap ends the process before any expectation could say it.
        print("NumberFuzzTests: \(replay)")
        var random = SplitMix64(seed: seed)
        let clock = ContinuousClock()
        let start = clock.now
        var refused = 0
        for index in 0..<Self.cases {
            let field = NumericField.all[Int(random.next() % UInt64(NumericField.all.count))]
            let value = RandomNumberText.make(&random)
            let yaml = field.yaml(value)
            let what = "case \(index), \(field), value \(value) (\(replay))"
            do {
                let play = try Playbook.parse(yaml: yaml, path: "fuzz.yml").plays.first
                guard let read = play.flatMap(field.read) else {
                    Issue.record("loaded, but the value is not there: \(what)")
                    continue
                }
                #expect(Self.limit(of: field).contains(read), "accepted out of its limit: \(read), \(what)")
            } catch {
                refused += 1
                let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).count
                #expect(error.file == "fuzz.yml" && (1...lines).contains(error.line) && error.column >= 1, "\(error.location): \(what)")
                #expect(firstLine(error).hasPrefix("\(error.location): error: "), "\(what)")
                if !error.message.hasPrefix("invalid YAML") {
                    #expect(error.line == field.line, "\(firstLine(error)): \(what)")
                }
            }
        }
        #expect(refused > Self.cases / 4 && refused < Self.cases, "\(refused) refused: the generator lost its mix (\(replay))")
        #expect(clock.now - start < .seconds(10), "\(Self.cases) cases took \(clock.now - start)")
    }

    @Test func randomNumbersInFlags() {
        print("NumberFuzzTests: \(replay)")
        var random = SplitMix64(seed: seed)
        for index in 0..<Self.cases {
            let text = RandomNumberText.make(&random)
            let what = "case \(index), '\(text)' (\(replay))"
            if let forks = try? Limits.count(text, in: Limits.forks) { #expect(Limits.forks.contains(forks), "\(what)") }
            if let attempts = try? Limits.count(text, in: Limits.attempts) { #expect(Limits.attempts.contains(attempts), "\(what)") }
            if let seconds = try? Limits.flagSeconds(text) { #expect(Limits.flagSeconds.contains(seconds), "\(what)") }
            if let percent = try? Limits.failPercentage(text) { #expect(Limits.failPercentage.contains(percent), "\(what)") }
            if let sizes = try? Policy.BatchSize.parseList(text) {
                #expect(sizes.allSatisfy { Limits.batchHosts.contains(Int($0.number)) }, "\(what)")
            }
        }
    }

    /// What a field may hold once loaded, in the unit `read` gives.
    static func limit(of field: NumericField) -> ClosedRange<Double> {
        switch field.kind {
        case let .count(range): Double(range.lowerBound)...Double(range.upperBound)
        case .duration: 0...86_400
        case .percentage: 0...100
        case .batch: 1...1_000_000
        }
    }
}

/// Sebastiano Vigna's SplitMix64: small, fast, and the same sequence for a seed everywhere.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random spellings of numbers, mostly hostile.
enum RandomNumberText {
    static let specials = [
        ".nan", ".NaN", ".NAN", ".inf", "-.inf", "+.inf", ".Inf", "nan", "inf", "infinity", "-inf", "NaN", "1e300", "1e+300",
        "-0", "+0", "0.0", "-0.0", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "18446744073709551615", "0x7fffffffffffffff", "0x8000000000000000", "1:0:0:0:0:0:0:0:0:0:0", "9007199254740993",
        "0", "1", "100", "101", "255", "256", "1000", "1001", "1000000", "1000001", "10000000", "10000001", "86400", "86401",
        "12abc", "1..2", "--1", "0x", "1e", "e5", "1_", "_1", "1__0", "0b2", "09", "1:60", "1:-5", "0o17", "1,5", "~", "",
    ]
    static let suffixes = ["ms", "s", "m", "h", "d", "%", "S", " s"]

    static func make(_ random: inout some RandomNumberGenerator) -> String {
        func digits(_ count: Int, from alphabet: String = "0123456789") -> String {
            String((0..<count).map { _ in alphabet.randomElement(using: &random)! })
        }
        func sign() -> String { ["", "", "-", "+"].randomElement(using: &random)! }
        let length = Int.random(in: 1...26, using: &random)
        switch Int.random(in: 0..<11, using: &random) {
        case 0: return sign() + digits(length)
        case 1: return sign() + digits(length).enumerated().map { $0.offset > 0 && $0.offset % 3 == 0 ? "_\($0.element)" : "\($0.element)" }.joined()
        case 2: return sign() + "0x" + digits(length, from: "0123456789abcdefABCDEF")
        case 3: return sign() + "0" + digits(length, from: "01234567")
        case 4: return sign() + "0b" + digits(Int.random(in: 1...70, using: &random), from: "01")
        case 5: return sign() + "1" + (0..<Int.random(in: 1...14, using: &random)).map { _ in ":" + digits(2, from: "012345") }.joined()
        case 6:
            let exponent = Bool.random(using: &random) ? "" : "e" + ["+", "-"].randomElement(using: &random)! + String(Int.random(in: 0...400, using: &random))
            return sign() + digits(Int.random(in: 1...8, using: &random)) + "." + digits(Int.random(in: 0...8, using: &random)) + exponent
        case 7, 8: return specials.randomElement(using: &random)!
        case 9: return make(&random) + suffixes.randomElement(using: &random)!
        default: return Bool.random(using: &random) ? "'\(digits(length))'" : "\"\(sign())\(digits(length))\""
        }
    }
}
