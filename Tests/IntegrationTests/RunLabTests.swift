import Engine
import Foundation
import Postfix
import SSH
import Testing

/// `postfleet run` and `postfleet postmulti` on lab hosts mta11..mta13 (and mta14..mta23
/// for the ten-host rolling restart; scripts/test brings up 23, the other suites use
/// mta1..mta10 and the hub), as a mail administrator would check them: `postmulti -l`,
/// `postconf`, `postmap -q`, mail in the hub's mailbox, master process ids, listeners,
/// the bytes of the live files, exit codes and JSON.
///
/// The suite is serialized: its tests share hosts. The first test goes in order, because
/// each stage starts from the state the one before left: bare hosts (`scripts/lab
/// reset`), `--check`, the rollout, mail, a second run, a table change, a listener
/// change, a main.cf Postfix rejects, a start that fails. Every test resets its hosts at
/// its end.
@Suite(.cleansUp, .labOf(LabHosts.run), .serialized, .timeLimit(.minutes(10)))
struct RunLabTests {
    let lab = Lab.current!
    /// Hosts no other suite uses: resetting them kills their sshd for a moment.
    let hosts = ["mta11", "mta12", "mta13"]
    var limit: String { hosts.joined(separator: ":") }

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    var binary: String {
        ProcessInfo.processInfo.environment["POSTFLEET_BIN"] ?? Self.repository.appendingPathComponent(".build/debug/postfleet").path
    }

