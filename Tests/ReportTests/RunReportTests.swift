import Engine
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import SSH
import Synchronization
import Testing
@testable import Report

@Suite struct RunReportTests {
    static let created: [StepResult] = [
        StepResult(action: "postmulti init", status: .changed),
        StepResult(action: "created", instance: "postfix-out", status: .changed),
        StepResult(action: "wrote main.cf", instance: "default", status: .changed),
        StepResult(action: "postmapped generic", instance: "default", status: .changed),
        StepResult(action: "checked main.cf", instance: "default", status: .ok),
    ]
    static let lost = SSHError(host: "mta9", address: "198.18.0.9", port: 22, phase: .handshake, code: .connectionLost, message: "connection lost")

    var results: [HostRunResult] {
        [
            HostRunResult(host: "mta1", steps: Self.created, seconds: 1.2),
            HostRunResult(host: "mta2", steps: Self.created, seconds: 1.4),
            HostRunResult(host: "mta3", steps: [StepResult(action: "checked main.cf", instance: "default", status: .ok)]),
            HostRunResult(host: "mta4", steps: [
                StepResult(action: "checked main.cf", instance: "postfix-in", status: .failed, attempts: 2,
                           message: "Postfix rejects the new main.cf; the live files are unchanged",
                           stderr: "postconf: fatal: unsupported dictionary type: bogus\n"),
                StepResult(action: "reload", instance: "postfix-in", status: .skipped),
            ]),
            HostRunResult(host: "mta9", steps: [], connectionError: HostFailure(Self.lost)),
        ]
    }

    @Test func groupsIdenticalHostsAndShowsFailuresWithStderr() {
        let report = RunReport(playbook: "border-cluster.yml", results: results, seconds: 2.5)
        let text = report.text
        #expect(text.contains("mta[1-2] (2): changed\n"))
        #expect(text.contains("  default      wrote main.cf, postmapped generic\n"))
        #expect(text.contains("  postfix-out  created\n"))
        #expect(text.contains("  (host)       postmulti init\n"))
        #expect(text.contains("mta3 (1): ok\n"))
        #expect(text.contains("mta4 (1): failed\n  postfix-in  FAILED: checked main.cf (2 attempts), skipped: reload\n"))
        #expect(text.contains("    | postconf: fatal: unsupported dictionary type: bogus\n"))
        #expect(text.contains("mta9 (1): unreachable\n  handshake: connection lost\n"))
        // ok before changed before failed before unreachable
        let order = ["mta3 (1)", "mta[1-2] (2)", "mta4 (1)", "mta9 (1)"].map { text.range(of: $0)!.lowerBound }
        #expect(order == order.sorted())
    }

