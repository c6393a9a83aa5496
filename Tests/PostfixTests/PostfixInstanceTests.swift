import Testing
@testable import Postfix

@Suite struct PostfixInstanceTests {
    @Test func theDefaultInstanceLivesInEtcPostfix() {
        let instance = PostfixInstance.default
        #expect(instance.isDefault)
        #expect(instance.name == "default")
        #expect(instance.selector == "-")
        #expect(instance.configDirectory == "/etc/postfix")
        #expect(instance.queueDirectory == "/var/spool/postfix")
        #expect(instance.dataDirectory == "/var/lib/postfix")
        #expect(instance.group == nil && instance.enabled)
    }

    @Test func aSecondaryInstanceGetsTheDirectoriesPostmultiDerives() {
        let instance = PostfixInstance(name: "postfix-out", group: "mta", enabled: false)
        #expect(!instance.isDefault)
        #expect(instance.selector == "postfix-out")
        #expect(instance.configDirectory == "/etc/postfix-out")
        #expect(instance.queueDirectory == "/var/spool/postfix-out")
        #expect(instance.dataDirectory == "/var/lib/postfix-out")
        #expect(instance.group == "mta")
        #expect(!instance.enabled)
    }

    @Test func theDefaultInstanceHasNoGroupAndIsAlwaysEnabled() {
        let instance = PostfixInstance(name: "default", group: "mta", enabled: false)
        #expect(instance.group == nil)
        #expect(instance.enabled)
    }

    @Test(arguments: ["default", "postfix-out", "postfix-in", "postfix-a.b_c-1"])
    func goodNames(_ name: String) {
        #expect(PostfixInstance.nameProblem(name) == nil)
    }

    @Test func badNames() {
        #expect(PostfixInstance.nameProblem("out")?.contains("must start with 'postfix-'") == true)
        #expect(PostfixInstance.nameProblem("out")?.contains("'postfix-out'") == true)
        #expect(PostfixInstance.nameProblem("postfix-")?.contains("needs something after it") == true)
        #expect(PostfixInstance.nameProblem("postfix-a/b")?.contains("letters, digits") == true)
        #expect(PostfixInstance.nameProblem("postfix-a b")?.contains("letters, digits") == true)
        #expect(PostfixInstance.nameProblem("Default") != nil)
    }
}
