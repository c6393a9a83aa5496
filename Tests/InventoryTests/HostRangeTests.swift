import Testing

@testable import Inventory

@Suite("Host ranges in host names")
struct HostRangeTests {
    @Test("Numbers: [1:3]")
    func numbers() throws {
        #expect(try HostRange.expand("mta[1:3]") == ["mta1", "mta2", "mta3"])
        #expect(try HostRange.expand("mta[8:11].example.com") == ["mta8.example.com", "mta9.example.com", "mta10.example.com", "mta11.example.com"])
        #expect(try HostRange.expand("mta[:2]") == ["mta0", "mta1", "mta2"])
        #expect(try HostRange.expand("mta[0:10]").last == "mta10")
    }

    @Test("Zero-padded: [01:16] keeps the width")
    func zeroPadded() throws {
        let names = try HostRange.expand("mta[01:16]")
        #expect(names.count == 16)
        #expect(names.first == "mta01")
        #expect(names[8] == "mta09")
        #expect(names.last == "mta16")
        #expect(try HostRange.expand("h[008:010]") == ["h008", "h009", "h010"])
    }

    @Test("Stride: [1:16:2]")
    func stride() throws {
        #expect(try HostRange.expand("mta[1:16:2]") == ["mta1", "mta3", "mta5", "mta7", "mta9", "mta11", "mta13", "mta15"])
        #expect(try HostRange.expand("mta[01:10:3]") == ["mta01", "mta04", "mta07", "mta10"])
    }

    @Test("Letters: [a:f], lower then upper case")
    func letters() throws {
        #expect(try HostRange.expand("db-[a:f]") == ["db-a", "db-b", "db-c", "db-d", "db-e", "db-f"])
        #expect(try HostRange.expand("db-[a:e:2]") == ["db-a", "db-c", "db-e"])
        #expect(try HostRange.expand("x[y:B]") == ["xy", "xz", "xA", "xB"])
    }

    @Test("Several ranges: the first varies slowest")
    func several() throws {
        #expect(try HostRange.expand("r[1:2]n[a:b]") == ["r1na", "r1nb", "r2na", "r2nb"])
    }

    @Test("Bad ranges name the host and point at the bracket", arguments: [
        ("mta[3:1]", "bad host range 'mta[3:1]': the start '3' is after the end '1'", 3),
        ("mta[f:a]", "bad host range 'mta[f:a]': the start 'f' is after the end 'a'", 3),
        ("mta[1:x]", "bad host range 'mta[1:x]': '1' and 'x' must both be numbers or both be single letters", 3),
        ("mta[01:100]", "bad host range 'mta[01:100]': '01' is zero-padded, so '100' must have 2 digits too", 3),
        ("mta[1:8:0]", "bad host range 'mta[1:8:0]': the step '0' must be a positive number", 3),
        ("mta[1:8:x]", "bad host range 'mta[1:8:x]': the step 'x' must be a positive number", 3),
        ("mta[1]", "bad host range 'mta[1]': write [start:end] or [start:end:step]", 3),
        ("mta[1:]", "bad host range 'mta[1:]': the range has no end", 3),
        ("mta[1:3", "bad host range 'mta[1:3': missing ']'", 3),
        ("r[1:2]n[2:1]", "bad host range 'r[1:2]n[2:1]': the start '2' is after the end '1'", 7),
        ("mta[1:1000000]", "bad host range 'mta[1:1000000]': it expands to more than 100000 hosts", 3),
    ])
    func bad(name: String, message: String, offset: Int) {
        #expect(throws: HostRange.Problem(message: message, offset: offset)) { try HostRange.expand(name) }
    }
}
