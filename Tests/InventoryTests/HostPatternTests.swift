import Testing

@testable import Inventory

@Suite("Host patterns")
struct HostPatternTests {
    static let inventory: Inventory = {
        // swiftlint:disable:next force_try
        try! Inventory.parse(yaml: """
            all:
              hosts:
                mailhub:
              children:
                border:
                  hosts:
                    mta[1:4]:
                canary:
                  hosts:
                    mta2:
                    mta4:
                outbound:
                  hosts:
                    out[1:2].example.net:
                mta10:
                  hosts:
                    mta10:
                empty:
            """)
    }()

    func select(_ pattern: String) throws -> [String] {
        names(try Self.inventory.select(pattern))
    }

    func failure(_ pattern: String) throws -> HostPatternError {
        try #require(throws: HostPatternError.self) { try Self.inventory.select(pattern) }
    }

    static let everyone = ["mailhub", "mta1", "mta2", "mta3", "mta4", "out1.example.net", "out2.example.net", "mta10"]

    @Test("all and * select every host, in inventory order")
    func all() throws {
        #expect(try select("all") == Self.everyone)
        #expect(try select("*") == Self.everyone)
    }

    @Test("A host name, a group name")
    func hostAndGroupNames() throws {
        #expect(try select("mta3") == ["mta3"])
        #expect(try select("out1.example.net") == ["out1.example.net"])
        #expect(try select("border") == ["mta1", "mta2", "mta3", "mta4"])
        #expect(try select("ungrouped") == ["mailhub"])
        // mta10 is both a group and a host: the host, which is all the group holds.
        #expect(try select("mta10") == ["mta10"])
    }

    @Test("Wildcards match group and host names")
    func wildcards() throws {
        #expect(try select("mta*") == ["mta1", "mta2", "mta3", "mta4", "mta10"])
        #expect(try select("mta?") == ["mta1", "mta2", "mta3", "mta4"])
        #expect(try select("*.example.net") == ["out1.example.net", "out2.example.net"])
        #expect(try select("bord*") == ["mta1", "mta2", "mta3", "mta4"])
        #expect(try select("mta[!13]") == ["mta2", "mta4"])
        #expect(try select("out[12]*") == ["out1.example.net", "out2.example.net"])
    }

    @Test("~regex matches at the start of names")
    func regex() throws {
        #expect(try select("~mta[13]") == ["mta1", "mta3", "mta10"])
        #expect(try select("~mta[13]$") == ["mta1", "mta3"])
        #expect(try select("~(canary|mailhub)") == ["mailhub", "mta2", "mta4"])
        #expect(try select(#"~out\d\."#) == ["out1.example.net", "out2.example.net"])
    }

    @Test("Unions with : or ,; the result keeps inventory order")
    func unions() throws {
        #expect(try select("canary:mailhub") == ["mailhub", "mta2", "mta4"])
        #expect(try select("canary,mailhub") == ["mailhub", "mta2", "mta4"])
        #expect(try select("mta3, outbound") == ["mta3", "out1.example.net", "out2.example.net"])
        #expect(try select("mta1:mta1:border") == ["mta1", "mta2", "mta3", "mta4"])
    }

    @Test("Intersections :& and exclusions :!")
    func intersectionsAndExclusions() throws {
        #expect(try select("border:&canary") == ["mta2", "mta4"])
        #expect(try select("border:!canary") == ["mta1", "mta3"])
        #expect(try select("border,!mta1,&canary") == ["mta2", "mta4"])
        // Order of writing does not matter: plain terms first, then &, then !.
        #expect(try select("!canary:border") == ["mta1", "mta3"])
        #expect(try select("&canary:border") == ["mta2", "mta4"])
        // Only exclusions: from all.
        #expect(try select("!border:!outbound") == ["mailhub", "mta10"])
        #expect(try select("all:!empty") == Self.everyone)
    }

    @Test("Subscripts count from 0 in inventory order, both ends included")
    func subscripts() throws {
        #expect(try select("border[0]") == ["mta1"])
        #expect(try select("border[1]") == ["mta2"])
        #expect(try select("border[-1]") == ["mta4"])
        #expect(try select("border[0:2]") == ["mta1", "mta2", "mta3"])
        #expect(try select("border[2:]") == ["mta3", "mta4"])
        #expect(try select("border[1:99]") == ["mta2", "mta3", "mta4"])
        #expect(try select("border[0:1]:canary[-1]") == ["mta1", "mta2", "mta4"])
        #expect(try select("border:!border[0]") == ["mta2", "mta3", "mta4"])
        #expect(try select("mta*[0]") == ["mta1"])
    }

    @Test("Parsed terms")
    func parsed() throws {
        let pattern = try HostPattern("web[1:3]:&db:!~x[0-9]:mta*")
        #expect(pattern.terms.map(\.operation) == [.union, .intersection, .exclusion, .union])
        #expect(pattern.terms.map(\.expression) == ["web", "db", "~x[0-9]", "mta*"])
        #expect(pattern.terms[0].selection == .range(from: 1, through: 3))
        #expect(pattern.terms[2].isRegex)
        #expect(pattern.terms[3].isWildcard)
        #expect(pattern.evaluationOrder.map(\.description) == ["web[1:3]", "mta*", "&db", "!~x[0-9]"])
        #expect(try HostPattern("fe80::1").terms.map(\.expression) == ["fe80::1"])
        #expect(try HostPattern("a b").terms.map(\.expression) == ["a", "b"])
    }

