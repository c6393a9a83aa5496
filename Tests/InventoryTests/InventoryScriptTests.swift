import Foundation
import Testing

@testable import Inventory

/// An executable shell script printing `listing` for `--list`, and for `--host H` the
/// output of `host` (a shell fragment, `$2` the host).
func script(list listing: String, host: String = "exit 2") -> String {
    "#!/bin/sh\ncase \"$1\" in\n--list) cat <<'EOF'\n\(listing)\nEOF\n;;\n--host) \(host);;\nesac\n"
}

/// The error loading the script `text` throws.
func scriptError(_ text: String, options: Inventory.LoadOptions = .init(),
                 sourceLocation: SourceLocation = #_sourceLocation) throws -> InventorySourceError {
    try #require(throws: InventorySourceError.self, sourceLocation: sourceLocation) {
        try loadSources(["cmdb": text], ["cmdb"], executables: ["cmdb"], options: options)
    }
}

@Suite("Executable inventory scripts: --list, _meta.hostvars, --host, and their failures")
struct InventoryScriptTests {
    @Test("--list with _meta: groups in the order printed, hosts, vars, children; hostvars per host")
    func withMeta() throws {
        let inventory = try loadSources(["cmdb": script(list: """
            {"border": {"hosts": ["mta1", "mta2"], "vars": {"relay": "mailhub"}, "children": ["edge"]},
             "edge": {"hosts": ["mta3"]}, "all": {"vars": {"site": "prod"}},
             "_meta": {"hostvars": {"mta1": {"ansible_host": "192.0.2.1"}, "ghost": {"x": 1}}}}
            """)], ["cmdb"], executables: ["cmdb"])
        #expect(inventory.groupNames == ["all", "ungrouped", "border", "edge"])
        #expect(names(inventory.hosts) == ["mta1", "mta2", "mta3"])
        #expect(inventory.host(named: "mta1")?.address == "192.0.2.1")
        #expect(inventory.host(named: "mta3")?.vars == ["relay": "mailhub", "site": "prod"])
        #expect(inventory.host(named: "ghost") == nil)
    }

    @Test("Without _meta: SCRIPT --host HOST for each host (empty output: no variables); Ansible's old group forms")
    func withoutMeta() throws {
        let inventory = try loadSources(["cmdb": script(
            list: #"{"border": ["mta1", "mta2"], "solo": {"x": 1}}"#,
            host: #"if [ "$2" = mta1 ]; then echo '{"own": 1}'; fi"#)], ["cmdb"], executables: ["cmdb"])
        #expect(inventory.host(named: "mta1")?.vars == ["own": 1])
        #expect(inventory.host(named: "mta2")?.vars == [:])
        // An object without hosts, vars or children is a host of that name with those variables.
        #expect(inventory.group(named: "solo")?.hosts == ["solo"])
        #expect(inventory.host(named: "solo")?.vars == ["x": 1])
    }

    @Test("An executable file without #! is read as a file, as Ansible falls back to")
    func executableINI() throws {
        let inventory = try loadSources(["hosts": "[border]\nmta1\n"], ["hosts"], executables: ["hosts"])
        #expect(names(inventory.hosts) == ["mta1"])
    }

    @Test("A failing script: its exit status and its standard error")
    func exitStatus() throws {
        let error = try scriptError("#!/bin/sh\necho 'cmdb: connection refused' >&2\nexit 3\n")
        #expect(error.message.hasSuffix("cmdb --list exited with status 3"))
        #expect(error.detail == ["its standard error:", "  cmdb: connection refused"])
        #expect(error.description.hasSuffix("/cmdb: error: \(error.message)\n  its standard error:\n    cmdb: connection refused"))
    }

    @Test("A script killed by a signal, and one that does not finish in time")
    func signalAndTimeout() throws {
        #expect(try scriptError("#!/bin/sh\nkill -9 $$\n").message.hasSuffix("--list was killed by signal 9"))
        var options = Inventory.LoadOptions()
        options.scriptTimeout = .milliseconds(300)
        let clock = ContinuousClock()
        let start = clock.now
        let error = try scriptError("#!/bin/sh\nexec sleep 30\n", options: options)
        #expect(error.message.hasSuffix("--list did not finish within 0 seconds, and was stopped"))
        #expect(clock.now - start < .seconds(10))
    }

    @Test("Output that is not an inventory", arguments: [
        ("hello world", "printed something else than JSON: 'hello world'"),
        ("", "printed something else than JSON: nothing"),
        ("[1, 2]", "printed a list, not a JSON object of groups"),
        (#"{"_meta": {}}"#, "'_meta.hostvars' in the output of"),
        (#"{"border": {"hosts": "mta1"}}"#, "'border.hosts' must be a list of host names, not a string"),
        (#"{"border": {"hosts": [1]}}"#, "a host of group 'border' must be a name, not an integer"),
        (#"{"border": {"vars": [1]}}"#, "'border.vars' must be an object of variables, not a list"),
        (#"{"border": {"children": ["border"]}}"#, "group 'border': group 'border' would be its own ancestor"),
        (#"{"border": {"hosts": ["a/b"]}}"#, "'a/b' cannot be a host name"),
        (#"{"b": {"hosts": ["m"]}, "_meta": {"hostvars": {"m": [1]}}}"#, "the variables of host 'm'"),
        (#"{"b": {"hosts": ["m"]}, "_meta": {"hostvars": {"m": {"ansible_port": "x"}}}}"#, "host 'm': ansible_port must be a port number"),
    ])
    func notAnInventory(_ output: String, _ message: String) throws {
        let error = try scriptError(script(list: output))
        #expect(error.message.contains(message), "\(error)")
    }

    @Test("A script starts with no signal blocked and SIGPIPE at its default, whatever the starting thread blocks")
    func signals() throws {
        let text = """
            #!/bin/sh
            blocked=$(awk '/^SigBlk/ {print $2}' /proc/$$/status)
            ignored=$(awk '/^SigIgn/ {print $2}' /proc/$$/status)
            echo "{\\"g\\": {\\"hosts\\": [\\"h\\"], \\"vars\\": {\\"blocked\\": \\"$blocked\\", \\"ignored\\": \\"$ignored\\"}}}"
            """
        let vars = try #require(try loadSources(["cmdb": text], ["cmdb"], executables: ["cmdb"]).host(named: "h")?.vars)
        #expect(vars["blocked"] == "0000000000000000")
        let ignored = try #require(vars["ignored"]?.stringValue.flatMap { UInt64($0, radix: 16) })
        #expect(ignored & (1 << (UInt64(SIGPIPE) - 1)) == 0 && ignored & (1 << (UInt64(SIGTERM) - 1)) == 0)
    }

    @Test("A #! line naming a program that does not exist")
    func missingInterpreter() throws {
        let error = try scriptError("#!/nonexistent/python3\nprint(1)\n")
        #expect(error.message.contains("--list could not be run ("), "\(error)")
        #expect(error.message.hasSuffix("its first line, which names the program that runs it, is '#!/nonexistent/python3'"), "\(error)")
    }

    @Test("Output that is not UTF-8")
    func notUTF8() throws {
        #expect(try scriptError("#!/bin/sh\nprintf '\\377\\376'\n").message.hasSuffix("is not UTF-8 text"))
    }

    @Test("A long standard error is cut to 20 lines")
    func longStderr() throws {
        let error = try scriptError("#!/bin/sh\nfor i in $(seq 1 50); do echo line $i >&2; done\nexit 1\n")
        #expect(error.detail.count == 22)
        #expect(error.detail.last == "  ... (30 more lines)")
    }
}
