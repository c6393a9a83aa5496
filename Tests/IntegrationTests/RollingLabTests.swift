import Foundation
import Testing

/// The rolling restart on ten hosts, a suite of its own so that it runs beside
/// RunLabTests (mta11..mta13) instead of after it; it uses RunLabTests' helpers.
@Suite(.cleansUp, .labOf(LabHosts.rolling), .timeLimit(.minutes(10)))
struct RollingLabTests {
    let lab = Lab.current!
    let base = RunLabTests()

    /// The rolling restart: group `mta` on ten border hosts (mta14..mta23, which
    /// only this test uses) with `serial: 2`, while a sampler on
    /// every host probes its input instance's listener (127.0.0.1:25) every 0.1 s. At no
    /// moment are more than two hosts' input instances down; every master pid of group mta
    /// changes; the default instances keep theirs.
    @Test
    func aRollingGroupRestartTakesDownAtMostOneBatchAtATime() async throws {
        let ten = (14...23).map { "mta\($0)" }
        try await lab.resetForTest(ten, seconds: 120)
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let tenLimit = ten.joined(separator: ":")
        func runOnTen(_ playbook: String, _ extra: [String] = []) async throws -> (status: Int32, stdout: String, stderr: String) {
            try await runProcess(base.binary, ["run", playbook, "-i", lab.inventoryPath, "--known-hosts", lab.knownHosts, "-l", tenLimit] + extra,
                           seconds: 300)
        }
        let rollout = try await runOnTen(RunLabTests.repository.appendingPathComponent("playbooks/border-cluster.yml").path)
        try #require(rollout.status == 0, "\(rollout.stdout)")
        var before: [String: [String: String]] = [:]
        for host in ten { before[host] = try await base.masterPIDs(host) }

        // The samplers: bash in each host's namespace, no process per probe but the sleep;
        // they stop at the stop file, or after 240 s whatever happens.
        let stop = lab.directory + "/pf-sampler-stop-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: stop) }
        var samplers: [(host: String, process: Process, file: URL)] = []
        defer { for s in samplers where s.process.isRunning { s.process.terminate() } }
        for host in ten {
            let file = scratch.appendingPathComponent("sample-\(host)")
            try Data().write(to: file)
            let process = Process()
            process.executableURL = RunLabTests.repository.appendingPathComponent("scripts/lab")
            process.arguments = ["exec", "--dir", lab.directory, host, "--", "bash", "-c", """
                end=$((SECONDS + 240))
                while [ $SECONDS -lt $end ] && [ ! -e '\(stop)' ]; do
                  if (exec 3<>/dev/tcp/127.0.0.1/25) 2>/dev/null; then s=1; else s=0; fi
                  echo "${EPOCHREALTIME/./} $s"; sleep 0.1
                done
                """]
            process.standardOutput = try FileHandle(forWritingTo: file)
            process.standardError = FileHandle.nullDevice
            try process.run()
            samplers.append((host, process, file))
        }
        try await Task.sleep(for: .seconds(1))
        let restartJSON = scratch.appendingPathComponent("restart.json").path
        let playbook = scratch.appendingPathComponent("restart-by-two.yml")
        try (try String(contentsOfFile: RunLabTests.repository.appendingPathComponent("playbooks/group-restart.yml").path, encoding: .utf8)
            .replacingOccurrences(of: "    serial: 1\n", with: "    serial: 2\n")).write(to: playbook, atomically: true, encoding: .utf8)
        let restart = try await runOnTen(playbook.path, ["--json", restartJSON])
        try await Task.sleep(for: .seconds(1))
        _ = FileManager.default.createFile(atPath: stop, contents: nil)
        for _ in 0..<50 where samplers.contains(where: { $0.process.isRunning }) { try await Task.sleep(for: .milliseconds(100)) }

        #expect(restart.status == 0, "\(restart.stdout)")
        #expect(try base.json(restartJSON)["batches"] as? [[String]] == stride(from: 0, to: 10, by: 2).map { Array(ten[$0..<$0 + 2]) })
        // Each host's down spells, from its samples (microseconds).
        var spells: [(host: String, from: Int, to: Int)] = []
        for sampler in samplers {
            let samples = try String(contentsOf: sampler.file, encoding: .utf8).split(separator: "\n").compactMap { line -> (Int, Bool)? in
                let f = line.split(separator: " ")
                guard f.count == 2, let t = Int(f[0]) else { return nil }
                return (t, f[1] == "1")
            }
            #expect(samples.count > 20, "\(sampler.host): too few samples (\(samples.count))")
            var start: Int?
            for (t, up) in samples {
                if !up, start == nil { start = t }
                if up, let s = start { spells.append((sampler.host, s, t)); start = nil }
            }
            if let s = start { spells.append((sampler.host, s, samples.last!.0)) }
            #expect(spells.contains { $0.host == sampler.host }, "\(sampler.host)'s input instance was never seen down")
        }
        // The most hosts down at once: at each spell's start, count the hosts in a spell.
        let most = spells.map { spell in Set(spells.filter { $0.from <= spell.from && spell.from <= $0.to }.map(\.host)).count }.max() ?? 0
        #expect(most <= 2, "\(most) hosts' input instances were down at once")
        #expect(most >= 1)
        for host in ten {
            let now = try await base.masterPIDs(host)
            #expect(now["/etc/postfix"] == before[host]?["/etc/postfix"], "\(host): the default instance was restarted")
            for dir in ["/etc/postfix-in", "/etc/postfix-out"] {
                #expect(now[dir] != nil && now[dir] != before[host]?[dir], "\(host): \(dir) kept its master pid")
            }
        }
    }
}

/// With `POSTFLEET_REQUIRE_LAB=1`, a lab too small for RollingLabTests is a failure, not a silent skip.
@Suite struct RollingLabPresence {
    @Test func theLabIsLargeEnoughWhenRequired() { expectLab(of: LabHosts.rolling, for: "RollingLabTests") }
}
