import Foundation
import Postfix
import Testing
@testable import Engine
@testable import Report

/// `postfleet instances` on systemd hosts: each instance's unit and its state, and a master
/// running outside its unit said as such; hosts without systemd print as before.
@Suite struct InstancesUnitTests {
    func host(_ name: String, systemd: Bool) -> HostInstances {
        var main = InstanceFacts(name: nil, group: nil, enabled: true, configDirectory: "/etc/postfix", running: true, masterPID: 10)
        var out = InstanceFacts(name: "postfix-out", group: "mta", enabled: true, configDirectory: "/etc/postfix-out", running: true,
                                masterPID: 20)
        if systemd {
            (main.unit, main.unitState, main.masterCgroup) = ("postfix@-", "active", "/system.slice/system-postfix.slice/postfix@-.service")
            (out.unit, out.unitState, out.masterCgroup) = ("postfix@postfix-out", "failed", "/user.slice/user-0.slice/session-1.scope")
        }
        return HostInstances(host: name, facts: HostFacts(postfixVersion: "3.7.11", instances: [main, out], checksums: [:],
                                                          systemdControlled: systemd), error: nil, connectAttempts: 1)
    }

    @Test func theUnitColumnAppearsOnlyWithSystemdHosts() throws {
        let plain = InstancesReport(hosts: [host("mta2", systemd: false)]).text
        #expect(!plain.contains("UNIT"))
        let mixed = InstancesReport(hosts: [host("mta1", systemd: true), host("mta2", systemd: false)])
        let lines = mixed.text.split(separator: "\n")
        #expect(lines[0].contains("UNIT"))
        #expect(lines[1].contains("postfix@- active") && lines[2].contains("postfix@postfix-out failed, master outside it"))
        #expect(lines[3].contains(" - ") && lines[3].contains("/etc/postfix"))
        let json = try #require(try JSONSerialization.jsonObject(with: mixed.json()) as? [String: [String: [String: Any]]])
        let instances = try #require(json["hosts"]?["mta1"]?["instances"] as? [[String: Any]])
        #expect(instances[1]["unit"] as? String == "postfix@postfix-out" && instances[1]["unit_state"] as? String == "failed")
        #expect(instances[1]["outside_unit"] as? Bool == true && instances[0]["outside_unit"] as? Bool == false)
        let plainJSON = try #require(String(data: InstancesReport(hosts: [host("mta2", systemd: false)]).json(), encoding: .utf8))
        #expect(!plainJSON.contains("unit"))
    }
}
