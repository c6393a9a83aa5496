import Foundation
import Testing

@testable import Inventory

/// Loads `sources` (relative to the directory `files` are written to) with `options`.
func loadSources(_ files: [String: String], _ sources: [String], executables: [String] = [],
                 options: Inventory.LoadOptions = .init()) throws -> Inventory {
    try withFiles(files) { directory in
        for path in executables {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory + "/" + path)
        }
        let paths = sources.map { $0.contains(",") ? $0 : directory + "/" + $0 }
        return try Inventory.load(sources: paths, options: options)
    }
}

@Suite("Several inventory sources, merged in order; directories; host lists")
struct InventorySourcesTests {
    @Test("Two sources: hosts and groups united, the later source's variables over the earlier's")
    func merged() throws {
        let inventory = try loadSources([
            "a.ini": "[border]\nmta1 relay=a only_a=1\nmta2\n[border:vars]\ntier=a\n",
            "b.yml": "border:\n  hosts:\n    mta1: {relay: b}\n    mta3:\n  vars: {tier: b}\nedge:\n  hosts: {mta2: }\n",
        ], ["a.ini", "b.yml"])
        #expect(names(inventory.hosts) == ["mta1", "mta2", "mta3"])
        #expect(inventory.groupNames == ["all", "ungrouped", "border", "edge"])
        #expect(inventory.group(named: "border")?.hosts == ["mta1", "mta2", "mta3"])
        let mta1 = try #require(inventory.host(named: "mta1"))
        #expect(mta1.vars == ["relay": "b", "only_a": 1, "tier": "b"])
        #expect(inventory.host(named: "mta2")?.groups == ["border", "edge"])
    }

    @Test("An [x:children] section may name a group an earlier source defined, as in Ansible")
    func earlierGroupsAreDefined() throws {
        let inventory = try loadSources(["a.ini": "[edge]\nmta1\n", "b.ini": "[border:children]\nedge\n"], ["a.ini", "b.ini"])
        #expect(inventory.host(named: "mta1")?.groups == ["border", "edge"])
        #expect(throws: SourceError.self) { try loadSources(["b.ini": "[border:children]\nedge\n"], ["b.ini"]) }
    }

    @Test("group_vars of each source: every source's all first, then the other groups source by source; host_vars in source order")
    func variablesDirectoriesPerSource() throws {
        let inventory = try loadSources([
            "one/hosts": "[border]\nmta1\n",
            "one/group_vars/all.yml": "a: one\nb: one\n",
            "one/group_vars/border.yml": "b: border-one\n",
            "one/host_vars/mta1.yml": "h: one\n",
            "two/hosts.yml": "border:\n  hosts: {mta1: }\n",
            "two/group_vars/all.yml": "a: two\nb: two\n",
            "two/host_vars/mta1.yml": "h: two\n",
        ], ["one/hosts", "two/hosts.yml"])
        // two's all.yml is read before one's border.yml.
        #expect(inventory.host(named: "mta1")?.vars == ["a": "two", "b": "border-one", "h": "two"])
    }

    @Test("A directory: files in code point order, subdirectories too, group_vars and host_vars inside read as variables")
    func directory() throws {
        let inventory = try loadSources([
            "prod/b.yml": "all:\n  hosts:\n    mta2:\n",
            "prod/a.ini": "[border]\nmta1\n",
            "prod/sub/c": "[late]\nmta3\n",
            "prod/group_vars/border.yml": "gv: 1\n",
            "prod/host_vars/mta3.yml": "hv: 3\n",
            "prod/README.md": "not an inventory: [",
            "prod/.git/config": "[core]\nbare = false\n",
        ], ["prod"])
        #expect(names(inventory.hosts) == ["mta1", "mta2", "mta3"])
        #expect(inventory.host(named: "mta1")?.vars == ["gv": 1])
        #expect(inventory.host(named: "mta3")?.vars == ["hv": 3])
    }

    @Test("Ansible's skipped names: hidden, vars directories, INVENTORY_IGNORE_EXTS, and patterns from ansible.cfg",
          arguments: [".hidden", "group_vars", "host_vars", "vars_plugins", "a.pyc", "a.pyo", "a.swp", "a.bak", "a~", "a.rpm",
                      "a.md", "a.txt", "a.rst", "a.orig", "a.cfg", "a.retry"])
    func skipped(_ name: String) {
        #expect(InventoryIgnore().skips(name))
    }

