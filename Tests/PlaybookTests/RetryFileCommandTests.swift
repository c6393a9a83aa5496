import Foundation
import Testing

/// The retry file and `--limit @FILE`, through the real binary, with hosts on loopback ports
/// that nothing listens on (unreachable, never off the machine).
@Suite struct RetryFileCommandTests {
    @Test func anUnreachableHostIsWrittenToTheRetryFileAndLimitReadsItBack() throws {
        let closed = try closedLoopbackPort()
        try withTemporaryDirectory { directory in
            try write([
                "inventory.yml": """
                    all:
                      hosts:
                        quiet2: {ansible_host: 127.0.0.1, ansible_port: \(closed)}
                        quiet1: {ansible_host: 127.0.0.1, ansible_port: \(closed)}
                        other: {ansible_host: 127.0.0.1, ansible_port: \(closed)}
                    """,
                "plays/site.yml": "- hosts: all\n  instances:\n    - name: default\n",
            ], into: directory)
            let flags = ["-i", "inventory.yml", "--connect-timeout", "1", "--connect-attempts", "1"]
            let first = try run(postfleetUnderTest, ["run", "plays/site.yml", "-l", "quiet*", "--check"] + flags, in: directory)
            #expect(first.status == 4, "\(first.out)\(first.err)")
            let retry = directory + "/plays/site.retry"
            #expect(try String(contentsOfFile: retry, encoding: .utf8) == "quiet1\nquiet2\n")
            #expect(first.err.contains("postfleet: to retry the 2 failed or unreachable hosts, use: --limit @\(retry)\n"), "\(first.err)")

            let again = try run(postfleetUnderTest, ["run", "plays/site.yml", "-l", "@plays/site.retry", "--check"] + flags, in: directory)
            #expect(again.status == 4)
            #expect(again.out.contains("quiet[1-2] (2): unreachable") && !again.out.contains("other"), "\(again.out)")
            // Combined with other terms, as Ansible's subset: a union and an exclusion.
            let union = try run(postfleetUnderTest, ["inventory", "-i", "inventory.yml", "--list", "-l", "@plays/site.retry,other,!quiet2"], in: directory)
            #expect(union.status == 0 && union.out.contains("quiet1") && union.out.contains("other") && !union.out.contains("quiet2"), "\(union.out)\(union.err)")
        }
    }

    @Test func ansibleCfgTurnsRetryFilesOffOrPutsThemElsewhere() throws {
        let closed = try closedLoopbackPort()
        try withTemporaryDirectory { directory in
            try write([
                "inventory.yml": "all:\n  hosts:\n    quiet1: {ansible_host: 127.0.0.1, ansible_port: \(closed)}\n",
                "site.yml": "- hosts: all\n  instances:\n    - name: default\n",
                "off.cfg": "[defaults]\nretry_files_enabled = False\n",
                "elsewhere.cfg": "[defaults]\nretry_files_save_path = \(directory)/retries\n",
            ], into: directory)
            let flags = ["run", "site.yml", "--check", "-i", "inventory.yml", "--connect-timeout", "1", "--connect-attempts", "1"]
            let off = try run(postfleetUnderTest, flags, in: directory, environment: ["ANSIBLE_CONFIG": directory + "/off.cfg"])
            #expect(off.status == 4 && !off.err.contains("to retry"), "\(off.err)")
            #expect(!FileManager.default.fileExists(atPath: directory + "/site.retry"))
            let elsewhere = try run(postfleetUnderTest, flags, in: directory, environment: ["ANSIBLE_CONFIG": directory + "/elsewhere.cfg"])
            #expect(elsewhere.status == 4)
            #expect(try String(contentsOfFile: directory + "/retries/site.retry", encoding: .utf8) == "quiet1\n")
            #expect(!FileManager.default.fileExists(atPath: directory + "/site.retry"))
        }
    }

    @Test func aMissingOrEmptyLimitFileStopsBeforeAnyHostIsContacted() throws {
        let listener = try LoopbackListener()
        try withTemporaryDirectory { directory in
            try write(["inventory.yml": "all:\n  hosts:\n    quiet1: {ansible_host: 127.0.0.1, ansible_port: \(listener.port)}\n",
                       "site.yml": "- hosts: all\n  instances:\n    - name: default\n", "empty.retry": "\n\n"], into: directory)
            for (file, reason) in [("nope.retry", "does not exist"), ("empty.retry", "names no host")] {
                let result = try run(postfleetUnderTest, ["run", "site.yml", "-i", "inventory.yml", "-l", "@\(file)"], in: directory)
                #expect(result.status == 1, "\(result.out)\(result.err)")
                #expect(result.err.contains("the limit file \(file) \(reason)"), "\(result.err)")
            }
        }
        #expect(listener.connections() == 0)
    }
}
