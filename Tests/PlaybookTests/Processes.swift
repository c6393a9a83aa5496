import Foundation

/// Runs a program and collects what it printed; `environment` goes over this process's.
@discardableResult
func run(_ executable: String, _ arguments: [String], in directory: String? = nil,
         environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
    }
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both before waiting, so a full pipe cannot block the child.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// The real postconf(1).
enum Postconf {
    static let path = "/usr/sbin/postconf"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }
}

/// The postfleet executable built beside this test bundle.
let postfleetExecutable: String = {
    let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directory = testBinary.deletingLastPathComponent()
    // On macOS the tests run inside a .xctest bundle: Contents/MacOS/<binary>.
    if directory.path.hasSuffix("/Contents/MacOS") {
        directory = directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
    return directory.appendingPathComponent("postfleet").path
}()

func readFile(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}

/// Dates a file 10 seconds back. Postfix waits for a main.cf changed in the last second or
/// two to "cool down" (300 ms at a time) before it reads it; a test need not.
func coolDown(_ path: String) throws {
    try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -10)], ofItemAtPath: path)
}
