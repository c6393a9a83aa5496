import Foundation
import Testing
@testable import Postfix

/// ``InstanceControl/systemd``: the command lines, and its shell functions run for real
/// under /bin/sh against stand-ins for systemctl, postmulti, postconf and postfix that log
/// what they are asked (what they do to a real host is proven in SystemdLabTests).
@Suite struct SystemdControlTests {
    let out = PostfixInstance(name: "postfix-out")
    let control = InstanceControl.systemd

    @Test func operationsGoThroughTheUnits() {
        #expect(control.commands(.start, out, checked: true) == ["pf_sd start /etc/postfix-out postfix-out checked"])
        #expect(control.commands(.start, .default) == ["pf_sd start /etc/postfix -"])
        #expect(control.commands(.stop, out) == ["pf_sd stop /etc/postfix-out postfix-out"])
        #expect(control.commands(.reload, out, checked: true) == ["pf_sd reload /etc/postfix-out postfix-out"])
        #expect(control.commands(.restart, out, checked: true) == ["pf_sd restart /etc/postfix-out postfix-out checked"])
        #expect(control.status(out) == "pf_sd_running /etc/postfix-out </dev/null")
        #expect(control.isRunning(configDirectory: "\"$d\"") == "pf_sd_running \"$d\"")
        #expect(control.adopt(out) == ["pf_sd_adopt /etc/postfix-out postfix-out"])
        #expect(InstanceControl.postfix.adopt(out).isEmpty && InstanceControl.postfix.settle == nil)
        #expect(InstanceControl.unit(.default) == "postfix@-" && InstanceControl.unit(out) == "postfix@postfix-out")
        #expect(control.name == "systemd" && InstanceControl.postfix.name == "postfix")
        // Debian's unit runs configure-instance.sh itself: the functions never do.
        #expect(!control.functions.contains("configure-instance.sh") && control.functions.contains("pf_sd() {"))
        #expect(InstanceControl.postfix.checkFunctions.isEmpty && control.checkFunctions.contains("pf_sd_running() {"))
    }

    @Test func postmultiLifecycleIsFollowedByADaemonReloadWhereTheInstanceSetChanges() {
        let create = PostmultiCommand(.action(.create), target: .instance("postfix-out"), newGroup: "mta")
        #expect(control.postmulti(create) == "postmulti -I postfix-out -G mta -e create </dev/null && pf_sd_changed && pf_sd_settle")
        #expect(control.postmulti(create, settle: false) == "postmulti -I postfix-out -G mta -e create </dev/null && pf_sd_changed")
        let enable = PostmultiCommand(.action(.enable), target: .instance("postfix-out"))
        #expect(control.postmulti(enable) == "postmulti -i postfix-out -e enable </dev/null")
        let rename = PostmultiCommand(.action(.assign), target: .instance("postfix-out"), newName: "postfix-o2")
        let regroup = PostmultiCommand(.action(.assign), target: .instance("postfix-out"), newGroup: "mta")
        #expect(InstanceControl.changesInstanceSet(rename) && !InstanceControl.changesInstanceSet(regroup))
        for action: PostmultiCommand.Action in [.import, .deport, .destroy] {
            #expect(InstanceControl.changesInstanceSet(PostmultiCommand(.action(action), target: .instance("postfix-x"))))
        }
        #expect(!InstanceControl.changesInstanceSet(PostmultiCommand(.action(.`init`), target: nil)))
    }

    @Test func postmultiStartStopReloadActOnTheUnitsFlushAndStatusStayPostmultis() {
        #expect(control.postmulti(PostmultiCommand(.action(.stop), target: .group("mta"))) == "pf_sd_each stop -g mta </dev/null")
        #expect(control.postmulti(PostmultiCommand(.action(.start), target: .all)) == "pf_sd_each start -a </dev/null")
        #expect(control.postmulti(PostmultiCommand(.action(.reload), target: .instance("default"))) == "pf_sd_each reload -i - </dev/null")
        #expect(control.postmulti(PostmultiCommand(.action(.flush), target: .group("mta"))) == "postmulti -g mta -p flush </dev/null")
        #expect(control.postmulti(PostmultiCommand(.action(.status), target: .all)) == "postmulti -a -p status </dev/null")
        #expect(control.postmulti(PostmultiCommand(.exec("postqueue -f"), target: .all)) == "postmulti -a -x postqueue -f </dev/null")
    }

    // MARK: The functions, run

