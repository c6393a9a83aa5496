import Foundation
import Testing

/// `postfleet render` end to end: the built executable, its exit code, what it prints, and
/// the files it leaves (or does not leave) on disk.
@Suite(.serialized) struct RenderCommandTests {
    @Test func rendersMta3UnderTheOutputDirectory() throws {
        #expect(FileManager.default.isExecutableFile(atPath: postfleetExecutable), "build postfleet first: \(postfleetExecutable)")
        try withTemporaryDirectory { out in
            let result = try run(postfleetExecutable, [
                "render", "playbooks/border-cluster.yml", "-i", "inventories/example.yml", "--host", "mta3", "--out", out,
            ], in: repositoryRoot)
            #expect(result.status == 0)
            #expect(result.err == "")
            #expect(result.out == "mta3: 6 files in \(out)/mta3: etc/postfix/main.cf etc/postfix/generic etc/postfix/virtual etc/postfix-out/main.cf etc/postfix-out/master.cf.postconf etc/postfix-in/main.cf\n")
            let generic = try readFile(out + "/mta3/etc/postfix/generic")
            #expect(generic.contains("\nroot\tmtaadmin+root=mta3\n"))
            let main = try readFile(out + "/mta3/etc/postfix-out/main.cf")
            #expect(main.contains("\nmyhostname = mta3.example.com\n"))
            let attributes = try FileManager.default.attributesOfItem(atPath: out + "/mta3/etc/postfix-in/main.cf")
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o644)
        }
    }

    @Test func rendersEveryHostWithAll() throws {
        try withTemporaryDirectory { out in
            let result = try run(postfleetExecutable, [
                "render", "playbooks/border-cluster.yml", "-i", "inventories/example.yml", "--all", "--out", out,
            ], in: repositoryRoot)
            #expect(result.status == 0)
            let lines = result.out.split(separator: "\n")
            #expect(lines.count == 9)
            #expect(lines.last == "mailhub: no files (no play of playbooks/border-cluster.yml targets it)")
            for k in 1...8 {
                #expect(try readFile(out + "/mta\(k)/etc/postfix/generic").contains("\nroot\tmtaadmin+root=mta\(k)\n"))
            }
            #expect(!FileManager.default.fileExists(atPath: out + "/mailhub"))
        }
    }

    @Test func aBadPlaybookExitsOneWithTheErrorAndWritesNothing() throws {
        try withTemporaryDirectory { directory in
            try write(["bad.yml": "- hosts: border\n  instance:\n    - name: default\n"], into: directory)
            let out = directory + "/out"
            let result = try run(postfleetExecutable, [
                "render", directory + "/bad.yml", "-i", repositoryRoot + "/inventories/example.yml", "--host", "mta3", "--out", out,
            ])
            #expect(result.status == 1)
            #expect(result.out == "")
            #expect(result.err == """
                \(directory)/bad.yml:2:3: error: unknown key 'instance' in play 1; did you mean 'instances'?
                  instance:
                  ^

                """)
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    @Test func anUndefinedVariableForOneHostWritesNothingForAnyHost() throws {
        try withTemporaryDirectory { directory in
            try write([
                "site.yml": """
                    - hosts: all
                      instances:
                        - name: default
                          tables: [{name: generic, type: cdb, template: generic}]
                    """,
                "generic": "root\t{{admin}}+root={{inventory_hostname}}\n",
                "inventory.yml": """
                    all:
                      hosts:
                        mta1: {admin: mtaadmin}
                        mta2:
                    """,
            ], into: directory)
            let out = directory + "/out"
            let result = try run(postfleetExecutable, [
                "render", "site.yml", "-i", "inventory.yml", "--all", "--out", out,
            ], in: directory)
            #expect(result.status == 1)
            #expect(result.out == "")
            #expect(result.err.hasPrefix("generic:1:6: error: undefined variable 'admin' for host mta2; define it in the inventory or in the play's 'vars:'\n"))
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    @Test func badArgumentsExitOne() throws {
        let unknownHost = try run(postfleetExecutable, [
            "render", "playbooks/border-cluster.yml", "-i", "inventories/example.yml", "--host", "mta33", "--out", "/nonexistent/x",
        ], in: repositoryRoot)
        #expect(unknownHost.status == 1)
        #expect(unknownHost.err == "postfleet: --host mta33: no hosts match \"mta33\"; did you mean \"mta3\"?\n")
        let noHost = try run(postfleetExecutable, [
            "render", "playbooks/border-cluster.yml", "-i", "inventories/example.yml", "--out", "/nonexistent/x",
        ], in: repositoryRoot)
        #expect(noHost.status == 1)
        #expect(noHost.err.contains("say which hosts: --host HOST, or --all"))
        let missing = try run(postfleetExecutable, [
            "render", "playbooks/nonesuch.yml", "-i", "inventories/example.yml", "--all", "--out", "/nonexistent/x",
        ], in: repositoryRoot)
        #expect(missing.status == 1)
        #expect(missing.err == "playbooks/nonesuch.yml: error: no such file\n")
    }
}
