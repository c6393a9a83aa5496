import Foundation
import Glibc
import Testing

/// The real postconf(1) on this machine, for tests that hold the models to Postfix's own behaviour.
enum RealPostconf {
    static let path = "/usr/sbin/postconf"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// Runs postconf with `arguments`; returns its status, stdout and stderr.
    @discardableResult
    static func run(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}

/// A fresh directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("postfleet-postfix-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory.path)
}

/// Writes `text`, dated 10 seconds back: Postfix waits for a main.cf changed in the last
/// second or two to "cool down" (300 ms at a time) before it reads it.
func write(_ text: String, to path: String) throws {
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    try coolDown(path)
}

func coolDown(_ path: String) throws {
    try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -10)], ofItemAtPath: path)
}

/// Returns once a file changed now gets a later change time than anything changed before the
/// call (at most about 200 ms). The kernel stamps change times from a clock that moves a tick
/// at a time (4 ms at HZ=250), so a file a test changed and the temporary file a facts probe
/// started at once writes can carry the same change time; the probe then rightly declines to
/// record what it read, and a test that expects the record would fail by chance.
func waitForTheNextTick(in directory: String) throws {
    let path = directory + "/.tick"
    defer { unlink(path) }
    func touched() throws -> timespec {
        try "".write(toFile: path, atomically: false, encoding: .utf8)
        var info = stat()
        guard stat(path, &info) == 0 else { throw CocoaError(.fileReadUnknown) }
        return info.st_ctim
    }
    let start = try touched()
    for _ in 0..<200 {
        let now = try touched()
        if now.tv_sec > start.tv_sec || (now.tv_sec == start.tv_sec && now.tv_nsec > start.tv_nsec) { return }
        usleep(1_000)
    }
    Issue.record("the change-time clock did not move in 200 ms")
}

func read(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}
