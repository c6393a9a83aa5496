import Engine
import Foundation
import SSH
import Testing
@testable import Report

@Suite struct HostSetTests {
    @Test(arguments: [
        (["mta1", "mta2", "mta3"], "mta[1-3]"),
        (["mta3", "mta1", "mta2", "mta7"], "mta[1-3,7]"),
        (["mta01", "mta02", "mta10"], "mta[01-02,10]"),
        (["mailhub"], "mailhub"),
        (["mta5"], "mta5"),
        (["mta1", "mailhub", "mta2", "mx1"], "mailhub,mta[1-2],mx1"),
        (["198.18.0.1"], "198.18.0.1"),
        (["123", "124"], "123,124"),
        // A number that is not the last one: four inventory names per host.
        (["mta1a", "mta1b", "mta2a", "mta2b", "mta3a", "mta3b"], "mta[1-3]a,mta[1-3]b"),
        // The number that varies is the one folded, wherever it is.
        (["mta1.dc2.example.com", "mta2.dc2.example.com", "mta3.dc2.example.com"], "mta[1-3].dc2.example.com"),
        (["dc1-mx01", "dc1-mx02", "dc2-mx01", "dc2-mx02"], "dc1-mx[01-02],dc2-mx[01-02]"),
        (["fra1-mta1", "fra2-mta1", "fra3-mta1"], "fra[1-3]-mta1"),
        (["mx01-fra", "mx02-fra", "mx10-fra", "mx1-ams"], "mx[01-02,10]-fra,mx1-ams"),
    ])
    func folds(names: [String], expected: String) {
        #expect(HostSet.fold(names) == expected)
    }

    @Test func aThousandSessionsFoldIntoOnePartPerName() {
        let names = (1...249).flatMap { n in ["a", "b", "c", "d"].map { "mta\(n)\($0)" } }
        #expect(HostSet.fold(names) == "mta[1-249]a,mta[1-249]b,mta[1-249]c,mta[1-249]d")
        // In any order: the same four parts, in the order their first names came.
        #expect(Set(HostSet.fold(names.shuffled()).split(separator: ",")) == ["mta[1-249]a", "mta[1-249]b", "mta[1-249]c", "mta[1-249]d"])
    }
}

@Suite struct CommandReportTests {
    func outcome(_ host: String, _ status: HostStatus, _ out: String = "", exit: Int32 = 0, error: SSHError? = nil) -> CommandOutcome {
        let result = error == nil ? ExecResult(stdout: Array(out.utf8), stderr: [], exitStatus: exit) : nil
        return CommandOutcome(host: host, status: status, result: result, error: error.map(HostFailure.init), seconds: 0.1)
    }

    let refused = SSHError(host: "mta9", address: "198.18.0.9", port: 22, phase: .connect, code: .connectionRefused, message: "cannot connect to port 22: Connection refused")

    @Test func identicalOutputsAreOneBlock() {
        let report = CommandReport(outcomes: [
            outcome("mta1", .ok, "same\n"), outcome("mta2", .ok, "same\n"), outcome("mta3", .ok, "other\n"),
            outcome("mta4", .failed, "", exit: 3), outcome("mta9", .unreachable, error: refused),
        ], seconds: 1.5)
        let text = report.text
        #expect(text.contains("mta[1-2] (2)\n---------------\nsame\n"))
        #expect(text.contains("mta3 (1)\n"))
        #expect(text.contains("mta4 (1): exit status 3\n"))
        #expect(text.contains("mta9 (1): unreachable\n"))
        #expect(text.contains("error: connect: cannot connect to port 22: Connection refused"))
        #expect(text.hasSuffix("ok=3 failed=1 unreachable=1  (5 hosts in 1.50s)\n"))
        #expect(report.exitCode == 2)
    }

    @Test func exitCodes() {
        #expect(CommandReport(outcomes: [outcome("a1", .ok)], seconds: 0).exitCode == 0)
        #expect(CommandReport(outcomes: [outcome("a1", .ok), outcome("a2", .unreachable, error: refused)], seconds: 0).exitCode == 4)
        #expect(CommandReport(outcomes: [outcome("a1", .failed, exit: 1), outcome("a2", .unreachable, error: refused)], seconds: 0).exitCode == 2)
    }

    @Test func jsonHasTheDocumentedShape() throws {
        let report = CommandReport(outcomes: [outcome("mta1", .ok, "hi\n"), outcome("mta9", .unreachable, error: refused)], seconds: 1)
        let object = try JSONSerialization.jsonObject(with: report.json()) as! [String: Any]
        let hosts = object["hosts"] as! [String: [String: Any]]
        #expect(hosts["mta1"]?["status"] as? String == "ok")
        #expect(hosts["mta1"]?["exit_status"] as? Int == 0)
        #expect(hosts["mta1"]?["stdout"] as? String == "hi\n")
        #expect(hosts["mta9"]?["status"] as? String == "unreachable")
        #expect((hosts["mta9"]?["error"] as? String)?.hasPrefix("mta9 (198.18.0.9:22): connect:") == true)
        let summary = object["summary"] as! [String: Any]
        #expect(summary["ok"] as? Int == 1 && summary["failed"] as? Int == 0 && summary["unreachable"] as? Int == 1)
    }
}

@Suite struct FanOutTests {
    actor Gauge {
        var current = 0, peak = 0
        func enter() { current += 1; peak = max(peak, current) }
        func leave() { current -= 1 }
    }

    /// Each body holds (at most 2 s) until as many bodies as the limit allows are inside at
    /// once, so the peak says what fanOut allowed, not how a loaded scheduler happened to
    /// interleave 1 to 5 ms sleeps (the equality failed that way under load).
    @Test(arguments: [1, 3, 50])
    func neverMoreThanTheLimitAtOnceAndResultsInOrder(limit: Int) async {
        let gauge = Gauge()
        let allowed = min(limit, 20)
        let results = await fanOut(Array(0..<20), limit: limit) { i in
            await gauge.enter()
            for _ in 0..<200 where await gauge.peak < allowed { try? await Task.sleep(for: .milliseconds(10)) }
            try? await Task.sleep(for: .milliseconds(Int.random(in: 1...5)))
            await gauge.leave()
            return i * 2
        }
        #expect(results == (0..<20).map { $0 * 2 })
        #expect(await gauge.peak == allowed)
    }
}
