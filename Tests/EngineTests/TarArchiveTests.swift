import Foundation
import Testing
@testable import Engine

@Suite struct TarArchiveTests {
    @Test func gnuTarExtractsWhatItWrites() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pf-tar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let long = "etc/" + String(repeating: "d", count: 90) + "/" + String(repeating: "n", count: 60) + ".cf"
        let payload = (0..<1500).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let archive = try TarArchive.make([
            .init(path: "etc/postfix/main.cf", contents: Array("myhostname = x\n".utf8), mode: 0o640, owner: "root", group: "root", mtime: 1_700_000_000),
            .init(path: "etc/postfix/empty", contents: [], mode: 0o600, owner: "root", group: "root", mtime: 1_700_000_000),
            .init(path: long, contents: payload, mode: 0o644, owner: "root", group: "root", mtime: 1_700_000_000),
        ])
        #expect(archive.count % 512 == 0)
        let file = dir.appendingPathComponent("a.tar")
        try Data(archive).write(to: file)
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["-x", "-p", "-f", file.path, "-C", out.path]
        let err = Pipe()
        tar.standardError = err
        try tar.run()
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0, "\(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        #expect(try String(contentsOf: out.appendingPathComponent("etc/postfix/main.cf"), encoding: .utf8) == "myhostname = x\n")
        let attrs = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("etc/postfix/main.cf").path)
        #expect(attrs[.posixPermissions] as? Int == 0o640)
        #expect((attrs[.modificationDate] as? Date)?.timeIntervalSince1970 == 1_700_000_000)
        #expect(try Data(contentsOf: out.appendingPathComponent("etc/postfix/empty")).isEmpty)
        #expect(try Array(Data(contentsOf: out.appendingPathComponent(long))) == payload)
    }

    @Test func aPathTooLongForUstarIsRefused() {
        let path = String(repeating: "x", count: 120)
        #expect(throws: TarArchive.Failure.pathTooLong(path)) {
            _ = try TarArchive.make([.init(path: path, contents: [], mode: 0o644, owner: "root", group: "root", mtime: 0)])
        }
    }
}
