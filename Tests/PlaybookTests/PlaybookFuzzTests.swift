import Foundation
import Inventory
import Playbook
import Testing

/// Bounded fuzzing of the playbook loader and the template renderer, in process: the
/// repository's playbooks and templates damaged byte by byte, playbooks from a small YAML
/// grammar, and templates from a Mustache grammar, each loaded and rendered for hosts of
/// the example inventory. Asserts only: no crash, no hang, and every failure an error with
/// a place (see ``judgeLocated(_:files:)``). The seed is fixed (`POSTFLEET_FUZZ_SEED`
/// replays or explores); a failing case prints the seed, its number and its input.
@Suite struct PlaybookFuzzTests {
    static let playbooks = ["border-cluster.yml", "generic-maps.yml", "group-restart.yml"]
    static let templates = ["null-client/main.cf", "null-client/generic", "null-client/virtual", "postfix-in/main.cf", "postfix-out/main.cf"]

    /// A copy of playbooks/ in `directory`, and every file's text by its path there.
    static func copyPlaybooks(into directory: String) throws -> [String: String] {
        var files: [String: String] = [:]
        for name in playbooks + templates.map({ "templates/" + $0 }) {
            files[directory + "/" + name] = try String(contentsOfFile: repositoryRoot + "/playbooks/" + name, encoding: .utf8)
        }
        try write(Dictionary(uniqueKeysWithValues: files.map { (String($0.key.dropFirst(directory.count + 1)), $0.value) }), into: directory)
        return files
    }

    /// Loads the playbook at `path` and renders it for a few hosts of the example inventory.
    static func loadAndRender(_ path: String, inventory: Inventory) throws {
        let playbook = try Playbook.load(path: path)
        for name in ["mta1", "mta3", "mailhub"] {
            guard let host = inventory.host(named: name) else { continue }
            _ = try playbook.render(for: host, inventory: inventory)
            _ = try playbook.instances(for: host, inventory: inventory)
        }
    }

    @Test func damagedPlaybooksAndTemplates() throws {
        let run = FuzzRun("damaged playbooks and templates")
        defer { run.finish() }
        let inventory = try inventory(LoaderFuzzTests.example)
        try withTemporaryDirectory { directory in
            let originals = try Self.copyPlaybooks(into: directory)
            for index in 0..<300 {
                var files = originals
                let damaged = directory + "/" + (index % 2 == 0 ? run.random.pick(Self.playbooks) : "templates/" + run.random.pick(Self.templates))
                let bytes = Mutation.mutate(Array(originals[damaged]!.utf8), &run.random)
                files[damaged] = String(validating: bytes, as: UTF8.self) ?? ""
                try writeBytes(bytes, to: damaged)
                let playbook = damaged.hasSuffix(".yml") ? damaged : directory + "/border-cluster.yml"
                run.check("\(index) \(damaged.dropFirst(directory.count + 1))", input: String(decoding: bytes, as: UTF8.self),
                          judge: { judgeLocated($0, files: files) }) {
                    try Self.loadAndRender(playbook, inventory: inventory)
                }
                try writeBytes(Array(originals[damaged]!.utf8), to: damaged)
            }
        }
    }

    @Test func grammarPlaybooksAndTemplates() throws {
        let run = FuzzRun("grammar playbooks and templates")
        defer { run.finish() }
        var grammar = FuzzGrammars(random: run.random)
        let inventory = try inventory(LoaderFuzzTests.example)
        try withTemporaryDirectory { directory in
            let playbookPath = directory + "/playbook.yml"
            let templatePath = directory + "/t.tmpl"
            for index in 0..<400 {
                let template = grammar.template()
                let playbook: String
                if index % 2 == 0 {
                    // A template file, and another template inline as a main.cf value.
                    let inline = grammar.template().replacingOccurrences(of: "\n", with: " ").debugDescription
                    var anchors: [String] = []
                    let value = grammar.flow(depth: 2, anchors: &anchors)
                    playbook = """
                        - hosts: all
                          vars: {a: [1, {b: 2}], domain: example.com, x: \(value)}
                          instances:
                            - name: default
                              main_cf: {parameters: {myhostname: \(inline)}}
                              tables: [{name: t, type: texthash, template: t.tmpl}, {name: e, type: hash, entries: {"k{{domain}}": \(inline)}}]

                        """
                } else {
                    playbook = grammar.yaml(shape: "playbook")
                }
                try playbook.write(toFile: playbookPath, atomically: true, encoding: .utf8)
                try template.write(toFile: templatePath, atomically: true, encoding: .utf8)
                run.check("\(index)", input: playbook + "\n--- t.tmpl:\n" + template,
                          judge: { judgeLocated($0, files: [playbookPath: playbook, templatePath: template]) }) {
                    try Self.loadAndRender(playbookPath, inventory: inventory)
                }
            }
        }
    }
}