    /// `postfleet run PLAYBOOK` against the lab (or `inventory`), with `extra` options.
    func run(_ playbook: String, inventory: String? = nil, _ extra: [String] = []) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runProcess(binary, ["run", playbook, "-i", inventory ?? lab.inventoryPath, "--known-hosts", lab.knownHosts, "-l", limit] + extra,
                       seconds: 180)
    }

    /// A command's stdout on a lab host, over SSH; fails the test on a non-zero exit.
    @discardableResult
    func sh(_ host: String, _ command: String) async throws -> String { try await lab.sh(host, command) }

    /// `scripts/lab reset`: the hosts as `scripts/lab up` left them.
    func reset(_ which: [String]? = nil) async throws {
        try await lab.script(["reset"] + (which ?? hosts), seconds: 120)
    }

    /// Master process id per configuration directory that has one running.
    func masterPIDs(_ host: String) async throws -> [String: String] {
        let out = try await sh(host, """
            for d in /etc/postfix /etc/postfix-out /etc/postfix-in; do
              [ -d "$d" ] || continue
              if postfix -c "$d" status 2>/dev/null; then q=$(postconf -c "$d" -h queue_directory); echo "$d $(tr -d ' ' < "$q/pid/master.pid")"; fi
            done
            """)
        var pids: [String: String] = [:]
        for line in out.split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.count == 2 { pids[String(words[0])] = String(words[1]) }
        }
        return pids
    }

    /// Every file in the configuration directories, with its checksum, size and mtime: what
    /// "writes nothing" means.
    /// Every entry of the three configuration directories (files, backups, any stage
    /// directory left behind) with its type, inode, size and mtime, and each file's SHA-256:
    /// equal snapshots mean nothing was written, replaced, added or left behind.
    func snapshot(_ host: String) async throws -> String {
        try await sh(host, """
            for d in /etc/postfix /etc/postfix-out /etc/postfix-in; do
              [ -d "$d" ] || continue
              find "$d" -mindepth 1 -maxdepth 1 -printf '%p %y inode=%i size=%s mtime=%T@\\n'
              find "$d" -maxdepth 1 -type f -exec sha256sum {} + | awk '{ print $2, "sha256=" $1 }'
            done | sort
            """)
    }

    /// Any quick-start marker in a queue directory of `host`: the apply script leaves one
    /// just before starting an instance it has just checked, so that postfix-script skips
    /// its own check; `postfix start` consumes it and the script removes it whatever the
    /// start does. One left behind (in the wrong instance's queue, or after a start that
    /// never reached postfix-script) would make a later start skip its check.
    func quickStartMarkers(_ host: String) async throws -> String {
        try await sh(host, "find /var/spool/postfix /var/spool/postfix-* -maxdepth 1 -name quick-start")
    }

    /// `postmulti -l` rows with the padding squeezed out.
    func instances(_ host: String) async throws -> [String] {
        try await sh(host, "postmulti -l").split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
    }

    func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    func actions(_ doc: [String: Any], _ host: String, _ instance: String) -> [String] {
        let hosts = doc["hosts"] as? [String: [String: Any]]
        let instances = hosts?[host]?["instances"] as? [String: [String: Any]]
        return instances?[instance]?["actions"] as? [String] ?? []
    }

    func status(_ doc: [String: Any], _ host: String) -> String? {
        (doc["hosts"] as? [String: [String: Any]])?[host]?["status"] as? String
    }

    /// A copy of the repository's playbooks/ that a test may change.
    func playbookCopy(in scratch: URL) throws -> URL {
        let copy = scratch.appendingPathComponent("playbooks")
        try FileManager.default.copyItem(at: Self.repository.appendingPathComponent("playbooks"), to: copy)
        return copy
    }

    func edit(_ file: URL, _ change: (String) -> String) throws {
        let text = try String(contentsOf: file, encoding: .utf8)
        let changed = change(text)
        #expect(changed != text, "the edit of \(file.path) changed nothing")
        try changed.write(to: file, atomically: true, encoding: .utf8)
    }

    /// Waits (at most 30 s) until the hub's mailbox holds a message with `subject`; returns the message.
    func delivered(_ subject: String) async throws -> String? {
        let mailbox = ProcessInfo.processInfo.environment["POSTFLEET_LAB_MAILBOX"]
            ?? lab.directory + "/hosts/mailhub/upper/mail/vhosts/example.com/catchall"
        for _ in 0..<60 {
            if let text = try? String(contentsOfFile: mailbox, encoding: .utf8),
               let range = text.range(of: "Subject: \(subject)\n") {
                let start = text[..<range.lowerBound].range(of: "\nFrom ", options: .backwards)?.upperBound ?? text.startIndex
                let end = text[range.upperBound...].range(of: "\nFrom ")?.lowerBound ?? text.endIndex
                return String(text[start..<end])
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        return nil
    }

    /// The facts probe's answer for `host` against Postfix's own, asked one by one: the
    /// `postmulti -l` rows, `postfix -c DIR status`, the pid file, `postconf -c DIR -n`
    /// (continuation lines joined, white space squeezed) and `postconf -c DIR -M`.
    func expectFactsAgreeWithPostfix(_ host: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let facts = try await Session.with(try lab.endpoint(host), options: lab.options()) { try await gatherFacts($0, queues: .all) }
        let rows = try await instances(host)
        #expect(facts.instances.map { "\($0.name ?? "-") \($0.group ?? "-") \($0.enabled ? "y" : "n") \($0.configDirectory)" } == rows,
                sourceLocation: sourceLocation)
        let pids = try await masterPIDs(host)
        func squeezed(_ s: some StringProtocol) -> String { s.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }
        for instance in facts.instances {
            let dir = instance.configDirectory
            #expect(instance.running == (pids[dir] != nil), "\(host) \(dir)", sourceLocation: sourceLocation)
            #expect(instance.masterPID.map(String.init) == pids[dir], "\(host) \(dir)", sourceLocation: sourceLocation)
            var parameters: [String: String] = [:]
            for line in try await sh(host, "postconf -c \(dir) -n").split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1)
                let name = squeezed(parts[0])
                if name != "config_directory" { parameters[name] = parts.count > 1 ? squeezed(parts[1]) : "" }
            }
            #expect(instance.parameters.mapValues(squeezed) == parameters, "\(host) \(dir)", sourceLocation: sourceLocation)
            let services = try await sh(host, "postconf -c \(dir) -M").split(separator: "\n").map(squeezed)
            #expect(instance.services.map(squeezed) == services, "\(host) \(dir)", sourceLocation: sourceLocation)
            #expect(instance.queuedMessages == Int(try await sh(host, "postqueue -c \(dir) -j | wc -l").trimmingCharacters(in: .whitespacesAndNewlines)),
                    sourceLocation: sourceLocation)
        }
    }

    @Test func borderClusterFromBareHostsToRollbacks() async throws {
        try await lab.resetForTest(hosts, seconds: 120)
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let playbook = Self.repository.appendingPathComponent("playbooks/border-cluster.yml").path

        // --check on bare hosts: the plan is listed, nothing changes.
        let bare = try await snapshot("mta11")
        let bareInstances = try await instances("mta11")
        let check = try await run(playbook, ["--check", "--diff"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("mta[11-13] (3): would change"), "\(check.stdout)")
        #expect(check.stdout.contains("postfix-out  created in group mta, enabled"))
        #expect(check.stdout.contains("+ 127.0.0.1:10026/inet = 127.0.0.1:10026 inet n - n - - smtpd"))
        #expect(check.stdout.contains("+ relayhost = [mailhub.example.com]") || check.stdout.contains("~ relayhost =  -> [mailhub.example.com]"))
        #expect(try await snapshot("mta11") == bare)
        #expect(try await instances("mta11") == bareInstances)

        // The rollout.
        let first = scratch.appendingPathComponent("first.json").path
        let rollout = try await run(playbook, ["--json", first])
        #expect(rollout.status == 0, "\(rollout.stdout)\(rollout.stderr)")
        #expect(rollout.stdout.contains("3 hosts: 0 ok, 3 changed, 0 failed, 0 unreachable"), "\(rollout.stdout)")
        let firstDoc = try json(first)
        for host in hosts {
            #expect(try await quickStartMarkers(host) == "", "\(host): a quick-start marker was left")
            #expect(status(firstDoc, host) == "changed")
            // No systemd on these hosts: driven with postfix(1) and postmulti, as the report says.
            #expect((firstDoc["hosts"] as? [String: [String: Any]])?[host]?["init"] as? String == "postfix")
            #expect(actions(firstDoc, host, "postfix-in").contains("started"))
            let rows = try await instances(host)
            #expect(rows.contains("postfix-out mta y /etc/postfix-out"), "\(host): \(rows)")
            #expect(rows.contains("postfix-in mta y /etc/postfix-in"), "\(host): \(rows)")
            #expect(try await sh(host, "postconf -h myhostname") == "\(host).example.com\n")
            #expect(try await sh(host, "postmap -q root cdb:/etc/postfix/generic") == "mtaadmin+root=\(host)\n")
            #expect(try await sh(host, "test -f /etc/postfix/generic.cdb && echo yes") == "yes\n")
            #expect(try await masterPIDs(host).keys.sorted() == ["/etc/postfix", "/etc/postfix-in", "/etc/postfix-out"])
        }

        // Mail flows as MULTI_INSTANCE_README.txt says.
        let tag = UUID().uuidString.prefix(8)
        try await sh("mta12", "printf 'To: someone@example.com\\nSubject: pf-sendmail-\(tag)\\n\\nhello\\n' | sendmail -f root -t")
        try await sh("mta11", """
            { printf 'EHLO controller\\r\\n'; sleep 0.3; printf 'MAIL FROM:<sender@example.net>\\r\\n'; sleep 0.2
              printf 'RCPT TO:<someone@example.com>\\r\\n'; sleep 0.2; printf 'DATA\\r\\n'; sleep 0.2
              printf 'Subject: pf-smtp-\(tag)\\r\\n\\r\\nhi\\r\\n.\\r\\n'; sleep 0.3; printf 'QUIT\\r\\n'; } | socat -t 5 - TCP:127.0.0.1:25
            """)
        let viaSendmail = try await delivered("pf-sendmail-\(tag)")
        #expect(viaSendmail?.contains("From: root <mtaadmin+root=mta12@example.com>") == true, "\(viaSendmail ?? "not delivered")")
        let viaSMTP = try await delivered("pf-smtp-\(tag)")
        #expect(viaSMTP != nil, "the message sent to mta11's input instance did not reach the hub")
        // It went input -> filter stand-in (port 10025) -> output (10026) -> hub.
        // grep -c exits 1 on no match and `sh` fails on that; the count must be at least one.
        let viaFilter = try await sh("mta11", "grep -c 'relay=127.0.0.1\\[127.0.0.1\\]:10025.*status=sent' /var/log/postfix-in.log")
        #expect((Int(viaFilter.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= 1, "postfix-in.log: \(viaFilter)")

        // A second run changes nothing, writes nothing and restarts nothing.
        var pids: [String: [String: String]] = [:]
        var files: [String: String] = [:]
        for host in hosts {
            pids[host] = try await masterPIDs(host)
            files[host] = try await snapshot(host)
        }
        let second = scratch.appendingPathComponent("second.json").path
        let again = try await run(playbook, ["--json", second])
        #expect(again.status == 0)
        #expect(again.stdout.contains("3 hosts: 3 ok, 0 changed, 0 failed, 0 unreachable"), "\(again.stdout)")
        let summary = try json(second)["summary"] as? [String: Any]
        #expect(summary?["changed"] as? Int == 0)
        for host in hosts {
            #expect(try await masterPIDs(host) == pids[host])
            #expect(try await snapshot(host) == files[host])
        }
        // What the run read on these hosts is what Postfix says when asked one by one.
        try await expectFactsAgreeWithPostfix("mta12")

        // One table entry changes: that table is postmapped, nothing is reloaded.
        let copy = try playbookCopy(in: scratch)
        let variant = copy.appendingPathComponent("border-cluster.yml").path
        try edit(copy.appendingPathComponent("templates/null-client/virtual")) { $0 + "abuse\t\troot\n" }
        let table = scratch.appendingPathComponent("table.json").path
        let tableRun = try await run(variant, ["--json", table, "--diff"])
        #expect(tableRun.status == 0, "\(tableRun.stdout)")
        #expect(tableRun.stdout.contains("default virtual:\n    + abuse = root"), "\(tableRun.stdout)")
        let tableDoc = try json(table)
        for host in hosts {
            #expect(actions(tableDoc, host, "default").contains("postmapped virtual"), "\(actions(tableDoc, host, "default"))")
            #expect(!actions(tableDoc, host, "default").contains { $0 == "reloaded" || $0 == "restarted" })
            #expect(try await sh(host, "postmap -q abuse cdb:/etc/postfix/virtual") == "root\n")
            #expect(try await masterPIDs(host) == pids[host])
        }

        // A listener changes in postfix-out's master.cf: that instance alone restarts.
        try edit(copy.appendingPathComponent("border-cluster.yml")) {
            $0.replacingOccurrences(of: "          127.0.0.1:10026/inet: 127.0.0.1:10026 inet n - n - - smtpd\n",
                                    with: "          127.0.0.1:10026/inet: 127.0.0.1:10026 inet n - n - - smtpd\n          127.0.0.1:10027/inet: 127.0.0.1:10027 inet n - n - - smtpd\n")
        }
        let listener = scratch.appendingPathComponent("listener.json").path
        let listenerRun = try await run(variant, ["--json", listener])
        #expect(listenerRun.status == 0, "\(listenerRun.stdout)")
        let listenerDoc = try json(listener)
        for host in hosts {
            #expect(actions(listenerDoc, host, "postfix-out").contains("restarted"), "\(actions(listenerDoc, host, "postfix-out"))")
            #expect(actions(listenerDoc, host, "postfix-in").isEmpty)
            #expect(actions(listenerDoc, host, "default").isEmpty)
            let now = try await masterPIDs(host)
            #expect(now["/etc/postfix-out"] != pids[host]?["/etc/postfix-out"])
            #expect(now["/etc/postfix-in"] == pids[host]?["/etc/postfix-in"])
            #expect(now["/etc/postfix"] == pids[host]?["/etc/postfix"])
            #expect(try await sh(host, "ss -ltn 'sport = :10027' | grep -c LISTEN") == "1\n")
        }

        // A main.cf that Postfix rejects (an unknown table type, on mta13 only): mta13 fails
        // with Postfix's message and keeps its live files and running instance; mta11 and
        // mta12 complete.
        try edit(copy.appendingPathComponent("templates/null-client/main.cf")) {
            $0.replacingOccurrences(of: "smtp_generic_maps = ${indexed}generic", with: "smtp_generic_maps = {{generic_type}}:${config_directory}/generic")
        }
        let inventory = scratch.appendingPathComponent("inventory")
        try FileManager.default.createDirectory(at: inventory.appendingPathComponent("group_vars"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: inventory.appendingPathComponent("host_vars"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: lab.inventoryPath, toPath: inventory.appendingPathComponent("hosts.yml").path)
        try "generic_type: cdb\n".write(to: inventory.appendingPathComponent("group_vars/border.yml"), atomically: true, encoding: .utf8)
        try "generic_type: bogus\n".write(to: inventory.appendingPathComponent("host_vars/mta13.yml"), atomically: true, encoding: .utf8)
        let mta13Files = try await snapshot("mta13")
        let mta13PIDs = try await masterPIDs("mta13")
        let rejected = scratch.appendingPathComponent("rejected.json").path
        let rejectedRun = try await run(variant, inventory: inventory.appendingPathComponent("hosts.yml").path, ["--json", rejected])
        #expect(rejectedRun.status == 2, "\(rejectedRun.stdout)")
        #expect(rejectedRun.stdout.contains("unsupported dictionary type: bogus"), "\(rejectedRun.stdout)")
        #expect(rejectedRun.stdout.contains("Postfix rejects the new configuration; the live files are unchanged"))
        let rejectedDoc = try json(rejected)
        #expect(status(rejectedDoc, "mta13") == "failed")
        #expect(status(rejectedDoc, "mta11") == "changed")
        #expect(status(rejectedDoc, "mta12") == "changed")
        #expect(try await snapshot("mta13") == mta13Files)
        #expect(try await masterPIDs("mta13") == mta13PIDs)
        #expect(try await sh("mta11", "postconf -h smtp_generic_maps") == "cdb:${config_directory}/generic\n")

        // A start that fails after the swap (a listener on an address the host does not
        // have): the previous master.cf comes back and postfix-out runs again.
        try edit(copy.appendingPathComponent("border-cluster.yml")) {
            $0.replacingOccurrences(of: "127.0.0.1:10027/inet: 127.0.0.1:10027 inet", with: "198.18.0.199:2525/inet: 198.18.0.199:2525 inet")
        }
        let before = try await snapshot("mta11")
        let broken = try await runProcess(binary, ["run", variant, "-i", inventory.appendingPathComponent("hosts.yml").path,
                                             "--known-hosts", lab.knownHosts, "-l", "mta11"], seconds: 120)
        #expect(broken.status == 2, "\(broken.stdout)")
        #expect(broken.stdout.contains("the restart failed; the previous files were put back"), "\(broken.stdout)")
        #expect(broken.stdout.contains("put back the previous files"))
        let after = try await snapshot("mta11")
        let masterLine = { (s: String) in s.split(separator: "\n").first { $0.hasPrefix("/etc/postfix-out/master.cf ") }.map { $0.split(separator: " ")[3] } }
        #expect(masterLine(after) == masterLine(before), "postfix-out's master.cf is not the one from before")
        #expect(try await masterPIDs("mta11")["/etc/postfix-out"] != nil, "postfix-out is not running again")
        #expect(try await quickStartMarkers("mta11") == "", "a quick-start marker was left by the failed start")

        // A stopped instance whose pid file names a live process that is not its master
        // (a stale pid file after a crash, the pid reused): the facts say stopped, as
        // `postfix status` does, and the next run starts it.
        try await sh("mta12", """
            postfix -c /etc/postfix-in stop >/dev/null 2>&1
            sleep 60 </dev/null >/dev/null 2>&1 &
            printf '%10d\\n' $! > /var/spool/postfix-in/pid/master.pid; echo $! > /tmp/pf-sleeper
            """)
        try await expectFactsAgreeWithPostfix("mta12")
        let restart = try await runProcess(binary, ["run", playbook, "-i", lab.inventoryPath, "--known-hosts", lab.knownHosts, "-l", "mta12"], seconds: 120)
        #expect(restart.status == 0, "\(restart.stdout)")
        #expect(restart.stdout.contains("started"), "\(restart.stdout)")
        #expect(try await masterPIDs("mta12")["/etc/postfix-in"] != nil, "postfix-in was not started")
        try await sh("mta12", "kill $(cat /tmp/pf-sleeper)")
    }

    /// `scripts/lab exec HOST -- sh -c SCRIPT`, as root inside the host's network namespace;
    /// its exit status and output.
    func namespaceRun(_ host: String, _ script: String) async throws -> (status: Int32, output: String) {
        let lab = Self.repository.appendingPathComponent("scripts/lab").path
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("pf-ns-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let status = try await runUnblocked([lab, "exec", "--dir", self.lab.directory, host, "--", "sh", "-c", script], log: log, seconds: 30)
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// ``namespaceRun(_:_:)``, which must succeed: ``Lab/onHost(_:_:)``.
    func inNamespace(_ host: String, _ script: String) async throws {
        try await lab.onHost(host, script)
    }

    /// A host whose sshd port refuses the first two connections (an nftables rule in its
    /// namespace answers SYNs 1 and 2 with a reset) is reached on the third, and the report
    /// says so; with two attempts allowed it is unreachable after two. A host key that does
    /// not match is never tried twice.
    @Test func refusedConnectionsAreRetriedAndHostKeyMismatchesAreNot() async throws {
        let playbook = Self.repository.appendingPathComponent("playbooks/border-cluster.yml").path
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let refuseTwice = """
            nft add table inet pfretry && nft add chain inet pfretry input '{ type filter hook input priority 0; }' && \
            nft add rule inet pfretry input tcp dport 22 tcp flags '&' '(syn|ack)' == syn numgen inc mod 3 != 2 reject with tcp reset
            """
        let allow = "nft delete table inet pfretry 2>/dev/null || true"
        try await inNamespace("mta13", allow)
        afterTest { try await inNamespace("mta13", allow) }

        try await inNamespace("mta13", refuseTwice)
        let retryJSON = scratch.appendingPathComponent("retry.json").path
        let retried = try await runProcess(binary, ["run", playbook, "-i", lab.inventoryPath, "--known-hosts", lab.knownHosts,
                                              "-l", "mta13", "--check", "--json", retryJSON], seconds: 60)
        #expect(retried.status == 0, "\(retried.stdout)\(retried.stderr)")
        #expect(retried.stdout.contains("connected after 3 attempts"), "\(retried.stdout)")
        let host = (try json(retryJSON)["hosts"] as? [String: [String: Any]])?["mta13"]
        #expect(host?["connect_attempts"] as? Int == 3)
        let steps = host?["steps"] as? [[String: Any]] ?? []
        #expect(steps.first?["action"] as? String == "connected" && steps.first?["attempts"] as? Int == 3)
        try await inNamespace("mta13", allow)

        try await inNamespace("mta13", refuseTwice)
        let short = try await runProcess(binary, ["run", playbook, "-i", lab.inventoryPath, "--known-hosts", lab.knownHosts,
                                            "-l", "mta13", "--check", "--connect-attempts", "2"], seconds: 60)
        #expect(short.status == 4, "\(short.stdout)")
        #expect(short.stdout.contains("Connection refused (after 2 attempts)"), "\(short.stdout)")
        try await inNamespace("mta13", allow)

        // mta12's key recorded for mta13's address: a mismatch, tried once however many
        // attempts are allowed.
        let known = try String(contentsOfFile: lab.knownHosts, encoding: .utf8).split(separator: "\n")
        let address12 = try lab.endpoint("mta12").address, address13 = try lab.endpoint("mta13").address
        let wrong = try #require(known.first { $0.hasPrefix(address12 + " ") }).replacingOccurrences(of: address12 + " ", with: address13 + " ")
        let wrongFile = scratch.appendingPathComponent("known_hosts").path
        try (wrong + "\n").write(toFile: wrongFile, atomically: true, encoding: .utf8)
        let mismatchJSON = scratch.appendingPathComponent("mismatch.json").path
        let connections = try await lab.sshdConnections("mta13").count
        let mismatch = try await runProcess(binary, ["run", playbook, "-i", lab.inventoryPath, "--known-hosts", wrongFile,
                                               "-l", "mta13", "--check", "--connect-attempts", "5", "--json", mismatchJSON], seconds: 60)
        #expect(mismatch.status == 4, "\(mismatch.stdout)")
        #expect(mismatch.stdout.contains("host key"), "\(mismatch.stdout)")
        #expect((try json(mismatchJSON)["hosts"] as? [String: [String: Any]])?["mta13"]?["connect_attempts"] as? Int == 1)
        // mta13's sshd saw exactly one connection.
        #expect(try await lab.sshdConnections("mta13").count == connections + 1)
    }


    /// playbooks/group-restart.yml (serial 1, max_fail_percentage 0) on mta11..mta13 after
    /// a rollout, with mta12's postfix-in broken on purpose (a listener on an address the
    /// host lacks): mta11's group restarts, mta12 fails, and the run stops there; mta13 is
    /// never contacted and keeps its master process ids; the default instances are not
    /// touched anywhere.
    @Test func aRollingGroupRestartStopsAfterTheBatchThatFailed() async throws {
        try await lab.resetForTest(hosts, seconds: 120)
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let border = Self.repository.appendingPathComponent("playbooks/border-cluster.yml").path
        let rollout = try await run(border)
        try #require(rollout.status == 0, "\(rollout.stdout)")
        var before: [String: [String: String]] = [:]
        for host in hosts { before[host] = try await masterPIDs(host) }

        try await sh("mta12", "printf '198.18.0.199:2525 inet n - n - - smtpd\\n' >> /etc/postfix-in/master.cf")
        let restartJSON = scratch.appendingPathComponent("restart.json").path
        let restart = try await run(Self.repository.appendingPathComponent("playbooks/group-restart.yml").path, ["--json", restartJSON])
        #expect(restart.status == 2, "\(restart.stdout)")
        #expect(restart.stdout.contains("STOPPED after batch 2 of 3: 100% of the batch failed, more than max_fail_percentage 0"),
                "\(restart.stdout)")
        #expect(restart.stdout.contains("  done: mta11 (1)\n  failed: mta12 (1)\n  not started: mta13 (1)\n"), "\(restart.stdout)")
        let doc = try json(restartJSON)
        #expect(doc["batches"] as? [[String]] == [["mta11"], ["mta12"], ["mta13"]])
        let stopped = doc["stopped"] as? [String: Any]
        #expect(stopped?["after_batch"] as? Int == 2 && stopped?["not_started"] as? [String] == ["mta13"])
        #expect(status(doc, "mta11") == "changed" && status(doc, "mta12") == "failed" && status(doc, "mta13") == nil)

        let mta11 = try await masterPIDs("mta11")
        #expect(mta11["/etc/postfix-in"] != nil && mta11["/etc/postfix-in"] != before["mta11"]?["/etc/postfix-in"])
        #expect(mta11["/etc/postfix-out"] != nil && mta11["/etc/postfix-out"] != before["mta11"]?["/etc/postfix-out"])
        #expect(mta11["/etc/postfix"] == before["mta11"]?["/etc/postfix"], "the default instance was restarted")
        #expect(try await masterPIDs("mta12")["/etc/postfix-in"] == nil, "mta12's broken postfix-in runs")
        #expect(try await masterPIDs("mta13") == before["mta13"], "mta13 was touched")

        // The same by hand: `postfleet postmulti -g mta -p stop|start|status` on mta11 and
        // mta13, one host per batch; the default instances run on untouched.
        func postmulti(_ action: String, _ extra: [String] = []) async throws -> (status: Int32, stdout: String, stderr: String) {
            try await runProcess(binary, ["postmulti", "-i", lab.inventoryPath, "--known-hosts", lab.knownHosts, "-l", "mta11:mta13",
                                    "-g", "mta", "-p", action, "--serial", "1"] + extra, seconds: 120)
        }
        let stopJSON = scratch.appendingPathComponent("stop.json").path
        let stop = try await postmulti("stop", ["--json", stopJSON])
        #expect(stop.status == 0, "\(stop.stdout)\(stop.stderr)")
        #expect(stop.stdout.contains("mta[11,13] (2): changed\n  (host)  postmulti -g mta -p stop"), "\(stop.stdout)")
        #expect(try json(stopJSON)["batches"] as? [[String]] == [["mta11"], ["mta13"]])
        for host in ["mta11", "mta13"] {
            #expect(try await masterPIDs(host) == ["/etc/postfix": before[host]!["/etc/postfix"]!], "\(host): group mta still runs")
        }
        let whileStopped = try await postmulti("status")
        #expect(whileStopped.status == 2, "postmulti -p status of a stopped group: \(whileStopped.stdout)")
        let start = try await postmulti("start")
        #expect(start.status == 0, "\(start.stdout)")
        let running = try await postmulti("status")
        #expect(running.status == 0 && running.stdout.contains("mta[11,13] (2): ok"), "\(running.stdout)")
        for host in ["mta11", "mta13"] {
            #expect(try await masterPIDs(host).keys.sorted() == ["/etc/postfix", "/etc/postfix-in", "/etc/postfix-out"])
        }
        let bad = try await postmulti("restart")
        #expect(bad.status == 1 && bad.stderr.contains("-p must be one of start, stop, reload, flush, status"), "\(bad.stderr)")

        // A health gate: mta12's postfix-in now starts, but one of its listeners cannot
        // serve (its smtpd cannot enter the queue directory), so it never answers 220. A
        // gated rolling reload passes on mta11, fails mta12's gate with that listener named,
        // and stops before mta13.
        try await sh("mta12", """
            postconf -c /etc/postfix-in -MX 198.18.0.199:2525/inet && \\
            postconf -c /etc/postfix-in -M '127.0.0.1:2626/inet = 127.0.0.1:2626 inet n - n - - smtpd -o queue_directory=/nonexistent' && \\
            postfix -c /etc/postfix-in start >/dev/null 2>&1
            """)
        let gated = scratch.appendingPathComponent("gated-reload.yml")
        try """
            - name: Reload the mta group, gated
              hosts: border
              policy:
                serial: 1
                max_fail_percentage: 0
                health: {passes: 1, interval: 1s, deadline: 3s, banner_timeout: 3s, groups: {mta: {banner_timeout: 2s}}}
              tasks:
                - name: reload the mta group
                  postmulti: {action: reload, group: mta}

            """.write(to: gated, atomically: true, encoding: .utf8)
        let gatedJSON = scratch.appendingPathComponent("gated.json").path
        let mta13Connections = try await lab.sshdConnections("mta13").count
        let reloads = "grep -c 'reload -- version .*, configuration /etc/postfix-in' /var/log/postfix-in.log || true"
        let mta11Reloads = try await sh("mta11", reloads)
        let reload = try await run(gated.path, ["--json", gatedJSON])
        #expect(reload.status == 2, "\(reload.stdout)")
        #expect(reload.stdout.contains("FAILED: health gate"), "\(reload.stdout)")
        #expect(reload.stdout.contains("/etc/postfix-in: 127.0.0.1:2626 did not answer 220 within 2 s"), "\(reload.stdout)")
        #expect(reload.stdout.contains("  done: mta11 (1)\n  failed: mta12 (1)\n  not started: mta13 (1)\n"), "\(reload.stdout)")
        let gatedDoc = try json(gatedJSON)
        let mta11Steps = (gatedDoc["hosts"] as? [String: [String: Any]])?["mta11"]?["steps"] as? [[String: Any]] ?? []
        #expect(mta11Steps.contains { ($0["action"] as? String)?.hasPrefix("health gate") == true && $0["status"] as? String == "ok" })
        #expect(status(gatedDoc, "mta13") == nil)
        // On the hosts themselves: mta11's postfix-in master logged one more reload, and
        // mta13's sshd had no connection at all.
        let after = try await sh("mta11", reloads)
        #expect(Int(after.dropLast()) == (Int(mta11Reloads.dropLast()) ?? -1) + 1, "postfix-in reloads on mta11: \(mta11Reloads) then \(after)")
        #expect(try await lab.sshdConnections("mta13").count == mta13Connections, "mta13 was contacted")
    }


    /// mta12's sshd (the listener and its sessions) is killed while the rollout's apply
    /// script runs there: mta12 is reported unreachable, lost in the exec phase; mta11 and
    /// mta13 complete. The apply script ignores the lost connection, so once sshd is back,
    /// mta12 is found converged: a second run changes nothing there.
    @Test func aHostLostMidRolloutIsUnreachableAndTheOthersComplete() async throws {
        try await lab.resetForTest(hosts, seconds: 120)
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let playbook = Self.repository.appendingPathComponent("playbooks/border-cluster.yml").path
        let lostJSON = scratch.appendingPathComponent("lost.json").path
        let output = scratch.appendingPathComponent("lost.out")
        try Data().write(to: output)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", playbook, "-i", lab.inventoryPath, "--known-hosts", lab.knownHosts, "-l", limit, "--json", lostJSON]
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // Once postmulti has begun on mta12 (its postfix-out exists), kill its sshd: the
        // sessions' processes first, then the listener (by pid: the lab has one pid space).
        var begun = false
        for _ in 0..<100 where !begun {  // at most 20 s
            try await Task.sleep(for: .milliseconds(200))
            begun = try await namespaceRun("mta12", "test -d /etc/postfix-out").status == 0
        }
        try #require(begun, "the rollout never reached mta12")
        try await inNamespace("mta12", """
            l=$(cat /run/sshd.pid)
            for c in $(pgrep -P "$l"); do pkill -KILL -P "$c" -x sshd; kill -KILL "$c"; done
            kill -KILL "$l"
            """)
        for _ in 0..<600 where process.isRunning { try await Task.sleep(for: .milliseconds(200)) }  // at most 120 s
        try #require(!process.isRunning, "postfleet run did not end")
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 4, "\(text)")
        let doc = try json(lostJSON)
        #expect(status(doc, "mta12") == "unreachable", "\(text)")
        #expect((doc["hosts"] as? [String: [String: Any]])?["mta12"]?["phase"] as? String == "exec", "\(text)")
        #expect(status(doc, "mta11") == "changed" && status(doc, "mta13") == "changed", "\(text)")
        #expect(text.contains("mta12 (1): unreachable\n  exec: "), "\(text)")

        // sshd back (as the lab starts it); the script went on without its connection.
        try await inNamespace("mta12", "/usr/sbin/sshd -f /etc/ssh/sshd_config.pflab -E /var/log/sshd.log")
        var converged: (status: Int32, stdout: String, stderr: String)?
        for _ in 0..<30 {  // at most about 30 s: the script may still be starting instances
            try await Task.sleep(for: .seconds(1))
            let again = try await runProcess(binary, ["run", playbook, "-i", lab.inventoryPath, "--known-hosts", lab.knownHosts,
                                                "-l", "mta12", "--check"], seconds: 60)
            converged = again
            if again.status == 0 && again.stdout.contains("1 host: 1 ok, 0 changed") { break }
        }
        #expect(converged?.stdout.contains("1 host: 1 ok, 0 changed") == true, "\(converged?.stdout ?? "")")

        // The host itself, not postfleet's word for it: the instances mta11 has, each master
        // running, the same files as mta11's but for the host's own name and address, and no
        // stage directory left.
        #expect(try await instances("mta12") == instances("mta11"))
        #expect(try await masterPIDs("mta12").keys.sorted() == ["/etc/postfix", "/etc/postfix-in", "/etc/postfix-out"])
        let files = "for f in /etc/postfix/main.cf /etc/postfix/master.cf /etc/postfix/generic /etc/postfix-in/main.cf /etc/postfix-in/master.cf /etc/postfix-out/main.cf /etc/postfix-out/master.cf; do echo \"== $f\"; cat \"$f\"; done"
        let mta11 = try await sh("mta11", files).replacingOccurrences(of: "mta11", with: "mta12")
            .replacingOccurrences(of: "198.18.0.11", with: "198.18.0.12")
        #expect(try await sh("mta12", files) == mta11)
        #expect(try await sh("mta12", "find /etc/postfix /etc/postfix-in /etc/postfix-out -maxdepth 1 -name '.postfleet-stage-*'") == "")
    }


    /// A task with `until:` on mta13: run again until the host says what it waits for, and
    /// the report shows the tries; one whose condition never holds fails after its tries.
    @Test func aTaskIsRetriedUntilItsConditionHolds() async throws {
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let counter = "/tmp/pf-task-tries-\(UUID().uuidString.prefix(8))"
        let playbook = scratch.appendingPathComponent("retry.yml")
        try """
            - hosts: mta13
              tasks:
                - name: wait for the third try
                  command: n=$(cat \(counter) 2>/dev/null || echo 0); n=$((n + 1)); echo $n > \(counter); echo "try $n"
                  until: {stdout_contains: "try 3"}
                  retries: 4
                  delay: 200ms
                - name: never ready
                  command: postqueue -p | grep -c never-there
                  until: {rc: 0}
                  retries: 1
                  delay: 100ms

            """.write(to: playbook, atomically: true, encoding: .utf8)
        let retryJSON = scratch.appendingPathComponent("retry.json").path
        let result = try await runProcess(binary, ["run", playbook.path, "-i", lab.inventoryPath, "--known-hosts", lab.knownHosts,
                                             "-l", "mta13", "--json", retryJSON], seconds: 60)
        #expect(result.status == 2, "\(result.stdout)")
        #expect(result.stdout.contains("wait for the third try (3 attempts)"), "\(result.stdout)")
        #expect(result.stdout.contains("FAILED: never ready (2 attempts)"), "\(result.stdout)")
        #expect(result.stdout.contains("the condition did not hold after 2 tries (last exit status 1)"), "\(result.stdout)")
        let steps = (try json(retryJSON)["hosts"] as? [String: [String: Any]])?["mta13"]?["steps"] as? [[String: Any]] ?? []
        #expect(steps.first { $0["action"] as? String == "wait for the third try" }?["attempts"] as? Int == 3)
        #expect(try await sh("mta13", "cat \(counter) && rm -f \(counter)") == "3\n")
    }


    /// `rollback_on_failure`: a change to postfix-in's master.cf adds a listener that never
    /// answers (its smtpd cannot enter the queue directory). With serial 1, the first host
    /// takes the change, fails its health gate, and the run stops; its previous files come
    /// back byte for byte (inode and mtime too) and postfix-in runs again; the other hosts
    /// are not contacted.
    @Test func rollbackOnFailureUndoesTheFailedBatch() async throws {
        try await lab.resetForTest(hosts, seconds: 120)
        let scratch = try Lab.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rollout = try await run(Self.repository.appendingPathComponent("playbooks/border-cluster.yml").path)
        try #require(rollout.status == 0, "\(rollout.stdout)")
        var files: [String: String] = [:], pids: [String: [String: String]] = [:]
        for host in hosts {
            files[host] = try await snapshot(host)
            pids[host] = try await masterPIDs(host)
        }

        let copy = try playbookCopy(in: scratch)
        let variant = copy.appendingPathComponent("border-cluster.yml")
        try edit(variant) {
            $0.replacingOccurrences(of: "  hosts: border\n", with: """
                  hosts: border
                  policy:
                    serial: 1
                    max_fail_percentage: 0
                    rollback_on_failure: true
                    health: {passes: 1, interval: 1s, deadline: 3s, banner_timeout: 2s}

                """)
            + """
                      master_cf:
                        services:
                          127.0.0.1:2626/inet: 127.0.0.1:2626 inet n - n - - smtpd -o queue_directory=/nonexistent

                """
        }
        let rollbackJSON = scratch.appendingPathComponent("rollback.json").path
        let connections = (try await lab.sshdConnections("mta12").count, try await lab.sshdConnections("mta13").count)
        let result = try await run(variant.path, ["--json", rollbackJSON])
        // Counted before the checks below, which log in over SSH themselves.
        #expect(try await lab.sshdConnections("mta12").count == connections.0, "mta12 was contacted")
        #expect(try await lab.sshdConnections("mta13").count == connections.1, "mta13 was contacted")
        #expect(result.status == 2, "\(result.stdout)")
        #expect(result.stdout.contains("127.0.0.1:2626 did not answer 220"), "\(result.stdout)")
        #expect(result.stdout.contains("rolled back to the previous configuration (rollback_on_failure)"), "\(result.stdout)")
        #expect(result.stdout.contains("  failed: mta11 (1)\n  not started: mta[12-13] (2)\n  rolled back: mta11 (1)\n"), "\(result.stdout)")
        let stopped = try json(rollbackJSON)["stopped"] as? [String: Any]
        #expect(stopped?["rolled_back"] as? [String] == ["mta11"])

        #expect(try await snapshot("mta11") == files["mta11"], "mta11's files are not as before the run")
        #expect(try await sh("mta11", "postconf -c /etc/postfix-in -M 127.0.0.1:2626/inet") == "")
        let now = try await masterPIDs("mta11")
        #expect(now["/etc/postfix-in"] != nil, "postfix-in does not run on mta11")
        #expect(now["/etc/postfix"] == pids["mta11"]?["/etc/postfix"] && now["/etc/postfix-out"] == pids["mta11"]?["/etc/postfix-out"])
        for host in ["mta12", "mta13"] {
            #expect(try await snapshot(host) == files[host])
            #expect(try await masterPIDs(host) == pids[host])
        }

        // `postfleet instances` on the three converged hosts, with mta13's postfix-out
        // stopped and holding one message that could not leave: what postmulti -l, postfix
        // status and postqueue say, in one table.
        try await sh("mta13", """
            postfix -c /etc/postfix-out stop >/dev/null 2>&1
            printf 'Subject: held\\n\\nx\\n' | sendmail -C /etc/postfix-out -f root someone@example.com
            """)
        let instancesJSON = scratch.appendingPathComponent("instances.json").path
        let listed = try await runProcess(binary, ["instances", "-i", lab.inventoryPath, "--known-hosts", lab.knownHosts, "-l", limit,
                                             "--json", instancesJSON], seconds: 60)
        #expect(listed.status == 0, "\(listed.stdout)")
        let rows = listed.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(rows.first == "HOST INSTANCE GROUP ENABLED RUNNING QUEUE CONFIG")
        for host in hosts {
            #expect(rows.contains("\(host) default - yes yes 0 /etc/postfix"), "\(listed.stdout)")
            #expect(rows.contains("\(host) postfix-in mta yes yes 0 /etc/postfix-in"), "\(listed.stdout)")
        }
        #expect(rows.contains("mta11 postfix-out mta yes yes 0 /etc/postfix-out"), "\(listed.stdout)")
        #expect(rows.contains("mta13 postfix-out mta yes no 1 /etc/postfix-out"), "\(listed.stdout)")
        #expect(rows.last == "3 of 3 hosts read, 9 instances")
        let listedHosts = try json(instancesJSON)["hosts"] as? [String: [String: Any]]
        let mta13 = listedHosts?["mta13"]?["instances"] as? [[String: Any]] ?? []
        #expect(mta13.map { $0["name"] as? String } == ["default", "postfix-out", "postfix-in"])
        #expect(mta13.first { $0["name"] as? String == "postfix-out" }?["queue"] as? Int == 1)
    }

}

/// With `POSTFLEET_REQUIRE_LAB=1`, a lab too small for RunLabTests is a failure, not a silent skip.
@Suite struct RunLabPresence {
    @Test func theLabIsLargeEnoughWhenRequired() { expectLab(of: LabHosts.run, for: "RunLabTests") }
}