    /// A scratch directory with stand-in commands on PATH; each logs its arguments to `log`.
    struct Host {
        let dir: URL
        var log: String { dir.appendingPathComponent("log").path }

        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("pf-sd-\(UUID().uuidString)")
            let bin = dir.appendingPathComponent("bin")
            try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("q/pid"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("t"), withIntermediateDirectories: true)
            let q = dir.appendingPathComponent("q").path
            let stubs = [
                // FAIL: a unit whose start/stop/reload fails; ACTIVE: the units is-active accepts.
                "systemctl": #"""
                    echo "systemctl $*" >>"$LOG"
                    case $1 in
                      is-active) case " $ACTIVE " in *" $3 "*) exit 0;; *) exit 3;; esac;;
                      start|stop|reload|restart) [ "$2" != "$FAIL" ] || { echo "Job for $2.service failed." >&2; exit 1; };;
                    esac
                    exit 0
                    """#,
                "postmulti": #"""
                    echo "postmulti $*" >>"$LOG"
                    l='- - y /etc/postfix
                    postfix-out mta y /etc/postfix-out
                    postfix-in mta y /etc/postfix-in
                    postfix-off mta n /etc/postfix-off'
                    case " $* " in *" -R "*) printf '%s\n' "$l" | tac;; *) printf '%s\n' "$l";; esac
                    """#,
                "postconf": """
                    case "$*" in
                      "-h config_directory") echo /etc/postfix;;
                      *"-h multi_instance_name") echo "${2##*/}";;
                      *"-h queue_directory daemon_directory") echo \(q); echo \(q);;
                      *"-h queue_directory") echo \(q);;
                    esac
                    """,
                "postfix": #"""
                    echo "postfix $*" >>"$LOG"
                    case $3 in status) [ -e "$STATUS" ] && rm -f "$STATUS";; esac
                    """#,
            ]
            for (name, body) in stubs {
                let path = bin.appendingPathComponent(name).path
                try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            }
            // postfix-script knows the quick start.
            try "quick-start\n".write(toFile: q + "/postfix-script", atomically: true, encoding: .utf8)
        }

        /// Runs `script` after the control's functions; returns stdout, status, and the log's lines.
        func run(_ script: String, environment: [String: String] = [:]) throws -> (out: String, status: Int32, log: [String]) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", InstanceControl.systemd.functions + "\nT=" + dir.appendingPathComponent("t").path + "\n" + script]
            var env = ["PATH": dir.appendingPathComponent("bin").path + ":/usr/bin:/bin", "LOG": log, "ACTIVE": "", "FAIL": "",
                       "STATUS": dir.appendingPathComponent("running").path]
            env.merge(environment) { $1 }
            p.environment = env
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardInput = FileHandle.nullDevice
            try p.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let log = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            return (String(decoding: data, as: UTF8.self), p.terminationStatus, log.split(separator: "\n").map(String.init))
        }
    }

    @Test func eachStartsInPostmultisOrderAndStopsInReverseReportingPerInstance() throws {
        let host = try Host()
        defer { try? FileManager.default.removeItem(at: host.dir) }
        let stop = try host.run("pf_sd_each stop -g mta")
        #expect(stop.status == 0)
        #expect(stop.log == ["postmulti -l -R -g mta", "systemctl stop postfix@postfix-off", "systemctl stop postfix@postfix-in",
                             "systemctl stop postfix@postfix-out", "systemctl stop postfix@-"])
        #expect(stop.out.contains("postfix@postfix-in: stopped\n"))
        try? FileManager.default.removeItem(atPath: host.log)
        let start = try host.run("pf_sd_each start -g mta", environment: ["FAIL": "postfix@postfix-in"])
        #expect(start.status == 1)
        #expect(start.log == ["postmulti -l -g mta", "systemctl start postfix@-", "systemctl start postfix@postfix-out",
                              "systemctl start postfix@postfix-in"])
        #expect(start.out.contains("postfix@postfix-out: started\n"))
        #expect(start.out.contains("postfix@postfix-in: not started: Job for postfix@postfix-in.service failed."))
        #expect(start.out.contains("postfix@postfix-off: disabled, not started"))
    }

    @Test func oneDaemonReloadAfterTheInstanceSetChangedBeforeTheFirstStart() throws {
        let host = try Host()
        defer { try? FileManager.default.removeItem(at: host.dir) }
        let create = PostmultiCommand(.action(.create), target: .instance("postfix-out"), newGroup: "mta")
        let destroy = PostmultiCommand(.action(.destroy), target: .instance("postfix-old"))
        let script = [control.postmulti(create, settle: false), control.postmulti(destroy, settle: false), "pf_sd_settle",
                      control.commands(.start, out, checked: true)[0], control.commands(.reload, .default)[0]].joined(separator: "\n")
        let run = try host.run(script)
        #expect(run.status == 0)
        #expect(run.log == ["postmulti -I postfix-out -G mta -e create", "postmulti -i postfix-old -e destroy", "systemctl daemon-reload",
                            "systemctl start postfix@postfix-out", "systemctl reload postfix@-"])
        // The quick start marker was there for the start, and is gone after it.
        #expect(!FileManager.default.fileExists(atPath: host.dir.appendingPathComponent("q/quick-start").path))
    }

    @Test func aStrayMasterIsStoppedThenTheUnitRestarted() throws {
        let host = try Host()
        defer { try? FileManager.default.removeItem(at: host.dir) }
        // `postfix status` says running once, then stopped.
        FileManager.default.createFile(atPath: host.dir.appendingPathComponent("running").path, contents: nil)
        let run = try host.run("pf_sd_adopt /etc/postfix-out postfix-out")
        #expect(run.status == 0)
        #expect(run.log == ["postfix -c /etc/postfix-out stop", "postfix -c /etc/postfix-out status", "postfix -c /etc/postfix-out status",
                            "systemctl reset-failed postfix@postfix-out", "systemctl restart postfix@postfix-out"])
    }

    @Test func runningMeansTheUnitIsActiveAndTheMasterInItsCgroup() throws {
        let host = try Host()
        defer { try? FileManager.default.removeItem(at: host.dir) }
        // The master's pid is this shell's, whose cgroup is not postfix@-'s.
        let pid = host.dir.appendingPathComponent("q/pid/master.pid").path
        let inactive = try host.run("pf_sd_running /etc/postfix")
        #expect(inactive.status != 0 && inactive.out.contains("postfix@- is not active"))
        FileManager.default.createFile(atPath: host.dir.appendingPathComponent("running").path, contents: nil)
        let outside = try host.run("echo $$ >\(pid); pf_sd_running /etc/postfix", environment: ["ACTIVE": "postfix@-"])
        #expect(outside.status != 0 && outside.out.contains("runs outside its unit postfix@-"))
        #expect(outside.log.contains("postfix -c /etc/postfix status"))
        let secondary = try host.run("pf_sd_unit /etc/postfix-out; pf_sd_unit /etc/postfix")
        #expect(secondary.out == "postfix@postfix-out\npostfix@-\n")
    }

    // MARK: Facts

    @Test func factsReadTheUnitsAndWhereEachMasterRuns() throws {
        let output = """

            @@postfleet version
            | 3.7.11
            @@postfleet instance /etc/postfix
            |
            |
            | no
            @@postfleet status /etc/postfix
            | running
            @@postfleet pid /etc/postfix
            | 100
            @@postfleet unit /etc/postfix
            | postfix@-
            @@postfleet cgroup /etc/postfix
            | /system.slice/system-postfix.slice/postfix@-.service
            @@postfleet instance /etc/postfix-out
            | postfix-out
            | mta
            | yes
            @@postfleet status /etc/postfix-out
            | running
            @@postfleet pid /etc/postfix-out
            | 200
            @@postfleet unit /etc/postfix-out
            | postfix@postfix-out
            @@postfleet cgroup /etc/postfix-out
            | /user.slice/user-0.slice/session-1.scope
            @@postfleet files
            @@postfleet systemd
            | yes
            | Id=postfix@-.service
            | LoadState=loaded
            | ActiveState=active
            |
            | Id=postfix@postfix-out.service
            | LoadState=loaded
            | ActiveState=failed
            @@postfleet checksums
            @@postfleet end
            """
        let facts = try FactsProbe.parse(output)
        #expect(facts.systemdControlled && InstanceControl.for(facts) == .systemd)
        let (main, outside) = (facts.instances[0], facts.instances[1])
        #expect(main.unit == "postfix@-" && main.unitState == "active" && !main.runsOutsideUnit)
        #expect(outside.unit == "postfix@postfix-out" && outside.unitState == "failed" && outside.runsOutsideUnit)
        // Without the template unit, systemd does not run this host's Postfix.
        let notFound = try FactsProbe.parse(output.replacingOccurrences(of: "LoadState=loaded", with: "LoadState=not-found"))
        #expect(!notFound.systemdControlled && notFound.instances[1].unit == nil && !notFound.instances[1].runsOutsideUnit)
        let plain = try FactsProbe.parse(output.replacingOccurrences(of: "| yes\n| Id", with: "| no\n| Id"))
        #expect(!plain.systemdControlled && InstanceControl.for(plain) == .postfix)
    }

    @Test func theProbesSystemdPartNamesUnitsAndReadsTheCgroup() throws {
        let script = """
            \(MarkedOutput.functions)
            n='
            '
            \(FactsProbe.systemdFunctions)
            sd=1
            sd_instance /etc/postfix $$ running ''
            sd_instance /etc/postfix-out 1 stopped postfix-out
            sd_instance /etc/postfix-x 1 stopped ''
            printf '%s' "$sd_units"
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let records = MarkedOutput(text).records
        #expect(records.map(\.key) == ["unit /etc/postfix", "cgroup /etc/postfix", "unit /etc/postfix-out"])
        #expect(records[0].body == ["postfix@-"] && records[2].body == ["postfix@postfix-out"])
        #expect(records[1].body.first?.hasPrefix("/") ?? false)
        #expect(text.hasSuffix("postfix@-\npostfix@postfix-out\n"))
    }

    @Test(arguments: ["/bin/sh", "/bin/bash", "/bin/dash"])
    func theFunctionsParse(shell: String) throws {
        guard FileManager.default.isExecutableFile(atPath: shell) else { return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: shell)
        p.arguments = ["-n", "-c", control.functions + "\n" + FactsProbe.command(files: [])]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }
}
