import Foundation
import Testing
@testable import SSHConfig

/// ssh_config(5) read as OpenSSH's `ssh` reads it (checked against `ssh -G` of OpenSSH 9.2).
@Suite struct ClientConfigTests {
    static let home = "/home/ops"
    static let path = "/home/ops/.ssh/config"

    func config(_ lines: [String], includeBase: String = "/home/ops/.ssh") throws -> SSHClientConfig {
        try SSHClientConfig.parse(lines.joined(separator: "\n") + "\n", path: Self.path, home: Self.home,
                                  localUser: "ops", includeBase: includeBase)
    }

    /// The first line of the error's description (`PATH:LINE:COL: error: MESSAGE`), or nil when
    /// the text is accepted. For an error in `lines` themselves, checks that the description
    /// goes on with the offending line and a caret under the column.
    func failure(_ lines: [String], path: String = Self.path) -> String? {
        do throws(ClientConfigError) {
            _ = try SSHClientConfig.parse(lines.joined(separator: "\n"), path: path, home: Self.home,
                                          localUser: "ops", includeBase: "/home/ops/.ssh")
            return nil
        } catch {
            let description = error.description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if error.path == path, let line = error.line, let column = error.column {
                #expect(Array(description.dropFirst()) == [lines[line - 1], String(repeating: " ", count: column - 1) + "^"],
                        "\(error.description)")
            }
            return description[0]
        }
    }

    /// A fresh directory under the temporary directory, removed after `body`.
    func withDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pf-sshcfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try body(dir)
    }

    func write(_ lines: [String], to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    // MARK: Host blocks

    @Test func theFirstObtainedValueWinsAndHostStarComesLast() throws {
        let c = try config([
            "# defaults for everything come first when they must win",
            "ConnectTimeout 7",
            "",
            "Host mta1",
            "    HostName 198.51.100.10",
            "    Port 2201",
            "    User postmaster",
            "Host mta*",
            "    Port 2200",
            "    User deploy",
            "    IdentitiesOnly yes",
            "Host *",
            "    Port 22",
            "    User root",
            "    ConnectTimeout 30",
            "    StrictHostKeyChecking accept-new",
        ])
        #expect(c.settings(for: "mta1") == SSHHostSettings(
            hostName: "198.51.100.10", user: "postmaster", port: 2201, identitiesOnly: true,
            strictHostKeyChecking: .acceptNew, connectTimeout: .seconds(7)))
        #expect(c.settings(for: "mta2") == SSHHostSettings(
            user: "deploy", port: 2200, identitiesOnly: true, strictHostKeyChecking: .acceptNew, connectTimeout: .seconds(7)))
        #expect(c.settings(for: "db1") == SSHHostSettings(
            user: "root", port: 22, strictHostKeyChecking: .acceptNew, connectTimeout: .seconds(7)))
        #expect(c.warnings.isEmpty)
    }

    @Test func aNegatedPatternExcludesTheHostWhateverElseMatches() throws {
        let c = try config([
            "Host *.example.net !bastion.example.net",
            "    ProxyJump bastion.example.net",
            "Host !db*",
            "    User never",
            "Host mx? !mx9",
            "    Port 2525",
        ])
        #expect(c.settings(for: "mx1.example.net").proxyJump == [JumpHost(host: "bastion.example.net")])
        #expect(c.settings(for: "bastion.example.net").proxyJump == nil)
        // A negated pattern alone never matches anything.
        #expect(c.settings(for: "web1").user == nil)
        #expect(c.settings(for: "mx1").port == 2525)
        #expect(c.settings(for: "mx9").port == nil)
        #expect(c.settings(for: "mx10").port == nil)  // ? is one character
    }

    @Test func hostPatternsAreCaseSensitiveAsInSSH() throws {
        let c = try config(["Host mta1", "    Port 2201", "Host MTA2", "    Port 2202"])
        #expect(c.settings(for: "mta1").port == 2201)
        #expect(c.settings(for: "MTA1").port == nil)
        #expect(c.settings(for: "MTA2").port == 2202)
    }

    @Test func settingsBeforeAnyHostApplyToAll() throws {
        let c = try config(["User admin", "Host a", "    User other"])
        #expect(c.settings(for: "a").user == "admin")
        #expect(c.settings(for: "zzz").user == "admin")
        #expect(SSHClientConfig.empty.settings(for: "a") == SSHHostSettings())
    }

    // MARK: IdentityFile, UserKnownHostsFile, HostName

    @Test func identityFilesAccumulateOnceEachWithTokensExpanded() throws {
        let c = try config([
            "Host mta1",
            "    HostName mta1.example.net",
            "    User deploy",
            "    IdentityFile ~/.ssh/%h_%r",
            "    IdentityFile %d/keys/%u-%p-%n-100%%",
            "Host *",
            "    Port 2222",
            "    IdentityFile ~/.ssh/id_ed25519",
            "    IdentityFile ~/.ssh/%h_%r",
            "    UserKnownHostsFile ~/.ssh/known_hosts.d/%h /etc/ssh/kh_%p",
        ])
        let mta1 = c.settings(for: "mta1")
        #expect(mta1.identityFiles == [
            "/home/ops/.ssh/mta1.example.net_deploy",
            "/home/ops/keys/ops-2222-mta1-100%",
            "/home/ops/.ssh/id_ed25519",
        ])
        #expect(mta1.userKnownHostsFiles == ["/home/ops/.ssh/known_hosts.d/mta1.example.net", "/etc/ssh/kh_2222"])
        #expect(!mta1.usesDefaultIdentityFiles)
        // No HostName, no User: %h is the host as given, %r the local user.
        #expect(c.settings(for: "mx2").identityFiles == ["/home/ops/.ssh/id_ed25519", "/home/ops/.ssh/mx2_ops"])
    }

    @Test func identityFileNoneOffersNoDefaultsButKeepsTheOthers() throws {
        let c = try config([
            "Host agentonly", "    IdentityFile none",
            "Host both", "    IdentityFile ~/a", "    IdentityFile NONE",
            "Host *", "    IdentitiesOnly no",
        ])
        let agentOnly = c.settings(for: "agentonly")
        #expect(agentOnly.identityFiles == [])
        #expect(agentOnly.identityFileNone)
        #expect(!agentOnly.usesDefaultIdentityFiles)
        #expect(c.settings(for: "both").identityFiles == ["/home/ops/a"])
        #expect(c.settings(for: "other").usesDefaultIdentityFiles)
        #expect(c.settings(for: "other").identitiesOnly == false)
    }

    @Test func hostNameExpandsPercentHAndKnownHostsFilesNone() throws {
        let c = try config([
            "Host *.lab",
            "    HostName %h.internal.example",
            "    UserKnownHostsFile none",
            "    GlobalKnownHostsFile none",
            "Host 50%",
            "    GlobalKnownHostsFile /etc/ssh/fleet_%h /etc/ssh/ssh_known_hosts",
            "Host *",
            "    GlobalKnownHostsFile ~/shared_known_hosts",
            "    HostName literal%%sign",
        ])
        #expect(c.settings(for: "mx1.lab").hostName == "mx1.lab.internal.example")
        #expect(c.settings(for: "mx1.lab").userKnownHostsFiles == [])
        #expect(c.settings(for: "50%").hostName == "literal%sign")
        #expect(c.settings(for: "mx1").userKnownHostsFiles == nil)
        #expect(c.settings(for: "mx1.lab").globalKnownHostsFiles == [])
        #expect(c.settings(for: "50%").globalKnownHostsFiles == ["/etc/ssh/fleet_literal%sign", "/etc/ssh/ssh_known_hosts"])
        #expect(c.settings(for: "mx1").globalKnownHostsFiles == ["/home/ops/shared_known_hosts"])
    }

    @Test func unsupportedTokensAreKeptWithAWarning() throws {
        let c = try config(["IdentityFile ~/.ssh/%C"])
        #expect(c.settings(for: "a").identityFiles == ["/home/ops/.ssh/%C"])
        #expect(c.warnings == ["\(Self.path):1:21: warning: token %C in IdentityFile is not supported and is kept as written"])
    }

    // MARK: Syntax

    @Test func equalsSignsQuotesCommentsAndKeywordCase() throws {
        let c = try SSHClientConfig.parse(
            "  # indented comment\r\n\r\nHOST=quoted\r\n\tport=2022\r\n  hostname = \"mta 1.example\"  # a trailing comment\r\n"
                + "  IdentityFile \"/keys/My Keys/id\"\r\n  USER 'post master'\r\n  Identityfile /keys/esc\\ aped\r\n",
            path: Self.path, home: Self.home, localUser: "ops", includeBase: "/home/ops/.ssh")
        let s = c.settings(for: "quoted")
        #expect(s.port == 2022)
        #expect(s.hostName == "mta 1.example")
        #expect(s.user == "post master")
        #expect(s.identityFiles == ["/keys/My Keys/id", "/keys/esc aped"])
    }

    @Test func unknownKeywordsAreIgnoredNeverRejected() throws {
        let c = try config([
            "ForwardAgent yes",
            "ServerAliveInterval 30",
            "SendEnv LANG LC_*",
            "SetEnv FOO=\"unterminated",
            "ControlMaster",
            "Host a",
            "    Ciphers +aes128-cbc",
            "    Port 2200",
        ])
        #expect(c.settings(for: "a").port == 2200)
        #expect(c.warnings.isEmpty)
    }

    @Test func timeoutsAndHostKeyPolicies() throws {
        let c = try config([
            "Host a", "  ConnectTimeout 1m30s", "  StrictHostKeyChecking Yes",
            "Host b", "  ConnectTimeout 0", "  StrictHostKeyChecking ask",
            "Host c", "  StrictHostKeyChecking no",
            "Host d", "  StrictHostKeyChecking off",
            "Host *", "  ConnectTimeout 15",
        ])
        #expect(c.settings(for: "a").connectTimeout == .seconds(90))
        #expect(c.settings(for: "a").strictHostKeyChecking == .strict)
        // 0: no timeout of ssh's own; a later value does not replace it.
        #expect(c.settings(for: "b").connectTimeout == nil)
        #expect(c.settings(for: "b").strictHostKeyChecking == .strict)
        #expect(c.settings(for: "c").strictHostKeyChecking == .off)
        #expect(c.settings(for: "d").strictHostKeyChecking == .off)
        #expect(c.settings(for: "e").connectTimeout == .seconds(15))
        #expect(c.settings(for: "e").strictHostKeyChecking == nil)
    }

    // MARK: Include

    @Test func includeWithGlobsRelativePathsAndBlocks() throws {
        try withDirectory { dir in
            try write(["Port 1010", "Host other", "    User from-10"], to: dir.appendingPathComponent("conf.d/10-first.conf"))
            try write(["Port 2020", "User from-20"], to: dir.appendingPathComponent("conf.d/20-second.conf"))
            try write(["not included"], to: dir.appendingPathComponent("conf.d/README"))
            try write(["User from-inc", "IdentityFile ~/inc_key"], to: dir.appendingPathComponent("inc.conf"))
            try write(["HostName never.example"], to: dir.appendingPathComponent("skipped.conf"))
            let c = try SSHClientConfig.parse(
                """
                Host inc
                    Include inc.conf
                    HostName inc.example
                Host nomatch
                    Include \(dir.path)/skipped.conf
                Host *
                    Include conf.d/*.conf missing.d/*.conf absent.conf
                    Port 22

                """,
                path: Self.path, home: dir.path, localUser: "ops", includeBase: dir.path)
            let inc = c.settings(for: "inc")
            #expect(inc.user == "from-inc")
            #expect(inc.identityFiles == ["\(dir.path)/inc_key"])
            #expect(inc.hostName == "inc.example")
            #expect(inc.port == 1010)
            // 10-first.conf's "Host other" block ends with that file; 20-second.conf's lines apply.
            let web = c.settings(for: "web")
            #expect(web.port == 1010)
            #expect(web.user == "from-20")
            #expect(web.hostName == nil)
            #expect(c.settings(for: "other").user == "from-10")
            // An Include in a block applies only when the block does.
            #expect(c.settings(for: "nomatch").hostName == "never.example")
            #expect(c.settings(for: "inc").hostName == "inc.example")
        }
    }

    @Test func loadReadsAFileAndResolvesIncludesUnderHomeDotSSH() throws {
        try withDirectory { dir in
            let config = dir.appendingPathComponent(".ssh/config")
            try write(["Include extra.conf", "Host *", "    User root"], to: config)
            try write(["Host db*", "    User postgres"], to: dir.appendingPathComponent(".ssh/extra.conf"))
            let c = try SSHClientConfig.load(path: config.path, home: dir.path, localUser: "ops")
            #expect(c.settings(for: "db1").user == "postgres")
            #expect(c.settings(for: "mta1").user == "root")

            let missing = dir.appendingPathComponent("nope").path
            #expect(throws: ClientConfigError(path: missing, message: "cannot read: No such file or directory")) {
                try SSHClientConfig.load(path: missing, home: dir.path, localUser: "ops")
            }
            do throws(ClientConfigError) {
                _ = try SSHClientConfig.load(path: missing, home: dir.path, localUser: "ops")
                Issue.record("a missing file was read")
            } catch {
                #expect(error.description == "\(missing): error: cannot read: No such file or directory")
            }
        }
    }

    @Test func includesNestedTooDeeplyAreAnError() throws {
        try withDirectory { dir in
            let loop = dir.appendingPathComponent("loop.conf")
            try write(["# includes itself", "Include \(loop.path)"], to: loop)
            #expect(failure(["Host *", "  Include \(loop.path)"]) ==
                "\(loop.path):2:9: error: Include nesting is deeper than 16 levels")
        }
    }

    @Test func errorsInAnIncludedFileNameThatFile() throws {
        try withDirectory { dir in
            let bad = dir.appendingPathComponent("bad.conf")
            try write(["Host x", "    Port 70000"], to: bad)
            #expect(failure(["Include \(bad.path)"]) ==
                "\(bad.path):2:10: error: bad port '70000' (expected a number from 1 to 65535)")
        }
    }

    // MARK: Match

    @Test func matchHostUserLocalUserAndAll() throws {
        let c = try config([
            "Host short",
            "    HostName mta1.Example.NET",
            "Match host *.example.net,!*.lab.example.net",
            "    User deploy",
            "Match originalhost short user deploy",
            "    Port 2200",
            "Match !user deploy localuser ops",
            "    Port 2300",
            "Match !host *.example.net localuser root",
            "    IdentitiesOnly yes",
            "Match all",
            "    ConnectTimeout 5",
        ])
        let short = c.settings(for: "short")
        // Match host sees the HostName set above (case-insensitively).
        #expect(short.user == "deploy")
        // Match user sees the User obtained so far.
        #expect(short.port == 2200)
        #expect(short.connectTimeout == .seconds(5))
        #expect(c.settings(for: "x.lab.example.net").user == nil)
        // User unset: Match user compares the local user "ops".
        #expect(c.settings(for: "web").port == 2300)
        #expect(c.settings(for: "web").identitiesOnly == nil)
        #expect(c.settings(for: "web").connectTimeout == .seconds(5))
    }

    @Test func unsupportedMatchCriteriaSkipTheBlockWithAWarning() throws {
        let c = try config([
            "Match exec \"test -f /etc/mta\"",
            "    User from-exec",
            "Match host web* !canonical",
            "    Port 1",
            "Match sessiontype shell",
            "    Port 2",
            "Host *",
            "    User root",
            "    Port 22",
        ])
        #expect(c.settings(for: "web1").user == "root")
        #expect(c.settings(for: "web1").port == 22)
        #expect(c.warnings == [
            "\(Self.path):1:7: warning: Match exec is not supported; this block is skipped",
            "\(Self.path):3:17: warning: Match canonical is not supported; this block is skipped",
            "\(Self.path):5:7: warning: Match sessiontype is not supported; this block is skipped",
        ])
    }

    // MARK: ProxyJump

    @Test func proxyJumpListsURIsAndNone() throws {
        let c = try config([
            "Host a",
            "    ProxyJump jump1,admin@jump2:2222,[2001:db8::1]:2200,ssh://ops%40corp@jump3:2022,host/2023",
            "Host b",
            "    ProxyJump none",
            "Host b c",
            "    ProxyJump ssh://[2001:db8::2]",
        ])
        #expect(c.settings(for: "a").proxyJump == [
            JumpHost(host: "jump1"),
            JumpHost(user: "admin", host: "jump2", port: 2222),
            JumpHost(host: "2001:db8::1", port: 2200),
            JumpHost(user: "ops@corp", host: "jump3", port: 2022),
            JumpHost(host: "host", port: 2023),
        ])
        #expect(c.settings(for: "b").proxyJump == [])
        #expect(c.settings(for: "c").proxyJump == [JumpHost(host: "2001:db8::2")])
        #expect(c.settings(for: "d").proxyJump == nil)
        #expect(JumpHost(user: "u", host: "2001:db8::1", port: 22).description == "u@[2001:db8::1]:22")
    }

    /// As in `ssh`, the first of ProxyJump and ProxyCommand obtained wins; `ProxyCommand
    /// none` is none.
    @Test func proxyCommandAndProxyJumpExcludeEachOther() throws {
        let c = try config([
            "Host a",
            "    ProxyCommand ssh -W %h:%p bastion",
            "Host b",
            "    ProxyCommand none",
            "Host a b c",
            "    ProxyJump jump9",
            "Host c",
            "    ProxyCommand nc %h %p",
        ])
        #expect(c.settings(for: "a").proxyCommand == "ssh -W %h:%p bastion")
        #expect(c.settings(for: "a").proxyJump == nil)
        #expect(c.settings(for: "b").proxyCommand == nil && c.settings(for: "b").proxyJump == nil)
        #expect(c.settings(for: "c").proxyJump == [JumpHost(host: "jump9")])
        #expect(c.settings(for: "c").proxyCommand == nil)
        #expect(c.settings(for: "d").proxyCommand == nil)
    }

    // MARK: Errors

    @Test func everyErrorPointsAtTheOffendingWord() {
        let p = Self.path
        #expect(failure(["Host a", "    Port"]) == "\(p):2:5: error: missing argument for Port")
        #expect(failure(["Port # just a comment"]) == "\(p):1:1: error: missing argument for Port")
        #expect(failure(["Host a", "  Port  abc"]) == "\(p):2:9: error: bad port 'abc' (expected a number from 1 to 65535)")
        #expect(failure(["Port=0"]) == "\(p):1:6: error: bad port '0' (expected a number from 1 to 65535)")
        #expect(failure(["Port 65536"]) == "\(p):1:6: error: bad port '65536' (expected a number from 1 to 65535)")
        #expect(failure(["Port 22 23"]) == "\(p):1:9: error: unexpected argument '23' after Port 22")
        #expect(failure(["Host \"\""]) == "\(p):1:6: error: empty argument for Host")
        #expect(failure(["IdentitiesOnly maybe"]) == "\(p):1:16: error: bad IdentitiesOnly 'maybe' (expected yes or no)")
        #expect(failure(["StrictHostKeyChecking sometimes"]) ==
            "\(p):1:23: error: bad StrictHostKeyChecking 'sometimes' (expected yes, ask, accept-new, no or off)")
        #expect(failure(["ConnectTimeout -5"]) ==
            "\(p):1:16: error: bad ConnectTimeout '-5' (expected a number of seconds, or a time such as 1m30s)")
        #expect(failure(["ConnectTimeout 10x"]) ==
            "\(p):1:16: error: bad ConnectTimeout '10x' (expected a number of seconds, or a time such as 1m30s)")
        #expect(failure(["User \"deploy"]) == "\(p):1:6: error: unterminated quote")
        #expect(failure(["Host a", "  IdentityFile ~/.ssh/'key"]) == "\(p):2:16: error: unterminated quote")
        #expect(failure(["ProxyJump j1,u@j2:99999"]) ==
            "\(p):1:14: error: bad port '99999' in ProxyJump 'u@j2:99999' (expected a number from 1 to 65535)")
        #expect(failure(["ProxyJump ssh://j1:0"]) ==
            "\(p):1:11: error: bad port '0' in ProxyJump 'ssh://j1:0' (expected a number from 1 to 65535)")
        #expect(failure(["ProxyJump a:b"]) == "\(p):1:11: error: bad port 'b' in ProxyJump 'a:b' (expected a number from 1 to 65535)")
        #expect(failure(["ProxyJump j1,,j2"]) == "\(p):1:14: error: empty jump host in ProxyJump")
        #expect(failure(["ProxyJump @j1"]) == "\(p):1:11: error: empty user in ProxyJump '@j1'")
        #expect(failure(["ProxyJump ssh://j1/path"]) == "\(p):1:11: error: a path is not allowed in ProxyJump 'ssh://j1/path'")
        #expect(failure(["Match host"]) == "\(p):1:7: error: missing argument for Match host")
        #expect(failure(["Match"]) == "\(p):1:1: error: missing argument for Match")
        #expect(failure(["Match all host x"]) == "\(p):1:7: error: Match all cannot be combined with other criteria")
        #expect(failure(["UserKnownHostsFile ~/kh none"]) ==
            "\(p):1:25: error: 'none' must be the only argument of UserKnownHostsFile")
        #expect(failure(["IdentityFile ~/.ssh/%z"]) == "\(p):1:21: error: unknown token %z in IdentityFile")
        #expect(failure(["IdentityFile ~/.ssh/100%"]) == "\(p):1:24: error: '%' at the end of IdentityFile (write %% for a '%')")
        #expect(failure(["HostName %n.example"]) ==
            "\(p):1:10: error: unknown token %n in HostName (only %h and %% are allowed)")
        #expect(failure(["Include"]) == "\(p):1:1: error: missing argument for Include")
        // Wrong values are errors also in blocks that do not apply, as with ssh.
        #expect(failure(["Host never", "  Port x"]) == "\(p):2:8: error: bad port 'x' (expected a number from 1 to 65535)")
    }

    @Test func anErrorQuotesItsLineWithACaretUnderTheWord() throws {
        let p = Self.path
        #expect(failure(["Host mta1", "    Port 70000"]) != nil)
        do throws(ClientConfigError) {
            _ = try SSHClientConfig.parse("Host mta1\n    Port 70000\r\n", path: p, home: Self.home, localUser: "ops",
                                          includeBase: "/home/ops/.ssh")
            Issue.record("a bad port was accepted")
        } catch {
            // A CR of a CR LF line break is not quoted.
            #expect(error.description == """
                \(p):2:10: error: bad port '70000' (expected a number from 1 to 65535)
                    Port 70000
                         ^
                """)
            #expect(error.location == "\(p):2:10")
            #expect(error.sourceLine == "    Port 70000")
        }
        // Tabs stay tabs, so the caret lands under the word whatever the tab width.
        do throws(ClientConfigError) {
            _ = try SSHClientConfig.parse("Host *\n\tStrictHostKeyChecking\tmaybe\n", path: p, home: Self.home,
                                          localUser: "ops", includeBase: "/home/ops/.ssh")
            Issue.record("a bad StrictHostKeyChecking was accepted")
        } catch {
            #expect(error.description.split(separator: "\n").dropFirst() == ["\tStrictHostKeyChecking\tmaybe", "\t                     \t^"])
        }
        // An error in an included file quotes that file's line.
        try withDirectory { dir in
            let bad = dir.appendingPathComponent("bad.conf")
            try write(["Host x", "  ProxyJump j1,,j2"], to: bad)
            do throws(ClientConfigError) {
                _ = try SSHClientConfig.parse("Include \(bad.path)\n", path: p, home: Self.home, localUser: "ops",
                                              includeBase: "/home/ops/.ssh")
                Issue.record("an empty jump host was accepted")
            } catch {
                #expect(error.description == "\(bad.path):2:16: error: empty jump host in ProxyJump\n  ProxyJump j1,,j2\n               ^")
            }
        }
        // An error about the whole file has no line to quote.
        #expect(ClientConfigError(path: "f", message: "cannot read: No such file or directory").description
            == "f: error: cannot read: No such file or directory")
    }
}
