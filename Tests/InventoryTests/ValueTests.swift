import Foundation
import Testing
import Yams

@testable import Inventory

@Suite("Values from YAML, as Ansible reads them")
struct ValueTests {
    /// The value of `x` in `x: TEXT`.
    func value(_ text: String) throws -> Value {
        let source = SourceText(path: "v.yml", text: "x: \(text)\n")
        let root = try #require(try source.composeYAML())
        return try #require(try Value(yaml: root, in: source)["x"])
    }

    @Test("YAML 1.1 booleans: yes/no/on/off/true/false in their three spellings")
    func booleans() throws {
        for text in ["yes", "Yes", "YES", "on", "On", "true", "True", "TRUE"] {
            #expect(try value(text) == .bool(true), "\(text)")
        }
        for text in ["no", "No", "NO", "off", "OFF", "false", "False"] {
            #expect(try value(text) == .bool(false), "\(text)")
        }
        #expect(try value("yEs") == .string("yEs"))
        #expect(try value("\"yes\"") == .string("yes"))
        #expect(try value("'no'") == .string("no"))
    }

    @Test("Integers: decimal, octal, hex, binary, underscores, sexagesimal")
    func integers() throws {
        #expect(try value("25") == .int(25))
        #expect(try value("-7") == .int(-7))
        #expect(try value("+7") == .int(7))
        #expect(try value("0") == .int(0))
        #expect(try value("010") == .int(8))
        #expect(try value("0x1F") == .int(31))
        #expect(try value("0b101") == .int(5))
        #expect(try value("1_000") == .int(1000))
        #expect(try value("1:30") == .int(90))
        #expect(try value("-1:30") == .int(-90))
        // Not integers in YAML 1.1 / PyYAML:
        #expect(try value("0o17") == .string("0o17"))
        #expect(try value("08") == .string("08"))
        #expect(try value("\"25\"") == .string("25"))
        #expect(try value("!!str 25") == .string("25"))
    }

    @Test("Floats need a dot, as in PyYAML")
    func floats() throws {
        #expect(try value("1.5") == .double(1.5))
        #expect(try value("-0.25") == .double(-0.25))
        #expect(try value("1.0e+3") == .double(1000))
        #expect(try value(".5") == .double(0.5))
        #expect(try value(".inf") == .double(.infinity))
        #expect(try value("-.inf") == .double(-.infinity))
        #expect(try value(".nan").doubleValue?.isNaN == true)
        #expect(try value("1e3") == .string("1e3"))
        #expect(try value("10.0.0.1") == .string("10.0.0.1"))
    }

    @Test("Null: ~, null, and nothing")
    func nulls() throws {
        #expect(try value("~") == .null)
        #expect(try value("null") == .null)
        #expect(try value("Null") == .null)
        #expect(try value("") == .null)
        #expect(try value("'~'") == .string("~"))
    }

    @Test("Strings, dates and the unsafe tag stay text")
    func strings() throws {
        #expect(try value("mail.example.com") == .string("mail.example.com"))
        #expect(try value("2024-01-02") == .string("2024-01-02"))
        #expect(try value("!unsafe '{{ x }}'") == .string("{{ x }}"))
        #expect(try value("|\n  a\n  b") == .string("a\nb\n"))
    }

    @Test("Lists, maps, anchors and merge keys")
    func collections() throws {
        let source = SourceText(path: "v.yml", text: """
            base: &base { relay: mailhub, size: 10 }
            list: [a, 1, yes, ~]
            merged:
              <<: *base
              size: 20
            several:
              <<: [{ a: 1 }, { a: 2, b: 2 }]
            """)
        let root = try #require(try source.composeYAML())
        let value = try Value(yaml: root, in: source)
        #expect(value["list"] == .list(["a", 1, true, .null]))
        #expect(value["merged"] == .map(["relay": "mailhub", "size": 20]))
        // The earlier mapping in a merge list wins.
        #expect(value["several"] == .map(["a": 1, "b": 2]))
        #expect(value["base"]?["relay"] == "mailhub")
        #expect(value["list"]?[1] == 1)
    }

    @Test("Mapping keys become text, as in JSON")
    func keys() throws {
        let source = SourceText(path: "v.yml", text: "{1: a, true: b, x: c}")
        let root = try #require(try source.composeYAML())
        #expect(try Value(yaml: root, in: source) == .map(["1": "a", "true": "b", "x": "c"]))
    }

    @Test("A vault-encrypted value read with no vault password is an error at its tag")
    func vault() throws {
        let source = SourceText(path: "v.yml", text: "a: 1\nsecret: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n")
        let root = try #require(try source.composeYAML())
        let error = try #require(throws: SourceError.self) { try Value(yaml: root, in: source) }
        #expect(error.line == 2)
        #expect(error.column == 9)
        #expect(error.message.hasPrefix("this is vault-encrypted and no vault password was given"))
    }

    @Test("A too large integer is an error")
    func tooLarge() throws {
        let error = try #require(throws: SourceError.self) { try value("99999999999999999999") }
        #expect(error.message == "the integer 99999999999999999999 is too large")
    }

    @Test("Rendered as text for templates")
    func description() {
        #expect(Value.string("mta1").description == "mta1")
        #expect(Value.int(25).description == "25")
        #expect(Value.double(1.5).description == "1.5")
        #expect(Value.double(2).description == "2.0")
        #expect(Value.bool(true).description == "true")
        #expect(Value.null.description == "null")
        #expect(Value.list(["a", 1, false]).description == #"["a", 1, false]"#)
        #expect(Value.map(["b": 2, "a": "x\"y\n"]).description == #"{"a": "x\"y\n", "b": 2}"#)
        #expect(Value.list(["\u{1}"]).description == #"["\u0001"]"#)
    }

    @Test("Encodes to JSON with sorted keys, and decodes back")
    func json() throws {
        let value = Value.map(["port": 25, "name": "mta1", "tags": ["a", .null], "up": true, "load": 0.5])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(value)
        #expect(String(decoding: data, as: UTF8.self)
            == #"{"load":0.5,"name":"mta1","port":25,"tags":["a",null],"up":true}"#)
        #expect(try JSONDecoder().decode(Value.self, from: data) == value)
        #expect(value.json == #"{"load": 0.5, "name": "mta1", "port": 25, "tags": ["a", null], "up": true}"#)
    }

    @Test("Typed accessors")
    func accessors() {
        #expect(Value.string("a").stringValue == "a")
        #expect(Value.int(1).stringValue == nil)
        #expect(Value.int(1).intValue == 1)
        #expect(Value.int(2).doubleValue == 2)
        #expect(Value.bool(false).boolValue == false)
        #expect(Value.list([1]).listValue == [1])
        #expect(Value.null.isNull)
        #expect(Value.list([1])[3] == nil)
    }
}
