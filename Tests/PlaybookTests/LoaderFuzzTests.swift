import Foundation
import Inventory
import Testing

/// Bounded fuzzing of the inventory loaders, in process: random bytes, the repository's
/// inventory damaged byte by byte, YAML and INI from small grammars, `group_vars/` files
/// and host patterns. Each case asserts only that nothing crashes or hangs and that every
/// failure is an error with a place (see ``judgeLocated(_:files:)``); a loaded inventory is
/// also printed as `--list`, `--graph` and `--host` would print it.
///
/// The seed is fixed (`POSTFLEET_FUZZ_SEED` replays or explores); a failing case prints the
/// seed, its number and its input.
@Suite struct LoaderFuzzTests {
    static let example = try! String(contentsOfFile: repositoryRoot + "/inventories/example.yml", encoding: .utf8)
    static let json = """
        {"all": {"vars": {"domain": "example.com", "n": 1e3, "l": [1, [2, {"a": null}]]},
                 "children": {"border": {"hosts": {"mta1": {"ansible_host": "127.0.0.1"}, "mta2": null}}}}}
        """
    static let ini = """
        mailhub ansible_host=127.0.0.1
        [border]
        mta[1:3] relay=mailhub ports="[25, 587]" opts="{'a': (1, 2)}"
        [border:vars]
        domain=example.com
        [clusters:children]
        border
        """

    /// Loads `text` as the format says, in process, and prints what the inventory command would.
    static func load(_ text: String, path: String, ini: Bool) throws {
        let inventory = ini ? try Inventory.parse(ini: text, path: path) : try Inventory.parse(yaml: text, path: path)
        exercise(inventory)
    }

    static func exercise(_ inventory: Inventory) {
        _ = inventory.ansibleListJSON()
        if inventory.ansibleGraphLineCount() <= Inventory.maximumGraphLines { _ = inventory.ansibleGraph() }
        for host in inventory.hosts.prefix(3) { _ = inventory.ansibleHostJSON(host) }
    }

    @Test func randomBytes() throws {
        let run = FuzzRun("random bytes")
        defer { run.finish() }
        try withTemporaryDirectory { directory in
            for index in 0..<400 {
                let bytes = Mutation.randomBytes(&run.random)
                let text = String(decoding: bytes, as: UTF8.self)
                for (path, ini) in [("fuzz.yml", false), ("fuzz.ini", true)] {
                    run.check("\(index) \(path)", input: text, judge: { judgeLocated($0, files: [path: text]) }) {
                        try Self.load(text, path: path, ini: ini)
                    }
                }
                // From a file without extension: told by content, and refused if not UTF-8.
                let file = directory + "/hosts"
                try writeBytes(bytes, to: file)
                let asRead = String(validating: bytes, as: UTF8.self).map { $0.hasPrefix("\u{FEFF}") ? String($0.dropFirst()) : $0 } ?? ""
                run.check("\(index) file", input: text, judge: { judgeLocated($0, files: [file: asRead]) }) {
                    Self.exercise(try Inventory.load(path: file))
                }
            }
        }
    }

    @Test func damagedInventories() {
        let run = FuzzRun("damaged inventories")
        defer { run.finish() }
        for index in 0..<600 {
            let (original, path, ini) = run.random.pick([(Self.example, "example.yml", false), (Self.json, "inventory.json", false),
                                                        (Self.ini, "hosts.ini", true)])
            let text = String(decoding: Mutation.mutate(Array(original.utf8), &run.random), as: UTF8.self)
            run.check("\(index) \(path)", input: text, judge: { judgeLocated($0, files: [path: text]) }) {
                try Self.load(text, path: path, ini: ini)
            }
        }
    }

    @Test func grammarYAMLAndINI() {
        let run = FuzzRun("grammar YAML and INI")
        defer { run.finish() }
        var grammar = FuzzGrammars(random: run.random)
        for index in 0..<700 {
            let ini = index % 3 == 2
            let text = ini ? grammar.ini() : grammar.yaml(shape: index % 3 == 0 ? "inventory" : "any")
            let path = ini ? "hosts.ini" : "inventory.yml"
            run.check("\(index) \(path)", input: text, judge: { judgeLocated($0, files: [path: text]) }) {
                try Self.load(text, path: path, ini: ini)
            }
        }
    }

    @Test func groupVarsFiles() throws {
        let run = FuzzRun("group_vars files")
        defer { run.finish() }
        var grammar = FuzzGrammars(random: run.random)
        try withTemporaryDirectory { directory in
            let inventory = directory + "/inventory.yml"
            try Self.example.write(toFile: inventory, atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: directory + "/group_vars", withIntermediateDirectories: true)
            let file = directory + "/group_vars/border.yml"
            for index in 0..<150 {
                let text = index % 2 == 0
                    ? grammar.yaml(shape: "any")
                    : String(decoding: Mutation.mutate(Array("relay: &r {host: mailhub, port: 25}\nbackup: *r\nlist: [1, 2]\n".utf8), &grammar.random), as: UTF8.self)
                try text.write(toFile: file, atomically: true, encoding: .utf8)
                run.check("\(index)", input: text, judge: { judgeLocated($0, files: [file: text]) }) {
                    Self.exercise(try Inventory.load(path: inventory))
                }
            }
        }
    }

    @Test func hostPatterns() throws {
        let run = FuzzRun("host patterns")
        defer { run.finish() }
        var grammar = FuzzGrammars(random: run.random)
        let inventory = try Inventory.parse(yaml: Self.example, path: "example.yml")
        for index in 0..<500 {
            let pattern = index % 4 == 0 ? String(decoding: Mutation.randomBytes(&grammar.random).prefix(30), as: UTF8.self) : grammar.hostPattern()
            run.check("\(index)", input: pattern, judge: { judgeLocated($0, files: [:]) }) {
                _ = try inventory.select(pattern)
            }
        }
    }
}
