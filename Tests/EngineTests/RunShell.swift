import Foundation

/// Runs `script` with /bin/sh to its end, stdin empty; `environment` replaces the
/// inherited one when given. Its exit status, stdout and stderr (each read whole: the
/// scripts run here say little on stderr, far less than a pipe holds).
func runShell(_ script: String, environment: [String: String]? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", script]
    if let environment { p.environment = environment }
    let out = Pipe(), err = Pipe()
    p.standardInput = FileHandle.nullDevice
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}
