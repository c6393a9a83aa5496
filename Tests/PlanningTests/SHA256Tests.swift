import Foundation
import Testing
@testable import Planning

@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownVectors(input: String, expected: String) {
        #expect(SHA256.hex(Array(input.utf8)) == expected)
    }

    /// Every length around the block boundaries, against sha256sum.
    @Test func agreesWithSha256sum() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pf-sha-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = [], expected: [String] = []
        for length in [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 100_003] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ length) }
            let path = dir.appendingPathComponent("f\(length)").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            paths.append(path)
            expected.append(SHA256.hex(bytes))
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = paths
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(text.split(separator: "\n").map { String($0.prefix(64)) } == expected)
    }
}
