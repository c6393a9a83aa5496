import CLibSSH2
import Glibc
import Testing

/// What a new session holds in memory: libssh2 1.10 clears its whole session structure
/// (about 55 kB, mostly packet buffers), and postfleet gives back the pages left all zero
/// (`pf_session_new`), so that 1,000 open sessions do not hold 55 MB they have not used.
@Suite struct SessionMemoryTests {
    @Test func aNewSessionHoldsOnlyThePagesItsSetUpWrote() throws {
        try withSessions { plain, new in
            let cleared = try residentPages(UnsafeMutableRawPointer(plain))
            let given = try residentPages(UnsafeMutableRawPointer(new))
            // The structure spans a dozen whole pages (12 or 13, as it falls), every one
            // resident after libssh2 cleared it.
            #expect(cleared.total >= 12)
            #expect(cleared.resident == cleared.total)
            // The set-up writes a few fields near the start; the buffers stay unwritten.
            #expect(given.total >= 12)
            #expect(given.resident <= 2, "\(given.resident) of \(given.total) pages still resident")
        }
    }

    @Test func aSessionWithItsPagesGivenBackReadsAsOneLibssh2Cleared() throws {
        try withSessions { plain, new in
            // Byte for byte, but for malloc's few bytes of slack past the structure.
            let size = min(malloc_usable_size(UnsafeMutableRawPointer(plain)), malloc_usable_size(UnsafeMutableRawPointer(new))) - 32
            #expect(memcmp(UnsafeRawPointer(plain), UnsafeRawPointer(new), size) == 0)
            // And it works: its settings are fields of that structure.
            libssh2_session_set_timeout(new, 1234)
            #expect(libssh2_session_get_timeout(new) == 1234)
        }
    }
}

/// `body` with a session as libssh2 makes it and one from `pf_session_new`, both freed after.
private func withSessions(_ body: (OpaquePointer, OpaquePointer) throws -> Void) throws {
    _ = libssh2_init(0)
    let plain = try #require(libssh2_session_init_ex(nil, nil, nil, nil))
    defer { libssh2_session_free(plain) }
    let new = try #require(pf_session_new(nil))
    defer { libssh2_session_free(new) }
    try body(plain, new)
}

/// The pages wholly inside the malloc allocation at `allocation`, and how many are resident.
private func residentPages(_ allocation: UnsafeMutableRawPointer) throws -> (total: Int, resident: Int) {
    let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
    let first = (UInt(bitPattern: allocation) + page - 1) & ~(page - 1)
    let end = (UInt(bitPattern: allocation) + UInt(malloc_usable_size(allocation))) & ~(page - 1)
    let count = Int((end - first) / page)
    var vector = [UInt8](repeating: 0, count: count)
    let rc = mincore(UnsafeMutableRawPointer(bitPattern: first), Int(end - first), &vector)
    try #require(rc == 0, "mincore: errno \(errno)")
    return (count, vector.filter { $0 & 1 != 0 }.count)
}
