import Foundation
import Playbook
import Testing
@testable import Engine
@testable import Postfix

/// The health gate's `tls` check: its settings, where its script has it, and the check run
/// for real in a local shell (sh, dash, bash) with real openssl fingerprints, Postfix and
/// s_client played by shell functions.
@Suite struct HealthGateTLSTests {
    @Test func aPolicyTurnsItOn() {
        #expect(HealthGate(target: .all).tls == false)
        var settings = Policy.HealthSettings()
        settings.tls = true
        settings.groups = ["edge": Policy.GroupHealth(tls: false)]
        let gate = HealthGate(target: .all, health: .custom(settings))
        #expect(gate?.tls == true && gate?.groups["edge"]?.tls == false)
        #expect(gate?.checks(nil).tls == "true" && gate?.checks("edge").tls == "false" && gate?.checks("mta").tls == "true")
        #expect(HealthGate(target: .all, health: .custom(Policy.HealthSettings()))?.tls == false)
    }

    @Test func theScriptHasTheCheckOnlyWhenSomeGroupAsksForIt() throws {
        var off = HealthGate(target: .all)
        off.groups = ["mta": Policy.GroupHealth(bannerTimeout: .seconds(2)), "edge": Policy.GroupHealth(tls: false)]
        for script in [off.script, HealthGate(target: .group("mta")).script] {
            #expect(!script.contains("openssl") && !script.contains("tls") && !script.contains("mktemp") && !script.contains("pf_"))
        }
        #expect(off.script.contains("run=true; bt=5; md=-1\n    case $g in\n      edge) run=true; bt=5; md=-1;;\n      mta) run=true; bt=2; md=-1;;\n    esac"))

        var grouped = off
        grouped.groups["mta"]?.tls = true
        #expect(grouped.script.contains("run=true; bt=5; md=-1; tls=false\n    case $g in\n      edge) run=true; bt=5; md=-1; tls=false;;\n      mta) run=true; bt=2; md=-1; tls=true;;\n    esac"))
        var everywhere = HealthGate(target: .instance("postfix-in"))
        everywhere.tls = true
        for script in [grouped.script, everywhere.script] {
            #expect(script.contains("    done\n    if $tls; then pf_health_tls \"$d\"; fi\n    if [ \"$md\" -ge 0 ]; then"))
            #expect(script.contains("pf_tls_ask() {") && script.contains("pf_sockets() {") && script.contains("pf_health_tls() {"))
            #expect(script.contains("trap 'rm -rf \"$t\"' EXIT"))
            for shell in ["/bin/sh", "/bin/dash", "/bin/bash"] where FileManager.default.isExecutableFile(atPath: shell) {
                let (status, said) = try shellParses(shell, script)
                #expect(status == 0, "\(shell): \(said)")
            }
        }
        #expect(everywhere.script.contains("run=true; bt=5; md=-1; tls=true\n"))
        // The tls probe and the gate ask a socket the same way: one definition.
        #expect(TLSProbe.script.contains(TLSProbe.functions) && everywhere.script.contains(TLSProbe.functions))
    }

    /// What s_client said, in the few words a failed gate gives.
    @Test(arguments: [
        ("Didn't find STARTTLS in server response, trying anyway...\n40F7:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:ssl3_record.c:354:\n",
         "does not offer STARTTLS"),
        ("no SMTP greeting within 5 s, and no TLS from the first byte\n", "no SMTP greeting within 5 s, and no TLS from the first byte"),
        ("connect:errno=111\n4047:error:8000006F:system library:BIO_connect:Connection refused:bio_sock2.c:114:calling connect()\n", "connection refused"),
        ("80AB:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:rec_layer_s3.c:1584:\n", "TLS handshake failed: sslv3 alert handshake failure"),
        ("something else\n\n", "no certificate presented: something else"),
        ("", "no certificate presented"),
    ])
    func whatSClientSaid(stderr: String, words: String) throws {
        guard FileManager.default.isExecutableFile(atPath: "/bin/sh") else { return }
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("oe")
        try stderr.write(to: file, atomically: true, encoding: .utf8)
        let r = execute("/bin/sh", ["-c", HealthProbe.tlsFunctions + "\npf_tls_said \"$1\"", "_", file.path])
        #expect(r.status == 0 && r.stdout == words + "\n")
    }

