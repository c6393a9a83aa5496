import Testing
@testable import Postfix

@Suite struct LifecyclePlanTests {
    let out = PostfixInstance(name: "postfix-out", group: "mta")
    let input = PostfixInstance(name: "postfix-in", group: "mta")

    func facts(_ instances: [InstanceFacts], initialized: Bool) -> HostFacts {
        var list = instances
        var main = InstanceFacts(name: nil, group: nil, enabled: true, configDirectory: "/etc/postfix", running: true)
        if initialized {
            main.parameters = ["multi_instance_enable": "yes", "multi_instance_wrapper": "${command_directory}/postmulti -p --"]
        }
        list.insert(main, at: 0)
        return HostFacts(postfixVersion: "3.7.11", instances: list, checksums: [:], systemdControlled: false)
    }

    func have(_ i: PostfixInstance, group: String? = "mta", enabled: Bool = true, running: Bool = true) -> InstanceFacts {
        InstanceFacts(name: i.name, group: group, enabled: enabled, configDirectory: i.configDirectory, running: running)
    }

    func lines(_ steps: [PostmultiCommand]) -> [String] { steps.map(\.commandLine) }

    @Test func aBareHostIsInitializedThenGetsEachInstanceInStartOrder() {
        let steps = LifecyclePlan.steps(for: [.init(.default), .init(out), .init(input)], facts: facts([], initialized: false))
        #expect(lines(steps) == [
            "postmulti -e init",
            "postmulti -I postfix-out -G mta -e create",
            "postmulti -i postfix-out -e enable",
            "postmulti -I postfix-in -G mta -e create",
            "postmulti -i postfix-in -e enable",
        ])
    }

    @Test func aConvergedHostNeedsNothing() {
        let steps = LifecyclePlan.steps(for: [.init(.default), .init(out), .init(input)],
                                        facts: facts([have(out), have(input)], initialized: true))
        #expect(steps.isEmpty)
    }

    @Test func onlyTheDifferencesAreFixed() {
        let disabledIn = PostfixInstance(name: "postfix-in", group: "mta", enabled: false)
        let steps = LifecyclePlan.steps(for: [.init(out), .init(disabledIn)],
                                        facts: facts([have(out, group: nil), have(input)], initialized: true))
        #expect(lines(steps) == ["postmulti -i postfix-out -G mta -e assign", "postmulti -i postfix-in -e disable"])
    }

    @Test func noGroupIsAssignedAsDash() {
        let ungrouped = PostfixInstance(name: "postfix-out")
        let steps = LifecyclePlan.steps(for: [.init(ungrouped)], facts: facts([have(out)], initialized: true))
        #expect(lines(steps) == ["postmulti -i postfix-out -G - -e assign"])
    }

    @Test func anAbsentInstanceIsDestroyedOnlyIfItExists() {
        let steps = LifecyclePlan.steps(for: [.init(out), .init(input, present: false)],
                                        facts: facts([have(out), have(input, enabled: false, running: false)], initialized: true))
        #expect(lines(steps) == ["postmulti -i postfix-in -e destroy"])
        #expect(LifecyclePlan.steps(for: [.init(input, present: false)], facts: facts([], initialized: true)).isEmpty)
    }

    @Test func destroyingNeverDeletesMail() {
        #expect(LifecyclePlan.destroyBlockers(have(input, enabled: false, running: false), queuedMessages: 0).isEmpty)
        let blockers = LifecyclePlan.destroyBlockers(have(input), queuedMessages: 3)
        #expect(blockers == [
            "it is running (stop it first)", "it is enabled (disable it first)",
            "its queue holds 3 messages (postfleet never deletes queued mail)",
        ])
        // A queue nobody counted is not taken for empty.
        #expect(LifecyclePlan.destroyBlockers(have(input, enabled: false, running: false), queuedMessages: nil)
                == ["its queue was not counted"])
    }
}
