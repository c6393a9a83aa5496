import Engine
import Foundation
import Inventory
import Planning
import Playbook
import Postfix
import Testing

/// The apply script, its revert and the health gate on a systemd host: every start, stop
/// and reload through `postfix@NAME`, one daemon-reload after the instance set changed, and a
/// master running outside its unit moved under it.
@Suite struct SystemdApplyTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let desired: [InstanceSpec]
    let files: [RenderedFile]

    init() throws {
        let inventory = try Inventory.load(path: Self.root + "/inventories/example.yml")
        let playbook = try Playbook.load(path: Self.root + "/playbooks/border-cluster.yml")
        let host = try #require(inventory.host(named: "mta1"))
        desired = try playbook.instances(for: host, inventory: inventory)
        files = try playbook.render(for: host, inventory: inventory)
    }

    @Test func aFreshHostIsCreatedThenReloadedOnceThenStartedThroughItsUnits() throws {
        let facts = HostFacts(postfixVersion: "3.7.11", instances: [
            InstanceFacts(name: nil, group: nil, enabled: true, configDirectory: "/etc/postfix", running: true),
        ], checksums: [:], systemdControlled: true)
        let plan = HostPlan.make(desired: desired, files: files, facts: facts)
        let script = try ApplyScript(plan: plan, id: "20261204T000000Z-abcd", control: .systemd)
        let lines = script.script.split(separator: "\n").map(String.init)
        let creates = lines.indices.filter { lines[$0].contains("-e create") }
        let reloads = lines.indices.filter { lines[$0].contains("pf_sd_settle") && !lines[$0].contains("()") && !lines[$0].hasPrefix(" ") }
        #expect(creates.count == 2)
        #expect(lines.filter { $0 == "  pf_sd_settle" }.count == 1, "one daemon-reload step")
        #expect(creates.allSatisfy { lines[$0].hasSuffix("&& pf_sd_changed || return") && lines[$0 + 1] == "  pf_cool" })
        let units = try #require(lines.firstIndex(of: "f_units() {"))
        let firstStart = try #require(lines.firstIndex { $0.contains("pf_sd start ") })
        #expect(creates.allSatisfy { $0 < units } && units < firstStart && reloads.isEmpty)
        #expect(script.script.contains("pf_sd start /etc/postfix-out postfix-out checked"))
        #expect(!script.script.contains("pf_start ") && !script.script.contains("postfix -c /etc/postfix-out start"))
        // The revert puts the instances back through the units too.
        let revert = try #require(script.revert)
        #expect(revert.contains("pf_sd_running /etc/postfix-out") && revert.contains("pf_sd() {"))
    }

    @Test func aMasterOutsideItsUnitIsMovedUnderIt() throws {
        var facts = convergedFacts()
        facts.systemdControlled = true
        for k in facts.instances.indices {
            let unit = facts.instances[k].name.map { "postfix@" + $0 } ?? "postfix@-"
            facts.instances[k].unit = unit
            facts.instances[k].unitState = "active"
            facts.instances[k].masterCgroup = "/system.slice/system-postfix.slice/\(unit).service"
        }
        #expect(HostPlan.make(desired: desired, files: files, facts: facts).isEmpty)
        #expect(InstanceDrift.compare(desired: desired, files: files, facts: facts).isEmpty)

        let out = try #require(facts.instances.firstIndex { $0.name == "postfix-out" })
        facts.instances[out].unitState = "failed"
        facts.instances[out].masterCgroup = "/user.slice/user-0.slice/session-3.scope"
        let drift = InstanceDrift.compare(desired: desired, files: files, facts: facts)
        #expect(drift.map(\.instance) == ["postfix-out"])
        #expect(drift.first?.state == [.outsideUnit(unit: "postfix@postfix-out")])
        #expect(drift.first?.state.first?.message == "running outside its unit postfix@postfix-out (run would stop that master and start the unit)")
        let plan = HostPlan.make(desired: desired, files: files, facts: facts)
        let script = try ApplyScript(plan: plan, id: "20261204T000000Z-abcd", control: .systemd)
        #expect(script.script.contains("pf_sd_adopt /etc/postfix-out postfix-out || {"))
    }

    @Test func theHealthGateReadsTheUnits() {
        var gate = HealthGate(target: .group("mta"))
        #expect(!gate.script.contains("pf_sd_running"))
        gate.control = .systemd
        #expect(gate.script.contains("pf_sd_running() {") && gate.script.contains("pf_sd_running \"$d\""))
    }

    /// The facts of mta1 converged: every file's checksum, every instance running.
    func convergedFacts() -> HostFacts {
        var checksums: [String: String] = [:]
        var instances: [InstanceFacts] = []
        for spec in desired where spec.state == .present {
            var parameters: [String: String] = ["config_directory": spec.instance.configDirectory]
            var services = ["pickup unix n - y 60 1 pickup"]
            let mine = files.filter { $0.instance == spec.instance }
            if !mine.contains(where: { $0.kind == .masterCFEdits }) { services.append("smtp inet n - y - - smtpd") }
            for file in mine {
                switch file.kind {
                case .mainCF:
                    checksums[file.path] = SHA256.hex(file.contents)
                    for (name, value) in MainCF(file.text).parameters { parameters[name] = value }
                case .table:
                    checksums[file.path] = SHA256.hex(file.contents)
                    checksums[file.path + ".cdb"] = "0"
                case .file:
                    checksums[file.path] = SHA256.hex(file.contents)
                case .masterCFEdits:
                    for case let .setService(_, line) in file.edits { services.append(line) }
                case .masterCF, .mainCFEdits:
                    break
                }
            }
            instances.append(InstanceFacts(name: spec.instance.isDefault ? nil : spec.name, group: spec.instance.group, enabled: true,
                                           configDirectory: spec.instance.configDirectory, parameters: parameters, running: true,
                                           masterPID: 200, services: services))
        }
        return HostFacts(postfixVersion: "3.7.11", instances: instances, checksums: checksums, systemdControlled: false)
    }
}

/// `postfleet postmulti -p` on a systemd host reports per instance.
@Suite struct SystemdPostmultiReportTests {
    @Test func eachInstanceGetsItsResult() throws {
        let command = PostmultiCommand(.action(.start), target: .group("mta"))
        let mark = SourceMark(file: "postfleet postmulti", line: 1, column: 1, sourceLine: command.commandLine)
        let task = PlayTask(name: command.commandLine, action: .postmulti(command), mark: mark)
        let empty = HostPlan.make(desired: [], files: [], facts: HostFacts(postfixVersion: "3.7.11", instances: [], checksums: [:],
                                                                            systemdControlled: true))
        let script = try ApplyScript(plan: empty, tasks: [task], id: "20261204T000000Z-abcd", control: .systemd)
        #expect(script.script.contains("pf_sd_each start -g mta </dev/null"))
        let output = """

            @@postfleet step task0 1 20 1
            | postfix@-: started
            | postfix@postfix-out: not started: Job for postfix@postfix-out.service failed.
            | postfix@postfix-off: disabled, not started

            @@postfleet end failed
            """
        let (steps, completed) = script.results(stdout: output)
        #expect(completed)
        #expect(steps.map(\.instance) == [nil, "default", "postfix-out", "postfix-off"])
        #expect(steps.map(\.status) == [.failed, .changed, .failed, .ok])
        #expect(steps[2].action == "not started" && steps[2].message == "Job for postfix@postfix-out.service failed.")
        let plain = try ApplyScript(plan: empty, tasks: [task], id: "20261204T000000Z-abcd")
        #expect(plain.results(stdout: output).steps.count == 1)
    }
}