    @Test("A name that matches nothing is an error, with the nearest name suggested")
    func unknownName() throws {
        let typo = try failure("bordr")
        #expect(typo.description == #"no hosts match "bordr"; did you mean "border"?"#)
        #expect(typo.suggestion == "border")
        #expect(typo.pattern == "bordr")
        #expect(try failure("mta9").description == #"no hosts match "mta9"; did you mean "mta1"?"#)
        #expect(try failure("canray").description == #"no hosts match "canray"; did you mean "canary"?"#)
        #expect(try failure("zzzz").description == #"no hosts match "zzzz""#)
        #expect(try failure("nothing*").description == #"no hosts match "nothing*""#)
        #expect(try failure("~^x").description == #"no hosts match "~^x""#)
    }

    @Test("A typo in an exclusion is an error, not a silent no-op")
    func unknownExclusion() throws {
        #expect(try failure("border:!mta33").description == #"no hosts match "mta33"; did you mean "mta3"?"#)
    }

    @Test("A pattern that selects no host is an error")
    func emptyResult() throws {
        #expect(try failure("border:&outbound").description == #"no hosts match "border:&outbound""#)
        #expect(try failure("empty").description == #"no hosts match "empty""#)
        #expect(try failure("all:!all").description == #"no hosts match "all:!all""#)
    }

    @Test("A subscript past the end is an error that says how many there are")
    func subscriptOutOfRange() throws {
        #expect(try failure("border[4]").description == #"no hosts match "border[4]": "border" has 4 hosts, numbered 0 to 3"#)
        #expect(try failure("border[-5]").description == #"no hosts match "border[-5]": "border" has 4 hosts, numbered 0 to 3"#)
        #expect(try failure("border[7:9]").description == #"no hosts match "border[7:9]": "border" has 4 hosts, numbered 0 to 3"#)
        #expect(try failure("mailhub[1]").description == #"no hosts match "mailhub[1]": "mailhub" has 1 host, numbered 0"#)
        #expect(try failure("empty[0]").description == #"no hosts match "empty[0]": "empty" has no hosts"#)
    }

    @Test("Malformed patterns")
    func malformed() throws {
        #expect(try failure("").description == "the host pattern is empty")
        #expect(try failure(" , ").description == "the host pattern is empty")
        #expect(try failure("border:!").description == #"'!' in host pattern "border:!" names nothing"#)
        #expect(try failure("border[0-2]").description
            == #"write "border[0:2]", not "border[0-2]": Ansible removed [x-y] subscripts"#)
        #expect(try failure("~mta(").description.hasPrefix(#"bad regular expression "~mta(" in host pattern: "#))
    }
}

@Suite("Wildcards, as Python's fnmatch")
struct GlobTests {
    @Test("Matches", arguments: [
        ("mta*", "mta12", true), ("mta*", "mta", true), ("mta*", "xmta", false),
        ("*", "", true), ("a*b*c", "aXbYc", true), ("a*b*c", "aXbY", false), ("a**", "a", true),
        ("mta?", "mta1", true), ("mta?", "mta12", false),
        ("m[a-c]x", "mbx", true), ("m[a-c]x", "mdx", false), ("m[!a-c]x", "mdx", true), ("m[!a-c]x", "max", false),
        ("[]]", "]", true), ("[!]]", "a", true), ("a[", "a[", true), ("a[b", "a[b", true),
        ("*.example.net", "out1.example.net", true), ("*.example.net", "out1Xexample.net", false),
        ("MTA*", "mta1", false), (#"a\b"#, #"a\b"#, true),
    ])
    func matches(pattern: String, text: String, expected: Bool) {
        #expect(Glob(pattern).matches(text) == expected)
    }
}

@Suite("Did you mean")
struct SuggestionTests {
    @Test("Near names are suggested, far ones are not")
    func nearest() {
        let keys = ["hosts", "children", "vars"]
        #expect(Suggestion.nearest(to: "childen", among: keys) == "children")
        #expect(Suggestion.nearest(to: "chlidren", among: keys) == "children")
        #expect(Suggestion.nearest(to: "child", among: keys) == "children")
        #expect(Suggestion.nearest(to: "host", among: keys) == "hosts")
        #expect(Suggestion.nearest(to: "Hosts", among: keys) == "hosts")
        #expect(Suggestion.nearest(to: "var", among: keys) == "vars")
        #expect(Suggestion.nearest(to: "groups", among: keys) == nil)
        #expect(Suggestion.nearest(to: "xy", among: ["ab"]) == nil)
        #expect(Suggestion.editDistance(Array("kitten"), Array("sitting")) == 3)
        #expect(Suggestion.editDistance(Array("ab"), Array("ba")) == 1)
        #expect(Suggestion.editDistance(Array(""), Array("abc")) == 3)
    }
}
