import Foundation
import Testing

/// Hostile numbers on the real command line, in a playbook and in an inventory: exit 1 with a
/// message naming the flag (or `FILE:LINE:COL`), no crash (SIGILL, SIGTRAP, SIGABRT and SIGSEGV
/// show as 132, 133, 134, 139), nothing on stdout, and no host contacted: the hosts are on a
/// loopback port that listens and never answers, and nothing may arrive there.
@Suite(.serialized) struct NumericFlagCommandTests {
    let listener: LoopbackListener

    init() throws { listener = try LoopbackListener() }

    static let site = "- hosts: all\n  instances:\n    - name: default\n"

    /// Every command that contacts hosts.
    static let commands: [[String]] = [
        ["exec", "--", "true"], ["instances"], ["run", "site.yml", "--check"], ["drift", "site.yml"],
        ["postmulti", "-p", "reload", "--all"], ["queue"], ["tls"],
    ]

    /// Runs `command` with `arguments` in a project whose hosts are the listener, and checks
    /// the refusal; returns stderr.
    @discardableResult
    func refused(_ command: [String], _ arguments: [String], files: [String: String] = [:],
                 sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try withTemporaryDirectory { directory in
            let inventory = "all:\n  hosts:\n    quiet1: {ansible_host: 127.0.0.1, ansible_port: \(listener.port)}\n"
            try write(["inventory.yml": inventory, "site.yml": Self.site].merging(files) { $1 }, into: directory)
            let result = try run(postfleetUnderTest, [command[0], "-i", "inventory.yml"] + arguments + command.dropFirst(), in: directory)
            let what = "\(command) \(arguments)"
            #expect(![132, 133, 134, 139].contains(result.status), "crashed: \(what)\n\(result.err)", sourceLocation: sourceLocation)
            #expect(result.status == 1, "\(what)\n\(result.err)", sourceLocation: sourceLocation)
            #expect(result.out == "", "\(what)", sourceLocation: sourceLocation)
            #expect(!result.err.contains("Program crashed"), "\(what)", sourceLocation: sourceLocation)
            #expect(listener.connections() == 0, "\(what)", sourceLocation: sourceLocation)
            return result.err
        }
    }

    static let seconds = "expected a number of seconds from 0.001 to 86400 (24 h)"

    /// (flag, value, what ArgumentParser says after "The value 'VALUE' is invalid for 'FLAG <NAME>': ").
    static let hostile: [(flag: String, value: String, expected: String)] = [
        ("--timeout", "nan", seconds), ("--timeout", "inf", seconds), ("--timeout", "-inf", seconds), ("--timeout", "1e300", seconds),
        ("--timeout", "-1", seconds), ("--timeout", "0", seconds), ("--timeout", "86400.5", seconds), ("--timeout", "12abc", seconds),
        ("--timeout", "0x10", seconds), ("--timeout", "1e-9", seconds), ("--timeout", "9223372036854775807", seconds),
        ("--connect-timeout", "nan", seconds), ("--connect-timeout", "infinity", seconds), ("--connect-timeout", "1.0e+17", seconds),
        ("--connect-timeout", "-0.5", seconds), ("--connect-timeout", "0", seconds),
        ("--forks", "0", "expected a whole number from 1 to 1000"), ("--forks", "1001", "expected a whole number from 1 to 1000"),
        ("--forks", "1.5", "expected a whole number from 1 to 1000"), ("--forks", "99999999999999999999", "expected a whole number from 1 to 1000"),
        ("--forks", "9223372036854775807", "expected a whole number from 1 to 1000"), ("--forks", "-1", "expected a whole number from 1 to 1000"),
        ("--connect-attempts", "0", "expected a whole number from 1 to 100"),
        ("--connect-attempts", "101", "expected a whole number from 1 to 100"),
        ("--connect-attempts", "9223372036854775807", "expected a whole number from 1 to 100"),
        ("--connect-attempts", "1e3", "expected a whole number from 1 to 100"),
        ("--connect-attempts", "nan", "expected a whole number from 1 to 100"),
    ]

