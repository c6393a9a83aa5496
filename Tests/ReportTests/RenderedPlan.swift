import Engine
import Foundation
import Report
import Inventory
import Planning
import Playbook
import Postfix
import Testing

/// What a run would do to `host` of `inventory` under `playbook`, the host being as `facts`
/// and `oldTables` say: its plan, its instances and its rendered files.
func renderedPlan(_ playbook: Playbook, host name: String, of inventory: Inventory, facts: HostFacts,
                  oldTables: [String: String]) throws -> (plan: HostPlan, desired: [InstanceSpec], files: [RenderedFile]) {
    let host = try #require(inventory.host(named: name))
    let desired = try playbook.instances(for: host, inventory: inventory)
    let files = try playbook.render(for: host, inventory: inventory)
    return (HostPlan.make(desired: desired, files: files, facts: facts, oldTables: oldTables), desired, files)
}

/// Records an issue for each of `secrets` that one of `outputs` shows.
func expectNone(of secrets: [String], in outputs: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    for output in outputs {
        for secret in secrets where output.contains(secret) {
            Issue.record("\(secret) was shown: \(output)", sourceLocation: sourceLocation)
        }
    }
}

/// `drift`'s text and JSON for one host whose instances are `desired` and files `files`.
func driftOutput(host: String, desired: [InstanceSpec], files: [RenderedFile], facts: HostFacts,
                 oldTables: [String: String]) throws -> (text: String, json: String) {
    let drift = InstanceDrift.compare(desired: desired, files: files, facts: facts, oldTables: oldTables)
    let report = DriftReport(playbook: "playbook.yml", hosts: [HostDrift(host: host, instances: drift, seconds: 0.1)], seconds: 0.1)
    return (report.text, String(decoding: try report.json(), as: UTF8.self))
}
