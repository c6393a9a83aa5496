import Foundation
import Glibc
import Postfix
import Testing

/// `pf_master` (``MasterSockets``), which the facts probe runs for every instance, on real
/// processes: a running program called `master` (a copy of sleep(1) by that name), a master
/// that has exited and that nothing has reaped (a zombie), another program's pid, a pid
/// file that names nothing.
@Suite struct MasterStatusTests {
    /// What `pf_master QUEUE` says: `running PID` or `stopped`.
    func status(_ queue: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", MasterSockets.functions + "\nif pf_master \"$1\"; then echo \"running $pf_pid\"; else echo \"stopped$pf_pid\"; fi", "sh", queue]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    /// Writes `pid` as Postfix writes `pid/master.pid` (`%10d\n`).
    func writePID(_ pid: String, in queue: String) throws {
        try FileManager.default.createDirectory(atPath: queue + "/pid", withIntermediateDirectories: true)
        try (String(repeating: " ", count: max(0, 10 - pid.count)) + pid + "\n")
            .write(toFile: queue + "/pid/master.pid", atomically: true, encoding: .utf8)
    }

    /// The state letter of `pid` in /proc/PID/status, once it is `want` (at most 2 s).
    func waitForState(_ pid: Int32, _ want: Character) -> Bool {
        for _ in 0..<100 {
            let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            if text.split(separator: "\n").contains(where: { $0.hasPrefix("State:") && $0.dropFirst(6).drop(while: \.isWhitespace).first == want }) {
                return true
            }
            usleep(20_000)
        }
        return false
    }

    func spawn(_ path: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        try process.run()
        return process
    }

    /// SIGKILL: the test runner's children may inherit SIGTERM ignored.
    func stop(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    @Test func onlyALiveProcessCalledMasterRuns() throws {
        try withTemporaryDirectory { dir in
            let master = dir + "/master"
            try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: master)
            let queue = dir + "/spool"

            let live = try spawn(master, ["30"])
            defer { stop(live) }
            try writePID(String(live.processIdentifier), in: queue)
            #expect(try status(queue) == "running \(live.processIdentifier)")

            // A pid reused by another program.
            let other = try spawn("/bin/sleep", ["30"])
            defer { stop(other) }
            try writePID(String(other.processIdentifier), in: queue)
            #expect(try status(queue) == "stopped")

            // A master that exited, whose parent (sh, then sleep) never reaps it.
            let parent = try spawn("/bin/sh", ["-c", "\"$0\" 0 & echo $! >\"$1\"; exec /bin/sleep 30", master, dir + "/zombie"])
            defer { stop(parent) }
            var zombie: Int32 = 0
            for _ in 0..<100 where zombie == 0 {
                zombie = Int32(((try? String(contentsOfFile: dir + "/zombie", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
                if zombie == 0 { usleep(20_000) }
            }
            #expect(zombie > 0 && waitForState(zombie, "Z"), "the exited master is a zombie")
            try writePID(String(zombie), in: queue)
            #expect(try status(queue) == "stopped")

            // A pid file that names nothing, or no pid file.
            try writePID("x1", in: queue)
            #expect(try status(queue) == "stopped")
            try writePID("999999999", in: queue)
            #expect(try status(queue) == "stopped")
            try FileManager.default.removeItem(atPath: queue + "/pid/master.pid")
            #expect(try status(queue) == "stopped")
        }
    }
}
