import Inventory
import Playbook
import Testing

/// What a template may nest and render: 100 sections inside one another, and per file and
/// host 1,000,000 tags and 100 MB.
extension TemplateTests {
    static func nested(_ depth: Int, _ name: String = "a") -> String {
        String(repeating: "{{#\(name)}}", count: depth) + "x" + String(repeating: "{{/\(name)}}", count: depth)
    }

    @Test func aHundredNestedSectionsRender() throws {
        #expect(try render(Self.nested(100), vars: "{a: true}") == "x\n")  // a table's last line ends
    }

    @Test func theHundredAndFirstIsRefusedWhereItOpens() throws {
        for depth in [101, 5000] {
            let (path, error) = try renderError(Self.nested(depth), vars: "{a: true}")
            #expect(firstLine(error) == "\(path):1:601: error: '{{#a}}' opens a section inside 100 others, more than postfleet templates nest (swift-mustache takes the stack per level; real templates nest a few)")
        }
    }

    /// 2^40 bodies from 40 sections over a two-item list: refused at the section (the 38th)
    /// whose bodies take the count past a million.
    @Test func sectionsThatMultiplyAreRefused() throws {
        let (path, error) = try renderError(Self.nested(40), vars: "{a: [1, 2]}")
        #expect(firstLine(error) == "\(path):1:223: error: rendering this for host mta3 would render more than 1000000 tags, the most postfleet renders for one file: sections over lists, nested inside one another, repeat their bodies for every item of every list")
    }

    @Test func aLargeLoopWithinTheBoundsRenders() throws {
        let items = "[" + (0..<50_000).map { "h\($0)" }.joined(separator: ", ") + "]"
        let text = try render("{{#hosts}}{{.}} ok\n{{/hosts}}", vars: "{hosts: \(items)}")
        #expect(text.hasPrefix("h0 ok\nh1 ok\n"))
        #expect(text.split(separator: "\n").count == 50_000)
    }

    @Test func aRenderingPast100MBIsRefused() throws {
        let big = String(repeating: "x", count: 1_000_000)
        let (path, error) = try renderError("{{#l}}{{#l}}{{big}}{{/l}}{{/l}}", vars: "{big: \(big), l: [" + Array(repeating: "1", count: 11).joined(separator: ", ") + "]}")
        #expect(firstLine(error).hasPrefix("\(path):1:13: error: rendering this for host mta3 would write more than 100000000 bytes"))
    }
}