    /// Three instances: postfix-in names a chain file (key, leaf A, then B) and its master
    /// holds six sockets; postfix-plain names no certificate; postfix-gone names one that is
    /// not there.
    static let instances = "postfix-in mta y /etc/postfix-in postfix-plain mta y /etc/postfix-plain postfix-gone mta y /etc/postfix-gone"

    @Test(arguments: ["/bin/sh", "/bin/dash", "/bin/bash"])
    func everyListenerServesTheConfiguredCertificate(shell: String) throws {
        guard FileManager.default.isExecutableFile(atPath: shell), let lab = try Lab() else { return }
        defer { lab.remove() }
        var gate = HealthGate(target: .all)
        gate.tls = true
        gate.passes = 1
        gate.deadline = .zero

        let failed = lab.run(gate, shell: shell, instances: Self.instances,
                             sockets: "0.0.0.0 25 [::] 25 127.0.0.1 465 127.0.0.1 26 127.0.0.1 27 127.0.0.1 28")
        let outcome = HealthGate.outcome(failed.stdout)
        #expect(!outcome.passed && outcome.tries == 1, "\(failed.stdout) \(failed.stderr)")
        #expect(outcome.reason == [
            "/etc/postfix-in 127.0.0.1:26: does not offer STARTTLS",
            "/etc/postfix-in 127.0.0.1:27: serves SHA256 \(lab.short("b")).. (not the configured \(lab.short("a"))..)",
            "/etc/postfix-in 127.0.0.1:28: no SMTP greeting within 5 s, and no TLS from the first byte",
            "/etc/postfix-gone: no certificate could be read from its smtpd_tls_cert_file or smtpd_tls_chain_files",
        ].joined(separator: "; "))
        // Wildcards asked through loopback; TLS from the first byte only after a greeting did not come.
        #expect(lab.asked() == ["127.0.0.1:25 starttls", "[::1]:25 starttls", "127.0.0.1:465 starttls", "127.0.0.1:465 ",
                                "127.0.0.1:26 starttls", "127.0.0.1:27 starttls", "127.0.0.1:28 starttls", "127.0.0.1:28 "])

        let passed = lab.run(gate, shell: shell, instances: "postfix-in mta y /etc/postfix-in postfix-plain mta y /etc/postfix-plain",
                             sockets: "0.0.0.0 25 [::] 25 127.0.0.1 465")
        #expect(HealthGate.outcome(passed.stdout) == (true, 1, ""), "\(passed.stdout) \(passed.stderr)")
        #expect(lab.asked() == ["127.0.0.1:25 starttls", "[::1]:25 starttls", "127.0.0.1:465 starttls", "127.0.0.1:465 "])

        // Off for the instances' group: no socket is asked.
        gate.tls = false
        gate.groups = ["border": Policy.GroupHealth(tls: true)]
        let off = lab.run(gate, shell: shell, instances: Self.instances, sockets: "127.0.0.1 26 127.0.0.1 27")
        #expect(HealthGate.outcome(off.stdout) == (true, 1, ""), "\(off.stdout) \(off.stderr)")
        #expect(lab.asked().isEmpty)
    }

    /// `max_deferred` with two passes in a row: the deferred count once shared its variable
    /// with the pass counter, so such a gate never passed.
    @Test func aDeferredLimitStillPassesTwiceInARow() throws {
        guard let lab = try Lab() else { return }
        defer { lab.remove() }
        var gate = HealthGate(target: .all)
        gate.maxDeferred = 5
        gate.passes = 2
        gate.interval = .milliseconds(100)
        gate.deadline = .seconds(3)
        let r = lab.run(gate, shell: "/bin/sh", instances: "postfix-plain mta y /etc/postfix-plain", sockets: "")
        #expect(HealthGate.outcome(r.stdout) == (true, 2, ""), "\(r.stdout) \(r.stderr)")
    }

    /// A scratch directory with two self-signed certificates (A and B) made by the local
    /// openssl, and the shell functions that play Postfix and s_client on a host; nil
    /// without openssl.
    struct Lab {
        let dir: URL

        init?() throws {
            guard execute("/bin/sh", ["-c", "command -v openssl"]).status == 0 else { return nil }
            dir = try scratch()
            let made = execute("/bin/sh", ["-c", """
                cd "$1" && for n in a b; do
                  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $n.key -out $n.crt -subj /CN=$n.example -days 2 2>/dev/null || exit 1
                done && cat a.key a.crt b.crt >chain.pem
                """, "_", dir.path])
            guard made.status == 0 else { remove(); return nil }
        }

        func remove() { try? FileManager.default.removeItem(at: dir) }

        /// The first 8 bytes of a certificate's SHA-256 fingerprint, as openssl writes it.
        func short(_ name: String) -> String {
            let out = execute("/bin/sh", ["-c", "openssl x509 -noout -fingerprint -sha256 -in \"$1\"", "_", dir.appendingPathComponent(name + ".crt").path])
            return String(out.stdout.split(separator: "=").last?.prefix(23) ?? "")
        }

        /// The sockets s_client was asked for, `ADDRESS:PORT starttls` or `ADDRESS:PORT ` (TLS first).
        func asked() -> [String] {
            let log = dir.appendingPathComponent("asked")
            defer { try? FileManager.default.removeItem(at: log) }
            return ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        static let stubs = #"""
            postmulti() { printf '%s %s %s %s\n' $PF_TEST_INSTANCES; }
            postfix() { return 0; }
            postqueue() { printf '{"queue_name": "deferred"}\n{"queue_name": "deferred"}\n'; }
            postconf() {
              case "$1 $2 $3 $4" in
                "-c /etc/postfix-in -xh queue_directory") printf '%s\n' /var/spool/postfix-in mx.example.com '' "$PF_TEST_DIR/chain.pem";;
                "-c /etc/postfix-gone -xh queue_directory") printf '%s\n' /var/spool/postfix-gone mx.example.com "$PF_TEST_DIR/gone.pem" '';;
                "-c /etc/postfix-plain -xh queue_directory") printf '%s\n' /var/spool/postfix-plain mx.example.com '' '';;
              esac
            }
            pf_master() { pf_pid=4242; }
            pf_sockets() { printf '%s %s\n' $PF_TEST_SOCKETS; }
            timeout() { shift; "$@"; }
            openssl() {
              [ "$1" = s_client ] || { command openssl "$@"; return; }
              st=; case " $* " in *" -starttls smtp "*) st=starttls;; esac
              [ "$7" = mx.example.com ] || [ "$5" = mx.example.com ] || { echo "no SNI: $*" >&2; return 1; }
              echo "$3 $st" >>"$PF_TEST_DIR/asked"
              case "$3 $st" in
                "127.0.0.1:25 starttls"|"[::1]:25 starttls"|"127.0.0.1:465 ") printf 'CONNECTED(00000003)\n---\nServer certificate\n'; cat "$PF_TEST_DIR/a.crt"; echo ---;;
                "127.0.0.1:27 starttls") printf 'CONNECTED(00000003)\n---\nServer certificate\n'; cat "$PF_TEST_DIR/b.crt";;
                "127.0.0.1:26 starttls") echo "Didn't find STARTTLS in server response, trying anyway..." >&2
                  echo '40F7:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:ssl3_record.c:354:' >&2; return 1;;
                "127.0.0.1:465 starttls"|"127.0.0.1:28 starttls"|"127.0.0.1:28 ") return 124;;
                *) echo 'connect:errno=111' >&2; return 1;;
              esac
            }
            """#

        /// The gate's script with Postfix and s_client played by ``stubs``: `instances`,
        /// postmulti's listing (4 words a line), `sockets` (2 words a socket) the ones every
        /// instance's master holds.
        func run(_ gate: HealthGate, shell: String, instances: String, sockets: String) -> (status: Int32, stdout: String, stderr: String) {
            let script = gate.script.replacingOccurrences(of: "\ncheck() {\n", with: "\n" + Self.stubs + "\ncheck() {\n")
            return execute(shell, ["-c", script], environment: ["PF_TEST_DIR": dir.path, "PF_TEST_INSTANCES": instances,
                                                                       "PF_TEST_SOCKETS": sockets])
        }
    }
}

private func scratch() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("postfleet-health-tls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

private func execute(_ shell: String, _ arguments: [String], environment: [String: String] = [:]) -> (status: Int32, stdout: String, stderr: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: shell)
    p.arguments = arguments
    p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    do { try p.run() } catch { return (-1, "", "\(error)") }
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}