    @Test("What is read: other names; patterns are searched anywhere in the name")
    func notSkipped() {
        for name in ["hosts", "hosts.ini", "prod.yml", "a.json", "cmdb.py", "bak", "md"] { #expect(!InventoryIgnore().skips(name), "\(name)") }
        let configured = InventoryIgnore(extensions: [".ini"], patterns: ["^skip", "tmp$"])
        #expect(configured.skips("a.ini") && configured.skips("skip-me") && configured.skips("xtmp"))
        #expect(!configured.skips("a.txt") && !configured.skips("noskip"))
        #expect(InventoryIgnore(patterns: ["["]).invalidPattern()?.pattern == "[")
    }

    @Test("A directory with nothing to read, a dangling link and a FIFO are errors (Ansible would warn or wait)")
    func directoryErrors() throws {
        try withTemporaryDirectory { directory in
            let path = directory.path
            try FileManager.default.createDirectory(atPath: path + "/empty/sub", withIntermediateDirectories: true)
            #expect(throws: InventorySourceError.self) { try Inventory.load(sources: [path + "/empty"]) }
            try FileManager.default.createDirectory(atPath: path + "/dangling", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: path + "/dangling/hosts", withDestinationPath: path + "/nowhere")
            let dangling = try #require(throws: InventorySourceError.self) { try Inventory.load(sources: [path + "/dangling"]) }
            #expect(dangling.description == "\(path)/dangling/hosts: error: is a symbolic link to nothing")
            try FileManager.default.createDirectory(atPath: path + "/fifo", withIntermediateDirectories: true)
            #expect(mkfifo(path + "/fifo/hosts", 0o600) == 0)
            let fifo = try #require(throws: InventorySourceError.self) { try Inventory.load(sources: [path + "/fifo"]) }
            #expect(fifo.message.hasPrefix("is neither a file nor a directory"))
        }
    }

    @Test("A loop of symbolic links ends at 32 levels, as an error")
    func linkLoop() throws {
        try withTemporaryDirectory { directory in
            let path = directory.path + "/loop"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try "[border]\nmta1\n".write(toFile: path + "/hosts", atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: path + "/again", withDestinationPath: path)
            let error = try #require(throws: InventorySourceError.self) { try Inventory.load(sources: [path]) }
            #expect(error.message.contains("more than 32 deep"))
        }
    }

    @Test("A missing source is an error (Ansible would warn and go on without it)")
    func missing() throws {
        #expect(throws: FileError.self) { try loadSources(["a.ini": "[border]\nmta1\n"], ["a.ini", "b.ini"]) }
    }

    @Test("Host lists, as Ansible's parse_address reads each entry", arguments: [
        ("mta1", "mta1", nil), (" mta1.example.com ", "mta1.example.com", nil), ("mta1:2222", "mta1", 2222),
        ("192.0.2.1:22", "192.0.2.1", 22), ("[2001:db8::1]:2200", "2001:db8::1", 2200), ("2001:db8::1", "2001:db8::1", nil),
        ("mta[1:3]", "mta[1:3]", nil), ("bad host:22", "bad host:22", nil), ("[mta1]:22", "mta1", 22), ("a_b-c:1", "a_b-c", 1),
    ] as [(String, String, Int?)])
    func hostList(_ entry: String, _ host: String, _ port: Int?) {
        let parsed = HostList.address(entry.trimmingPythonSpace())
        #expect(parsed.host == host && parsed.port == port)
    }

    @Test("A host list: hosts in ungrouped with their ports; one an earlier source has stays where it is")
    func hostListSource() throws {
        let inventory = try loadSources(["a.ini": "[border]\nmta1\n"], ["a.ini", "mta1:2200,new1,new2:2222,,"])
        #expect(names(inventory.hosts) == ["mta1", "new1", "new2"])
        #expect(inventory.group(named: "ungrouped")?.hosts == ["new1", "new2"])
        #expect(inventory.host(named: "mta1")?.port == nil)
        #expect(inventory.host(named: "new2")?.port == 2222)
        #expect(throws: InventorySourceError.self) { try Inventory.load(sources: ["mta1:70000,"]) }
        #expect(throws: InventorySourceError.self) { try Inventory.load(sources: ["a/b,"]) }
    }
}
