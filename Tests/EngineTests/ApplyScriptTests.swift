import Planning
import Engine
import Foundation
import Inventory
import Playbook
import Postfix
import Testing

/// The apply script as text (it must parse in the shells a host may have) and the reading
/// of what it prints. What it does to a host is proven in the lab (RunLabTests).
@Suite struct ApplyScriptTests {
    let plan: HostPlan

    init() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let inventory = try Inventory.load(path: root + "/inventories/example.yml")
        let playbook = try Playbook.load(path: root + "/playbooks/border-cluster.yml")
        let host = try #require(inventory.host(named: "mta1"))
        let facts = HostFacts(postfixVersion: "3.7.11", instances: [
            InstanceFacts(name: nil, group: nil, enabled: true, configDirectory: "/etc/postfix", running: true),
        ], checksums: [:], systemdControlled: false)
        plan = HostPlan.make(desired: try playbook.instances(for: host, inventory: inventory),
                             files: try playbook.render(for: host, inventory: inventory), facts: facts)
    }

    func parses(with shell: String, _ script: String) throws -> (Int32, String) {
        try shellParses(shell, script)
    }

    @Test(arguments: ["/bin/sh", "/bin/bash", "/bin/dash"])
    func theScriptParses(shell: String) throws {
        guard FileManager.default.isExecutableFile(atPath: shell) else { return }
        let script = try ApplyScript(plan: plan, id: "20261125T000000Z-abcd")
        let (status, stderr) = try parses(with: shell, script.script)
        #expect(status == 0, "\(shell): \(stderr)")
    }

    @Test(arguments: ["/bin/sh", "/bin/bash", "/bin/dash"])
    func aRetriedTaskRunsUntilItsConditionHolds(shell: String) throws {
        guard FileManager.default.isExecutableFile(atPath: shell) else { return }
        let mark = SourceMark(file: "t.yml", line: 1, column: 1, sourceLine: "")
        func task(_ command: String, _ retry: PlayTask.Retry) -> PlayTask { PlayTask(name: command, action: .command(command), mark: mark, retry: retry) }
        // Run for real (no plan: only tasks): the first succeeds on its 3rd try, the second never.
        let counter = FileManager.default.temporaryDirectory.appendingPathComponent("pf-tries-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let empty = HostPlan.make(desired: [], files: [], facts: HostFacts(postfixVersion: "3.7.11", instances: [], checksums: [:], systemdControlled: false))
        let script = try ApplyScript(plan: empty, tasks: [
            task("n=$(cat \(counter) 2>/dev/null || echo 0); n=$((n+1)); echo $n > \(counter); echo \"try $n\"",
                 PlayTask.Retry(attempts: 5, delay: .milliseconds(10), stdoutContains: "try 3")),
            task("echo nope; exit 7", PlayTask.Retry(attempts: 2, delay: .milliseconds(10), rc: 0)),
        ], id: "t")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: shell)
        p.arguments = ["-c", script.script]
        let out = Pipe()
        p.standardOutput = out
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let (steps, completed) = script.results(stdout: String(decoding: data, as: UTF8.self))
        #expect(completed)
        #expect(steps.count == 2)
        #expect(steps[0].status == .changed && steps[0].attempts == 3, "\(steps)")
        #expect(steps[1].status == .failed && steps[1].attempts == 2, "\(steps)")
        #expect(steps[1].stderr?.contains("the condition did not hold after 2 tries (last exit status 7)") == true, "\(steps[1])")
    }

    @Test(arguments: ["/bin/sh", "/bin/bash", "/bin/dash"])
    func theRevertPutsBackWhatTheCommitSwapped(shell: String) throws {
        guard FileManager.default.isExecutableFile(atPath: shell) else { return }
        let script = try ApplyScript(plan: plan, id: "20261125T000000Z-abcd")
        let revert = try #require(script.revert)
        let (status, stderr) = try parses(with: shell, revert)
        #expect(status == 0, "\(shell): \(stderr)")
        // A file that had a previous version gets it back; a new one goes.
        // (It hands the swapped files, each with or without its backup, to the apply script's
        // own rollback, which moves a backup back or removes a new file.)
        #expect(revert.contains("for p in /etc/postfix/main.cf "))
        #expect(revert.contains(#"if [ -e "$p.postfleet-$ID" ]; then echo "1 $p"; else echo "0 $p"; fi"#))
        #expect(revert.contains("step revert_files f_rollback") && revert.contains(#"mv -f -- "$p.postfleet-$ID" "$p""#))
        #expect(revert.contains("/etc/postfix/generic.cdb"))
        #expect(revert.contains("restore0() {") && revert.contains("step revert_restore f_restore"))
        #expect(ApplyScript.revertOutcome("@@postfleet step revert_files 0 3 1\n@@postfleet end ok\n").ok)
        let failed = ApplyScript.revertOutcome("@@postfleet step revert_files 1 3 1\n| mv: cannot move\n@@postfleet end failed\n")
        #expect(!failed.ok && failed.output == "mv: cannot move")
        // Nothing changed, nothing to revert.
        let none = HostPlan.make(desired: [], files: [], facts: HostFacts(postfixVersion: "3.7.11", instances: [], checksums: [:], systemdControlled: false))
        #expect(try ApplyScript(plan: none, id: "x").revert == nil)
    }

    @Test func aStartAfterAPassedCheckSkipsPostfixsSecondCheck() throws {
        let script = try ApplyScript(plan: plan, id: "x").script
        // The act step of a staged (checked) instance, and its restore, which starts the old
        // configuration with Postfix's full check.
        #expect(script.contains("pf_start /etc/postfix-out postfix-out checked || { log_since"))
        #expect(script.contains("pf_start /etc/postfix - checked || { log_since"))
        #expect(script.contains("postfix -c /etc/postfix stop </dev/null && pf_start /etc/postfix - check; else pf_start /etc/postfix - check; fi"))
        #expect(script.contains(#"grep -qs 'quick-start' "$dd/postfix-script"; then qs=$q/quick-start; : >"$qs"; fi"#))
        #expect(script.contains(#"[ -z "$qs" ] || rm -f -- "$qs""#))
    }

    @Test func postmultiTasksAndLifecycleGoThroughTheInstanceControl() throws {
        let mark = SourceMark(file: "t.yml", line: 1, column: 1, sourceLine: "")
        let reload = PlayTask(name: nil, action: .postmulti(PostmultiCommand(.action(.reload), target: .group("mta"))), mark: mark)
        let script = try ApplyScript(plan: plan, tasks: [reload], id: "x", control: .postfix).script
        #expect(script.contains("f_task0() {\n  postmulti -g mta -p reload </dev/null\n}"))
        // Each life-cycle operation then dates the main.cf files it edited a minute back.
        #expect(script.contains("  : >\"$T/cool\"\n  postmulti -I postfix-out -G mta -e create </dev/null || return\n  pf_cool\n"))
        #expect(script.contains("pf_cool() {\n  find -H /etc/postfix /etc/postfix-out "))
        #expect(script.contains("if postfix -c /etc/postfix status </dev/null >/dev/null 2>&1; then"))
    }

    @Test func stageAndBackupPathsSitBesideTheirTargets() throws {
        let script = try ApplyScript(plan: plan, id: "20261125T010000Z").script
        #expect(script.contains("s=/etc/postfix-out/.postfleet-stage-20261125T010000Z\n"))
        #expect(script.contains(#"ln -f -- "$2" "$2.postfleet-$ID""#))
        #expect(runTimestamp(Date(timeIntervalSince1970: 0)) == "19700101T000000Z")
    }

    @Test func theFilesTravelAsOneArchive() throws {
        let script = try ApplyScript(plan: plan, id: "x")
        let archive = try #require(String(bytes: script.archive.prefix(100), encoding: .utf8))
        #expect(archive.hasPrefix("etc/postfix/main.cf"))
        #expect(script.script.contains("tar -x -p --same-owner -C \"$T/in\" -f -"))
    }

    @Test func aCheckThatFailsSkipsEverythingThatWouldGoLive() throws {
        let script = try ApplyScript(plan: plan, id: "x")
        let output = """
            @@postfleet step receive 0 3
            @@postfleet step lc0 0 10
            @@postfleet step lc1 0 4000
            @@postfleet step lc2 0 30
            @@postfleet step lc3 0 4000
            @@postfleet step lc4 0 30
            @@postfleet step stage0 0 20
            @@postfleet step postmap0_0 0 5
            @@postfleet step postmap0_1 0 5
            @@postfleet step check0 1 300
            | postmap: fatal: unsupported dictionary type: bogus

            @@postfleet end failed

            """
        let (steps, completed) = script.results(stdout: output)
        #expect(completed)
        let failed = try #require(steps.first { $0.status == .failed })
        #expect(failed.instance == "default")
        #expect(failed.stderr == "postmap: fatal: unsupported dictionary type: bogus")
        #expect(failed.message?.contains("the live files are unchanged") == true)
        #expect(steps.filter { $0.status == .changed }.map(\.action) == [
            "postmulti init", "created in group mta", "enabled", "created in group mta", "enabled", "postmapped generic", "postmapped virtual",
        ])
        let skipped = steps.filter { $0.status == .skipped }.map(\.action)
        #expect(skipped.contains("wrote main.cf, generic, virtual"))
        #expect(skipped.contains("restarted"))
        #expect(skipped.contains("started"))
        #expect(!steps.contains { $0.action.hasPrefix("put back") })
        #expect(steps.first { $0.action == "created in group mta" }?.seconds == 4)
    }

    @Test func aLostConnectionLeavesUnreachedStepsUnreported() throws {
        let script = try ApplyScript(plan: plan, id: "x")
        let (steps, completed) = script.results(stdout: "@@postfleet step receive 0 3\n@@postfleet step lc0 0 10\n")
        #expect(!completed)
        #expect(steps.map(\.status) == [.ok, .changed])
    }

    @Test func aFailedStartIsFollowedByTheRollbackItReports() throws {
        let script = try ApplyScript(plan: plan, id: "x")
        var output = ""
        for key in ["receive", "lc0", "lc1", "lc2", "lc3", "lc4", "stage0", "postmap0_0", "postmap0_1", "check0", "tls0",
                    "stage1", "check1", "tls1", "stage2", "check2", "tls2", "commit0", "commit1", "commit2", "act0"] {
            output += "@@postfleet step \(key) 0 1\n"
        }
        output += "@@postfleet step act1 1 2000\n| fatal: mail system startup failed\n"
        output += "@@postfleet step rollback 0 5\n@@postfleet step restore 0 900\n@@postfleet end failed\n"
        let (steps, completed) = script.results(stdout: output)
        #expect(completed)
        #expect(steps.first { $0.status == .failed }.map { "\($0.instance ?? "") \($0.action)" } == "postfix-out started")
        #expect(steps.contains { $0.action == "put back the previous files" && $0.status == .changed })
        #expect(steps.contains { $0.action == "put the instances back as they were" && $0.status == .changed })
        #expect(steps.filter { $0.status == .skipped }.map(\.instance) == ["postfix-in"])
    }

    /// On a host without a main.cf the default instance's files go live before postmulti
    /// runs, and its main.cf again after it.
    @Test func aFreshHostsMainCFIsCommittedBeforeTheLifecycle() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let inventory = try Inventory.load(path: root + "/inventories/example.yml")
        let playbook = try Playbook.load(path: root + "/playbooks/border-cluster.yml")
        let host = try #require(inventory.host(named: "mta1"))
        var main = InstanceFacts(name: nil, group: nil, enabled: true, configDirectory: "/etc/postfix")
        main.configured = false
        let plan = HostPlan.make(desired: try playbook.instances(for: host, inventory: inventory),
                                 files: try playbook.render(for: host, inventory: inventory),
                                 facts: HostFacts(postfixVersion: "3.7.11", instances: [main], checksums: [:], systemdControlled: false))
        let script = try ApplyScript(plan: plan, id: "20261125T000000Z-abcd").script
        // One SSH exec request carries the script (libssh2 sends at most 35,000 bytes in one
        // packet): the border cluster on a fresh systemd host, drained, stays well under it
        // (about 22 kB; the certificate check's functions are defined once, not per instance).
        for control in [InstanceControl.postfix, .systemd] {
            let size = try ApplyScript(plan: plan, id: "20261125T000000Z-abcd", control: control, drain: 60).script.utf8.count
            #expect(size < ApplyScript.largestScript * 3 / 4, "\(control): \(size) bytes")
        }
        let order = ["step stage_first0 ", "step check_first0 ", "step commit_first0 ", "step lc0 ", "step stage0 ", "step commit0 ", "step act0 "]
        let positions = order.map { script.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil }, "\(order.filter { !script.contains($0) })")
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(script.contains("postconf -c /etc/postfix/.postfleet-stage-20261125T000000Z-abcd -X multi_instance_directories"))
        for shell in ["/bin/sh", "/bin/bash"] { #expect(try parses(with: shell, script).0 == 0) }
    }
}

/// `SHELL -n` on `script`: its exit status and what it said on stderr.
func shellParses(_ shell: String, _ script: String) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: shell)
    p.arguments = ["-n"]
    let input = Pipe(), err = Pipe()
    p.standardInput = input
    p.standardError = err
    try p.run()
    input.fileHandleForWriting.write(Data(script.utf8))
    try input.fileHandleForWriting.close()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
}