    @Test func recapIsOneLinePerHostAsAnsiblePrintsIt() {
        let recap = RunReport(playbook: "p", results: results, seconds: 2.5).recap
        let lines = recap.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("PLAY RECAP ***"))
        func squeeze(_ s: String) -> String { s.split(separator: " ").joined(separator: " ") }
        #expect(squeeze(lines[1]) == "mta1 : ok=5 changed=4 unreachable=0 failed=0 skipped=0")
        #expect(squeeze(lines[4]) == "mta4 : ok=0 changed=0 unreachable=0 failed=1 skipped=1")
        #expect(squeeze(lines[5]) == "mta9 : ok=0 changed=0 unreachable=1 failed=0 skipped=0")
        #expect(lines[6] == "5 hosts: 1 ok, 2 changed, 1 failed, 1 unreachable in 2.50s")
    }

    @Test func theRecapOfAThousandHostsIsOneLinePerOutcome() {
        let base = results
        let many = (1...1000).map { k -> HostRunResult in
            // mta500 failed, mta900 unreachable, mta1..mta400 changed, the others in sync.
            let sample = k == 500 ? base[3] : k == 900 ? base[4] : k <= 400 ? base[0] : base[2]
            var r = sample
            r.host = "mta\(k)"
            return r
        }
        func squeeze(_ s: Substring) -> String { s.split(separator: " ").joined(separator: " ") }
        let lines = RunReport(playbook: "p", results: many, seconds: 9).recap.split(separator: "\n")
        #expect(lines.count == 6, "\(lines)")
        #expect(squeeze(lines[1]) == "mta500 (1) : ok=0 changed=0 unreachable=0 failed=1 skipped=1")
        #expect(squeeze(lines[2]) == "mta900 (1) : ok=0 changed=0 unreachable=1 failed=0 skipped=0")
        #expect(squeeze(lines[3]) == "mta[1-400] (400) : ok=5 changed=4 unreachable=0 failed=0 skipped=0")
        #expect(squeeze(lines[4]) == "mta[401-499,501-899,901-1000] (598) : ok=1 changed=0 unreachable=0 failed=0 skipped=0")
        #expect(lines[5] == "1000 hosts: 598 ok, 400 changed, 1 failed, 1 unreachable in 9.00s")
        // Up to the limit, one line per host as Ansible prints it.
        let fifty = RunReport(playbook: "p", results: Array(many.prefix(RunReport.recapPerHostLimit)), seconds: 1).recap
        #expect(fifty.split(separator: "\n").count == RunReport.recapPerHostLimit + 2)
    }

    @Test func exitCodes() {
        #expect(RunReport(playbook: "p", results: Array(results.prefix(3)), seconds: 0).exitCode == 0)
        #expect(RunReport(playbook: "p", results: results, seconds: 0).exitCode == 2)
        #expect(RunReport(playbook: "p", results: [results[0], results[4]], seconds: 0).exitCode == 4)
    }

    @Test func jsonFollowsTheVersionedSchema() throws {
        let data = try RunReport(playbook: "border-cluster.yml", results: results, seconds: 2.5).json()
        let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(doc["schema"] as? String == "postfleet.run/1")
        let hosts = try #require(doc["hosts"] as? [String: [String: Any]])
        #expect(hosts["mta1"]?["status"] as? String == "changed")
        let instances = try #require(hosts["mta1"]?["instances"] as? [String: [String: Any]])
        #expect(instances["default"]?["actions"] as? [String] == ["wrote main.cf", "postmapped generic"])
        #expect(instances["postfix-out"]?["actions"] as? [String] == ["created"])
        let steps = try #require(hosts["mta4"]?["steps"] as? [[String: Any]])
        #expect(steps[0]["status"] as? String == "failed" && steps[0]["attempts"] as? Int == 2)
        #expect((steps[0]["stderr"] as? String)?.contains("unsupported dictionary type") == true)
        #expect(hosts["mta9"]?["phase"] as? String == "handshake")
        let summary = try #require(doc["summary"] as? [String: Any])
        #expect(summary["ok"] as? Int == 1 && summary["changed"] as? Int == 2 && summary["failed"] as? Int == 1 && summary["unreachable"] as? Int == 1)
    }

    @Test func junitIsWellFormedXMLWithACasePerHostAndStep() throws {
        var withAmp = results
        withAmp[3].steps[0].stderr = "bad <value> & \"quote\"\u{1}"
        let xml = RunReport(playbook: "border & co.yml", results: withAmp, seconds: 2.5).junit
        let document = try XMLDocument(xmlString: xml)
        let suite = try #require(try document.nodes(forXPath: "/testsuites/testsuite").first as? XMLElement)
        #expect(suite.attribute(forName: "tests")?.stringValue == "14")  // 5 + 5 + 1 + 2 steps, 1 unreachable host
        #expect(suite.attribute(forName: "failures")?.stringValue == "2")
        #expect(suite.attribute(forName: "skipped")?.stringValue == "1")
        let failure = try #require(try document.nodes(forXPath: "//testcase[@classname='mta4']/failure").first)
        #expect(failure.stringValue?.contains("bad <value> & \"quote\"") == true)
    }

    @Test func progressIsOneLinePerHostOffATerminalAndOneLineInPlaceOnIt() {
        let lines = Mutex<[String]>([])
        let log = Progress(total: 2, isTerminal: false) { line in lines.withLock { $0.append(line) } }
        log.hostFinished(results[0])
        log.hostFinished(results[4])
        log.finish()
        let logged = lines.withLock { $0 }
        #expect(logged.count == 2)
        #expect(logged[0].hasPrefix("[1/2] mta1: changed "))
        #expect(logged[1].hasPrefix("[2/2] mta9: unreachable (handshake) "))

        let screen = Mutex<[String]>([])
        let tty = Progress(total: 2, isTerminal: true) { line in screen.withLock { $0.append(line) } }
        tty.hostFinished(results[3])
        tty.finish()
        let drawn = screen.withLock { $0 }
        #expect(drawn[0].hasPrefix("\r\u{1B}[K[1/2] changed=0 failed=1 unreachable=0 "))
        #expect(drawn.last == "\n")
    }

    @Test func aTerminalIsRepaintedAtMostOncePerIntervalAndEndsOnTheLastCount() {
        let screen = Mutex<[String]>([])
        let tty = Progress(total: 1000, isTerminal: true, repaint: .seconds(3600)) { line in screen.withLock { $0.append(line) } }
        for i in 0..<999 { tty.hostFinished(results[i % 2 == 0 ? 0 : 3]) }
        tty.finish()
        let drawn = screen.withLock { $0 }
        // The first host, then nothing for an hour's interval, then what finish() owes: 999 done.
        #expect(drawn.count == 3, "\(drawn.count) lines drawn")
        #expect(drawn[0].hasPrefix("\r\u{1B}[K[1/1000] changed=1 failed=0 "))
        #expect(drawn[1].hasPrefix("\r\u{1B}[K[999/1000] changed=500 failed=499 "))
        #expect(drawn.last == "\n")

        // The last host is always drawn, whatever the interval.
        let all = Mutex<[String]>([])
        let done = Progress(total: 3, isTerminal: true, repaint: .seconds(3600)) { line in all.withLock { $0.append(line) } }
        for _ in 0..<3 { done.hostFinished(results[0]) }
        done.finish()
        #expect(all.withLock { $0 }.map { $0.prefix(11) } == ["\r\u{1B}[K[1/3] c", "\r\u{1B}[K[3/3] c", "\n"])
    }

    @Test func aWriterThatBlocksDoesNotHoldTheHostsThatFinish() {
        let gate = DispatchSemaphore(value: 0)
        let lines = Mutex<[String]>([])
        let log = Progress(total: 50, isTerminal: false) { line in
            gate.wait()
            lines.withLock { $0.append(line) }
        }
        let start = ContinuousClock.now
        for _ in 0..<50 { log.hostFinished(results[0]) }
        // All 50 hosts were reported while the writer was stuck on the first line.
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(lines.withLock { $0.count } == 0)
        for _ in 0..<50 { gate.signal() }
        log.finish()
        #expect(lines.withLock { $0.count } == 50)
        #expect(lines.withLock { $0.last?.hasPrefix("[50/50] mta1: changed ") } == true)
    }
}

/// The report says per host how its instances were driven.
@Suite struct InitReportTests {
    @Test func jsonAndTextSayInitPerHost() throws {
        var a = HostRunResult(host: "mta1", steps: [StepResult(action: "started", instance: "postfix-out", status: .changed)])
        a.initSystem = "systemd"
        var b = HostRunResult(host: "mta2", steps: [StepResult(action: "started", instance: "postfix-out", status: .changed)])
        b.initSystem = "postfix"
        let report = RunReport(playbook: "p", results: [a, b], seconds: 1)
        let json = try #require(try JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        let hosts = try #require(json["hosts"] as? [String: [String: Any]])
        #expect(hosts["mta1"]?["init"] as? String == "systemd" && hosts["mta2"]?["init"] as? String == "postfix")
        #expect(report.text.contains("mta1 (1): changed (systemd)\n") && report.text.contains("mta2 (1): changed\n"))
    }
}
