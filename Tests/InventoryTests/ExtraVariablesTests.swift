import Foundation
import Testing

@testable import Inventory

@Suite("-e/--extra-vars, as Ansible's load_extra_vars reads it")
struct ExtraVariablesTests {
    /// Each case as ansible-core 2.19's split_args and parse_kv give it.
    @Test("key=value words split and read as Ansible does", arguments: [
        ("a=b c=\"foo bar\"", ["a=b", "c=\"foo bar\""], ["a": "b", "c": "foo bar"]),
        ("a='x y' b=\"q\\\"r\"", ["a='x y'", "b=\"q\\\"r\""], ["a": "x y", "b": "q\"r"]),
        ("x={{ a b }} y=1", ["x={{ a b }}", "y=1"], ["x": "{{ a b }}", "y": "1"]),
        ("k=v\nk2=v2", ["k=v\n", "k2=v2"], ["k": "v", "k2": "v2"]),
        ("a=1  b=2", ["a=1 ", "b=2"], ["a": "1", "b": "2"]),
        ("a=b \\\nc=d", ["a=b", "c=d"], ["a": "b", "c": "d"]),
        ("x=\\u00e9\\t", ["x=\\u00e9\\t"], ["x": "é"]),
        ("p=a\\=b", ["p=a\\=b"], ["p": "a\\=b"]),
        ("m={% if x %}y{% endif %}", ["m={% if x %}y{% endif %}"], ["m": "{% if x %}y{% endif %}"]),
        ("w=\"a\nb\"", ["w=\"a\nb\""], ["w": "a\nb"]),
        ("k=\"'single'\"", ["k=\"'single'\""], ["k": "'single'"]),
        ("u=\\x41\\U0001F600", ["u=\\x41\\U0001F600"], ["u": "A😀"]),
        ("='x'=y", ["='x'=y"], ["='x'": "y"]),
    ] as [(String, [String], [String: String])])
    func keyValues(_ text: String, _ words: [String], _ values: [String: String]) throws {
        #expect(try KeyValueArguments.split(text) == words)
        #expect(try ExtraVariables.parse([text]) == values.mapValues(Value.string))
    }

    @Test("YAML and JSON text, @FILE, and a later -e over an earlier one")
    func textAndFiles() throws {
        try withFiles(["vars.yml": "relay: file\nnested: {a: [1, 2]}\n", "vars.json": #"{"n": 1e3}"#, "empty.yml": "{}\n"]) { directory in
            let variables = try ExtraVariables.parse([
                #"{"relay": "json", "n": 1}"#, "{flag: yes, n: 2}", "@\(directory)/vars.yml", "@\(directory)/vars.json",
                "@\(directory)/empty.yml", "",
            ])
            #expect(variables == ["relay": "file", "flag": true, "n": 1000.0, "nested": .map(["a": [1, 2]])])
        }
    }

    @Test("Mistakes: placed in the -e text or in the file", arguments: [
        ("foo", 1, 1, "expected NAME=VALUE, found 'foo'"),
        ("a=1 bare", 1, 5, "expected NAME=VALUE, found 'bare'"),
        ("=x", 1, 1, "expected NAME=VALUE"),
        ("a=\"open", 1, 1, "unbalanced quotes or {{ }} block"),
        ("x=1 ansible_port=abc", 1, 18, "ansible_port must be a port number from 1 to 65535"),
        ("./vars.yml", 1, 1, "'./vars.yml' looks like a file: write @./vars.yml"),
        ("[1, 2]", 1, 1, "-e text starting with [ is a list; it must be a mapping of variable names to values"),
        ("{a: [}", 1, 6, "invalid YAML"),
        ("{ansible_user: \"a\\nb\"}", 1, 16, "ansible_user holds a control character"),
    ])
    func mistakes(_ text: String, _ line: Int, _ column: Int, _ message: String) throws {
        let error = try #require(throws: SourceError.self) { try ExtraVariables.parse([text]) }
        #expect(error.file == "-e")
        #expect(error.line == line && error.column == column, "\(error)")
        #expect(error.message.hasPrefix(message) || error.message.contains(message), "\(error)")
    }

    @Test("A file that cannot be read, or that is not a mapping")
    func badFiles() throws {
        try withFiles(["list.yml": "- 1\n", "empty.yml": "", "broken.yml": "a: [\n"]) { directory in
            let missing = try #require(throws: InventorySourceError.self) { try ExtraVariables.parse(["@\(directory)/nope.yml"]) }
            #expect(missing.description == "-e @\(directory)/nope.yml: error: no such file")
            for (name, message) in [("list.yml", "a file of extra variables is a list; it must be a mapping of variable names to values"),
                                    ("empty.yml", "a file of extra variables is empty; it must be a mapping"),
                                    ("broken.yml", "invalid YAML")] {
                let error = try #require(throws: SourceError.self) { try ExtraVariables.parse(["@\(directory)/\(name)"]) }
                #expect(error.file == "\(directory)/\(name)" && error.message.contains(message), "\(error)")
            }
        }
    }

    @Test("Over every inventory variable, connection variables included")
    func precedence() throws {
        var options = Inventory.LoadOptions()
        options.extraVariables = try ExtraVariables.parse(["ansible_user=ops ansible_port=2222 relay=cli"])
        let inventory = try loadSources([
            "hosts": "[border]\nmta1 ansible_user=root ansible_port=22 relay=inventory\n",
            "host_vars/mta1.yml": "relay: host_vars\n",
        ], ["hosts"], options: options)
        let mta1 = try #require(inventory.host(named: "mta1"))
        #expect(mta1.vars["relay"] == "cli")
        #expect(mta1.user == "ops" && mta1.port == 2222)
        #expect(mta1.ownVars["relay"] == "host_vars")
        #expect(inventory.extraVariables["relay"] == "cli")
        #expect(inventory.ansibleHostVariables(mta1)["ansible_user"] == "ops")
    }
}
