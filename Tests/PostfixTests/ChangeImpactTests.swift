import Testing
@testable import Postfix

@Suite struct ChangeImpactTests {
    func action(_ c: InstanceChange, running: Bool = true) -> LiveAction { ChangeImpact.action(for: c, running: running) }

    @Test func nothingChangedNeedsNothing() {
        #expect(action(InstanceChange()) == .none)
    }

    @Test func anIndexedTableNeedsOnlyPostmap() {
        #expect(action(InstanceChange(tables: [("generic", true)])) == .postmap)
        #expect(action(InstanceChange(tables: [("generic", true)]), running: false) == .postmap)
    }

    @Test func tablesReadWholeNeedAReload() {
        #expect(action(InstanceChange(tables: [("access", false)])) == .reload)
        #expect(action(InstanceChange(tables: [("access", false), ("generic", true)])) == .reload)
    }

    @Test func mostMainCFChangesNeedAReload() {
        #expect(action(InstanceChange(parameters: ["relayhost", "smtpd_banner"])) == .reload)
        #expect(action(InstanceChange(servicesChanged: true)) == .reload)
    }

    @Test func listenersAndInterfacesNeedARestart() {
        #expect(action(InstanceChange(listenersChanged: true)) == .restart)
        #expect(action(InstanceChange(parameters: ["inet_interfaces"])) == .restart)
        #expect(action(InstanceChange(parameters: ["relayhost", "inet_protocols"], tables: [("generic", true)])) == .restart)
    }

    @Test func aStoppedInstanceNeedsNoReloadOrRestart() {
        #expect(action(InstanceChange(parameters: ["inet_interfaces"], listenersChanged: true), running: false) == .none)
    }
}
