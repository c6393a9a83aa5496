import Testing

@testable import Inventory

@Suite("INI values: Python's literal_eval and shlex, as Ansible applies them")
struct PythonSyntaxTests {
    static let literalCases: [(String, Value)] = [
        ("8080", .int(8080)),
        ("-5", -5),
        ("+5", 5),
        ("1_000", 1000),
        ("0x1F", 31),
        ("0o17", 15),
        ("0b101", 5),
        ("00", 0),
        ("-9223372036854775808", .int(.min)),
        ("1.5", 1.5),
        ("1.", 1.0),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("010.5", 10.5),
        ("True", true),
        ("False", false),
        ("None", .null),
        ("'text'", "text"),
        ("\"010\"", "010"),
        ("'a' \"b\"", "ab"),
        ("'tab\\there'", "tab\there"),
        ("'\\x41\\101\\u00e9\\U0001F600'", "AAé😀"),
        ("'keep \\d'", "keep \\d"),
        ("r'raw \\n'", "raw \\n"),
        ("b'bytes'", "bytes"),
        ("u'unicode'", "unicode"),
        ("'''triple ' quote'''", "triple ' quote"),
        ("[1, 'two', None, [3]]", [1, "two", .null, [3]]),
        ("[1, 2,]", [1, 2]),
        ("(1, 2)", [1, 2]),
        ("(1,)", [1]),
        ("()", []),
        ("1, 2", [1, 2]),
        ("(7)", 7),
        ("{'a': 1, 'b': [2]}", .map(["a": 1, "b": [2]])),
        ("{1: 'x', True: 'y', None: 'z', 1.5: 'w'}", .map(["1": "x", "true": "y", "null": "z", "1.5": "w"])),
        ("{}", .map([:])),
        ("{'b', 'a', 'b'}", ["b", "a"]),
        ("set()", []),
        ("...", "..."),
        ("2j", "2j"),
        ("-1j", "(-0-1j)"),
        ("1+2j", "(1+2j)"),
        ("1.5-0.5j", "(1.5-0.5j)"),
        ("  42", 42),
        ("42 # the answer", 42),
    ]

    @Test("Literals Ansible types", arguments: literalCases)
    func literals(text: String, value: Value) {
        #expect(PythonLiteral.evaluate(text) == .value(value))
    }

    @Test("Text that is not a Python literal stays text", arguments: [
        "yes", "true", "no", "null", "010", "09", "1_", "1__0", "0x", "1e", "1abc", "mailhub", "mailhub # relay",
        "{a:1}", "[mailhub.example.com]", "1+2", "2j+1", "--1", "-True", "'a' + 'b'", "f'x'", "'unclosed",
        "1 2", "[1, 2][0]", "a.b", "'\\x4'", "'a' b'b'", "ur'x'", "1 if 1 else 2", "1.5.", "", "   ", "{'a': 1, 2}",
        "set(1)", "'nul\u{0}'", "$HOME", "~/.ssh/id", "/etc/postfix", "2001:db8::1", "{{ relay }}",
    ])
    func text(text: String) {
        #expect(PythonLiteral.evaluate(text) == .text)
    }

    @Test("Literals postfleet cannot hold are errors, not silently other values")
    func unsupported() {
        guard case .unsupported = PythonLiteral.evaluate("123456789012345678901") else {
            Issue.record("a 67-bit integer was accepted")
            return
        }
        guard case .unsupported = PythonLiteral.evaluate("'\\N{BULLET}'") else {
            Issue.record("a \\N escape was accepted")
            return
        }
        guard case .unsupported = PythonLiteral.evaluate("{(1, 2): 'x'}") else {
            Issue.record("a tuple key was accepted")
            return
        }
    }

    @Test("shlex.split with comments: quotes, escapes, '#' anywhere a word continues", arguments: [
        ("a b  c", ["a", "b", "c"]),
        ("k=\"two words\" x", ["k=two words", "x"]),
        ("k='it''s'", ["k=its"]),
        ("k=\"a\\\"b\\\\c\\d\"", ["k=a\"b\\c\\d"]),
        ("k='a\\b'", ["k=a\\b"]),
        ("a\\ b c", ["a b", "c"]),
        ("a # comment", ["a"]),
        ("a#b c", ["a"]),
        ("'#x' y", ["#x", "y"]),
        ("\"\" x", ["", "x"]),
    ])
    func shlex(line: String, words: [String]) throws {
        #expect(try Shlex.split(line).map(\.text) == words)
    }

    @Test("shlex word offsets and errors point into the line")
    func shlexOffsets() throws {
        #expect(try Shlex.split("mta1  relay=x 'q' ").map(\.offset) == [0, 6, 14])
        #expect(throws: Shlex.Problem(message: "no closing quotation mark for the ' opened here", offset: 5)) {
            try Shlex.split("mta1 'x")
        }
        #expect(throws: Shlex.Problem(message: "no character after the backslash", offset: 5)) {
            try Shlex.split("mta1 \\")
        }
    }

    static let floatCases: [(Double, String)] = [
        (1.0, "1.0"), (1000.0, "1000.0"), (0.1, "0.1"), (1.5, "1.5"), (-2.5, "-2.5"), (0.0, "0.0"), (-0.0, "-0.0"),
        (0.0001, "0.0001"), (0.00001, "1e-05"), (0.00012345, "0.00012345"), (1.5e-5, "1.5e-05"),
        (9.5e15, "9500000000000000.0"), (9999999999999998.0, "9999999999999998.0"), (1e16, "1e+16"),
        (12345678901234567.0, "1.2345678901234568e+16"), (1e300, "1e+300"), (5e-324, "5e-324"),
        (123456.789, "123456.789"),
    ]

    @Test("Floats are written as Python's repr writes them", arguments: floatCases)
    func floatRepr(double: Double, text: String) {
        #expect(PythonFloat.repr(double) == text)
    }

    @Test("JSON floats: Infinity and NaN as Python writes them; complex numbers as str() does")
    func specialFloats() {
        #expect(PythonFloat.json(.infinity) == "Infinity")
        #expect(PythonFloat.json(-.infinity) == "-Infinity")
        #expect(PythonFloat.json(.nan) == "NaN")
        #expect(PythonFloat.complexRepr(real: 0, imag: 1e16) == "1e+16j")
        #expect(PythonFloat.complexRepr(real: 1, imag: -0.0) == "(1-0j)")
    }
}
