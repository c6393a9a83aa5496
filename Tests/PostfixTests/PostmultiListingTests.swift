import Testing
@testable import Postfix

@Suite struct PostmultiListingTests {
    /// As postmulti -l prints it on a Debian 12 border host (columns padded with spaces).
    let output = """
        -               -               y         /etc/postfix
        postfix-out     mta             y         /etc/postfix-out
        postfix-in      mta             n         /etc/postfix-in

        """

    @Test func readsThePaddedColumns() throws {
        let instances = try PostmultiListing.parse(output)
        #expect(instances.count == 3)
        #expect(instances[0] == InstanceFacts(name: nil, group: nil, enabled: true, configDirectory: "/etc/postfix"))
        #expect(instances[1] == InstanceFacts(name: "postfix-out", group: "mta", enabled: true, configDirectory: "/etc/postfix-out"))
        #expect(instances[2] == InstanceFacts(name: "postfix-in", group: "mta", enabled: false, configDirectory: "/etc/postfix-in"))
    }

    @Test func tabsBlankLinesAndCarriageReturnsAreFine() throws {
        let instances = try PostmultiListing.parse("\n-\t-\ty\t/etc/postfix\r\n\npostfix-x - n /etc/postfix-x\n")
        #expect(instances.map(\.configDirectory) == ["/etc/postfix", "/etc/postfix-x"])
        #expect(instances[1].group == nil && instances[1].enabled == false)
    }

    @Test func formatThenParseGivesTheSameInstances() throws {
        let instances = try PostmultiListing.parse(output)
        let text = PostmultiListing.format(instances)
        #expect(text == output)
        #expect(try PostmultiListing.parse(text) == instances)
    }

    @Test func findsAPlaybookInstanceByItsDirectory() throws {
        let instances = try PostmultiListing.parse(output)
        #expect(PostmultiListing.find(.default, in: instances)?.configDirectory == "/etc/postfix")
        #expect(PostmultiListing.find(PostfixInstance(name: "postfix-in"), in: instances)?.enabled == false)
        #expect(PostmultiListing.find(PostfixInstance(name: "postfix-new"), in: instances) == nil)
    }

    @Test func badLinesAreNamed() {
        #expect(throws: PostfixParseError(
            source: "postmulti -l", line: 2, message: "expected 4 columns (name group enabled config_directory), found 3",
            text: "postfix-out mta /etc/postfix-out")
        ) { try PostmultiListing.parse("- - y /etc/postfix\npostfix-out mta /etc/postfix-out\n") }
        #expect(throws: PostfixParseError(
            source: "postmulti -l", line: 1, message: "the enabled column must be 'y' or 'n', not 'yes'",
            text: "- - yes /etc/postfix")
        ) { try PostmultiListing.parse("- - yes /etc/postfix") }
        #expect(throws: PostfixParseError(
            source: "postmulti -l", line: 1,
            message: "the configuration directory must be an absolute path, not 'etc/postfix'", text: "- - y etc/postfix")
        ) { try PostmultiListing.parse("- - y etc/postfix") }
        let error = PostfixParseError(source: "postmulti -l", line: 3, message: "m", text: "t")
        #expect(error.description == "postmulti -l, line 3: m: t")
    }
}
