import Engine
import Foundation
import Planning
import Playbook
import Postfix
import Testing

/// Where a drain goes in the apply script. What a drain does to a host (sessions kept,
/// queues emptied, listeners reopened) is proven in the lab (DrainLabTests).
@Suite struct DrainScriptTests {
    let mark = SourceMark(file: "t.yml", line: 1, column: 1, sourceLine: "")
    let empty = HostPlan.make(desired: [], files: [], facts: HostFacts(postfixVersion: "3.7.11", instances: [], checksums: [:], systemdControlled: false))

    func task(_ action: PostmultiCommand.Action) -> PlayTask {
        PlayTask(name: nil, action: .postmulti(PostmultiCommand(.action(action), target: .group("mta"))), mark: mark)
    }

    @Test(arguments: ["/bin/sh", "/bin/bash", "/bin/dash"])
    func aDrainedStopParses(shell: String) throws {
        guard FileManager.default.isExecutableFile(atPath: shell) else { return }
        let script = try ApplyScript(plan: empty, tasks: [task(.stop)], id: "x", drain: 30).script
        let (status, stderr) = try shellParses(shell, script)
        #expect(status == 0, "\(shell): \(stderr)")
    }

    @Test func aStopIsDrainedFirstAndItsListenersReopenAfterIt() throws {
        let script = try ApplyScript(plan: empty, tasks: [task(.stop)], id: "x", drain: 30).script
        #expect(script.contains("pf_drain() {"))
        #expect(script.contains("f_drain_t0() {\n  pf_drain_target 30 330 -g mta\n}"), "\(script)")
        #expect(script.contains("step drain_t0 f_drain_t0 || finish failed 1\nf_task0() {"))
        #expect(script.contains("run_task; r=$?\n  pf_undrain\n  return $r"))
    }

    @Test func onlyAStopIsDrainedAndOnlyWhenAsked() throws {
        for action in [PostmultiCommand.Action.start, .reload, .flush] {
            #expect(!(try ApplyScript(plan: empty, tasks: [task(action)], id: "x", drain: 30).script.contains("pf_drain")))
        }
        #expect(!(try ApplyScript(plan: empty, tasks: [task(.stop)], id: "x").script.contains("pf_drain")))
    }

    @Test func eachInstancesDrainIsReportedWithWhatIsLeft() throws {
        let script = try ApplyScript(plan: empty, tasks: [task(.stop)], id: "x", drain: 30)
        let out = """
            @@postfleet step drain_t0 0 2400 1
            | postfix@postfix-out: drained in 2.4s (3 deferred, 0 held kept)
            | postfix@postfix-in: nothing to drain (not running)

            @@postfleet step task0 0 300 1

            @@postfleet end ok
            """
        let (steps, completed) = script.results(stdout: out)
        #expect(completed)
        #expect(steps.map(\.action) == ["drained", "drained in 2.4s (3 deferred, 0 held kept)", "nothing to drain (not running)", "postmulti -g mta -p stop"])
        #expect(steps.map(\.status) == [.ok, .changed, .ok, .changed])
        #expect(steps[1].instance == "postfix-out")
    }

    @Test func aDrainPastItsDeadlineFailsTheInstanceAndStopsNothing() throws {
        let script = try ApplyScript(plan: empty, tasks: [task(.stop)], id: "x", drain: 30)
        let out = """
            @@postfleet step drain_t0 1 30100 1
            | postfix@postfix-in: not drained: after 30s 1 SMTP session(s) open, 0 incoming, 2 active (0 deferred, 0 held kept); listeners reopened, nothing stopped

            @@postfleet end failed
            """
        let (steps, _) = script.results(stdout: out)
        #expect(steps.map(\.status) == [.failed, .failed, .skipped])
        #expect(steps[1].message?.contains("1 SMTP session(s) open") == true)
    }

    @Test func aRestartThePlanNeedsIsDrainedAndAReloadIsNot() throws {
        let cluster = try SystemdApplyTests()
        var facts = cluster.convergedFacts()
        // postfix-out's listener differs on the host: a restart; postfix-in's main.cf: a reload.
        let out = try #require(facts.instances.firstIndex { $0.name == "postfix-out" })
        facts.instances[out].services = facts.instances[out].services.map {
            $0.hasPrefix("127.0.0.1:10026") ? "127.0.0.1:10026 inet n - n - 20 smtpd" : $0
        }
        let plan = HostPlan.make(desired: cluster.desired, files: cluster.files, facts: facts)
        try #require(plan.instances.map(\.action).contains(.restart))
        let script = try ApplyScript(plan: plan, id: "x", drain: 45)
        let restarted = try #require(plan.instances.firstIndex { $0.action == .restart })
        #expect(script.script.contains("f_drain\(restarted)() {\n  pf_drain 45 345 /etc/postfix-out\n}"), "\(script.script)")
        #expect(script.script.contains("step drain\(restarted) f_drain\(restarted) || { undo; finish failed 1; }\nf_act\(restarted)() {"))
        // Its listeners reopen after the restart, and after a failed one before the rollback.
        let act = script.script.components(separatedBy: "f_act\(restarted)() {")[1].components(separatedBy: "}\nstep act")[0]
        #expect(act.hasSuffix("  pf_undrain\n"), "\(act)")
        #expect(act.contains("pf_undrain; return 1;"))
        #expect(script.script.components(separatedBy: "pf_drain 45").count == 2, "only the restart is drained")
        #expect(!(try ApplyScript(plan: plan, id: "x").script.contains("pf_drain")))
    }
}
