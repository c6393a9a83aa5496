import Playbook
import Testing

/// `serial` and `max_fail_percentage` as text, the way `postfleet postmulti` takes them as flags.
@Suite struct PolicyParsingTests {
    @Test func batchSizes() throws {
        #expect(try Policy.BatchSize.parseList("2") == [.count(2)])
        #expect(try Policy.BatchSize.parseList("1, 5,25%") == [.count(1), .count(5), .percent(25)])
        #expect(try Policy.BatchSize.parse(" 100% ") == .percent(100))
    }

    @Test func badBatchSizes() {
        #expect(throws: PolicyError("a batch size must be a whole number from 1 to 1,000,000 (got 0)")) { try Policy.BatchSize.parseList("1,0") }
        #expect(throws: PolicyError("a batch percentage must be from 1% to 100% (got 120%)")) { try Policy.BatchSize.parseList("120%") }
        #expect(throws: PolicyError("a batch size is a number of hosts (2) or a percentage (\"25%\"), not 'many'")) {
            try Policy.BatchSize.parseList("many")
        }
        #expect(throws: PolicyError("a batch size is a number of hosts (2) or a percentage (\"25%\"), not ''")) {
            try Policy.BatchSize.parseList("1,,2")
        }
    }

    @Test func maxFailPercentage() throws {
        #expect(try Policy.maxFailPercentage(12.5, name: "'max_fail_percentage'", written: "12.5") == 12.5)
        #expect(throws: PolicyError("'max_fail_percentage' must be from 0 to 100 (got 101)")) {
            try Policy.maxFailPercentage(101, name: "'max_fail_percentage'", written: "101")
        }
        #expect(throws: PolicyError("'max_fail_percentage' must be from 0 to 100 (got .nan)")) {
            try Policy.maxFailPercentage(.nan, name: "'max_fail_percentage'", written: ".nan")
        }
    }
}