    @Test func hostileConnectionFlagsOnEveryCommand() throws {
        for (index, item) in Self.hostile.enumerated() {
            // Each value on one command in turn, and the first few on all of them.
            let commands = index < 3 ? Self.commands : [Self.commands[index % Self.commands.count]]
            for command in commands {
                let err = try refused(command, ["\(item.flag)=\(item.value)"])
                let name = item.flag == "--timeout" ? "timeout" : String(item.flag.dropFirst(2))
                #expect(err.hasPrefix("Error: The value '\(item.value)' is invalid for '\(item.flag) <\(name)>': \(item.expected)\n"),
                        "\(command) \(item): \(err)")
            }
        }
    }

    /// `--timeout -1`: ArgumentParser takes `-1` for an option, and says the value is missing.
    @Test func aNegativeValueAfterASpace() throws {
        let err = try refused(["exec", "--", "true"], ["--timeout", "-1"])
        #expect(err.hasPrefix("Error: Missing value for '--timeout <timeout>'"), "\(err)")
    }

    @Test func hostilePostmultiFlags() throws {
        let command = ["postmulti", "-p", "reload", "--all"]
        for value in ["nan", "101", "-1", "inf", "1e300", "12abc"] {
            let err = try refused(command, ["--max-fail-percentage=\(value)"])
            #expect(err.hasPrefix("Error: The value '\(value)' is invalid for '--max-fail-percentage <max-fail-percentage>': expected a number from 0 to 100\n"), "\(err)")
        }
        for (value, message) in [
            ("0", "a batch size must be a whole number from 1 to 1,000,000 (got 0)"),
            ("1,99999999999999999999", "a batch size must be a whole number from 1 to 1,000,000 (got 99999999999999999999)"),
            ("1000001", "a batch size must be a whole number from 1 to 1,000,000 (got 1000001)"),
            ("101%", "a batch percentage must be from 1% to 100% (got 101%)"),
            ("99999999999999999999%", "a batch percentage must be from 1% to 100% (got 99999999999999999999%)"),
            ("1.5", "a batch size is a number of hosts (2) or a percentage (\"25%\"), not '1.5'"),
        ] {
            #expect(try refused(command, ["--serial", value]) == "postfleet: --serial: \(message)\n")
        }
    }

    /// The playbook values, through `run` and `drift`: the error at the value.
    /// `queue`, `postmulti --drain` and `tls`: what would act on mail wrongly, or not at all, is refused
    /// before any host is contacted.
    @Test func queueDrainAndTLSMistakes() throws {
        let cases: [([String], String)] = [
            (["queue", "delete", "--reason", "x"], "delete removes mail for good: add --yes (or --check to see what it would delete)"),
            (["queue", "delete", "--yes"], "delete needs a selector"),
            (["queue", "hold", "--sender", "("], "--sender"),
            (["queue", "hold", "--recipient", "[a-"], "--recipient"),
            (["queue", "hold", "--older-than", "5x"], "--older-than: expected an age such as 90s, 30m, 4h, 2d or 1w (at most a year)"),
            (["queue", "hold", "--older-than", "400d"], "--older-than: expected an age such as 90s, 30m, 4h, 2d or 1w (at most a year)"),
            (["queue", "hold", "--id", "../etc"], "--id"),
            (["queue", "hold", "--queue", "maildrop"], "--queue: 'maildrop' is not a queue"),
            (["queue", "--sender", "root"], "selectors, --check, --yes, --serial and --pause go with an action"),
            (["queue", "purge"], "unknown queue action 'purge'"),
            (["queue", "requeue", "--pause", "soon"], "--pause: expected a duration"),
            (["queue", "flush", "--serial", "0"], "--serial:"),
            (["queue", "--group", "mta", "--all"], "give at most one of --group G, --instance NAME, --all"),
            (["tls", "--expiring-within", "5x"], "--expiring-within: expected an age such as 90s, 30m, 4h, 2d or 1w (at most a year)"),
            (["tls", "--expiring-within=-1d"], "--expiring-within: expected an age"),
            (["postmulti", "-p", "reload", "--all", "--drain"], "--drain goes with -p stop"),
            (["postmulti", "-p", "stop", "--all", "--drain-deadline", "30s"], "--drain-deadline goes with --drain"),
            (["postmulti", "-p", "stop", "--all", "--drain", "--drain-deadline", "0s"], "--drain-deadline: expected a deadline such as 90s or 5m, from 1s to 1h"),
            (["postmulti", "-p", "stop", "--all", "--drain", "--drain-deadline", "2h"], "--drain-deadline: expected a deadline such as 90s or 5m, from 1s to 1h"),
        ]
        for (command, message) in cases {
            let err = try refused([command[0]], Array(command.dropFirst()))
            #expect(err.contains(message), "\(command): \(err)")
        }
    }

    @Test func hostilePlaybookNumbers() throws {
        let play = "- hosts: all\n  tasks:\n    - command: \"true\"\n"
        for (text, error) in [
            ("      retries: 9223372036854775807\n", "site.yml:4:16: error: 'retries' must be a whole number from 0 to 100 (got 9223372036854775807)"),
            ("      retries: 1\n      delay: 1.0e+17\n", "site.yml:5:14: error: 'delay' must be between 0 and 24 h (got 1.0e+17)"),
            ("      retries: 1:0:0:0:0:0:0:0:0:0:0\n", "site.yml:4:16: error: 'retries' must be a whole number from 0 to 100 (got 1:0:0:0:0:0:0:0:0:0:0)"),
            ("  policy:\n    retries: {attempts: 9223372036854775807}\n", "site.yml:5:25: error: 'attempts' must be a whole number from 1 to 100 (got 9223372036854775807)"),
            ("  policy:\n    health: {deadline: .inf}\n", "site.yml:5:24: error: 'deadline' must be between 0 and 24 h (got .inf)"),
            ("  policy:\n    max_fail_percentage: .nan\n", "site.yml:5:26: error: 'max_fail_percentage' must be from 0 to 100 (got .nan)"),
        ] {
            for command in [["run", "site.yml"], ["drift", "site.yml"]] {
                let err = try refused(command, [], files: ["site.yml": play + text])
                #expect(err.hasPrefix(error + "\n"), "\(command): \(err)")
            }
        }
    }

    /// A port out of range in the inventory is refused at its line.
    @Test func hostilePorts() throws {
        for value in ["0", "65536", "99999999999999999999", "-22", "22.5", ".nan", "0x10000"] {
            let err = try refused(["exec", "--", "true"], [], files: ["inventory.yml": "all:\n  hosts:\n    quiet1: {ansible_host: 127.0.0.1, ansible_port: \(value)}\n"])
            #expect(err.hasPrefix("postfleet: inventory.yml:3:"), "\(value): \(err)")
            #expect(err.contains("port"), "\(value): \(err)")
        }
    }
}
