import Foundation
import ShellQuoting
import Synchronization

/// The one remote command that gathers ``HostFacts``, and the parser for its output.
///
/// The command is a POSIX shell script that reports in ``MarkedOutput`` records; every file
/// name in it is single-quoted. It changes nothing on the host but its own record of
/// `postconf`'s answers and the managed files' checksums (``cachePath``).
///
/// It is built to be cheap on the host, because on a converged fleet it is all a run does
/// there (it costs about a fifth of what `postfix status` and `postconf -n`/`-M` per
/// instance cost):
/// - The instances are found as `postmulti -l` finds them, with the same queries:
///   `postconf -x` of the default instance's `multi_instance_directories`, then per
///   directory `postconf -xc DIR` of `queue_directory` and `multi_instance_name`, `_group`,
///   `_enable` (postmulti itself runs exactly that `postconf` per instance). One `postconf`
///   also gives the version and the default instance's values. While `postconf` and every
///   main.cf are the files they were, the answers of the last probe are reused and no
///   `postconf` runs at all (FactsProbe+Cache.swift).
/// - One `awk` prints every instance's main.cf and master.cf; the controller parses them
///   as Postfix does (``MainCF``, ``MasterCF``), instead of `postconf -n` and `postconf -M`.
/// - Whether an instance runs is read with shell built-ins (``MasterSockets``'s
///   `pf_master`): its `pid/master.pid` names a live process called `master`, not a zombie
///   (`/proc/PID/stat`; a master that has exited but whose parent has not reaped it yet is
///   stopped). `postfix status` asks the master's
///   pid-file lock instead, at the cost of a shell script and two more processes per
///   instance.
/// - One `stat` gives the identity of `postconf`, every main.cf, every managed file and
///   the permission bits of the files asked for (secret tables). The managed files'
///   checksums are kept with postconf's answers, each beside its file's identity: one
///   `sha256sum` runs only for a set of files of which one changed. Queues are counted only
///   where asked.
/// - No other program starts: the PATH is searched for `postconf` with built-ins, and no
///   command substitution runs a shell function (each would cost a process).
public enum FactsProbe {
    /// Which instances' queues the probe counts with `postqueue -j` (the plan needs the count
    /// only for an instance it would destroy).
    public enum QueueCount: Sendable, Equatable {
        case none
        case all
        /// Only the instances with these configuration directories.
        case only([String])
    }

    /// The script; `files` are the managed files whose checksums the plan compares, `modes`
    /// those whose permission bits it compares; `cache` where the host keeps `postconf`'s
    /// answers between probes (nil: nowhere, `postconf` runs each time).
    public static func command(files: [String], modes: [String] = [], queues: QueueCount = .none,
                               cache: String? = cachePath) -> String {
        // The existing files of each list, a line each (shell built-ins only).
        func existing(_ paths: [String]) -> String {
            paths.isEmpty ? "" : "for f in \(paths.map(Shell.quote).joined(separator: " ")); do [ ! -f \"$f\" ] || ck_f=\"$ck_f$f$n\"; done"
        }
        return """
            \(MarkedOutput.functions)
            \(MasterSockets.functions)
            set -f; n='
            '
            # v_lines NAME...: the lines of $v, one into each NAME in turn (an empty value when
            # there are fewer), as `read -r` of a here-document would, without its reads of a
            # byte each
            v_lines() { v_r=$v$n; for v_x; do eval "$v_x=\\${v_r%%\\"\\$n\\"*}"; v_r=${v_r#*"$n"}; done; }
            # instance DIR QUEUE_DIRECTORY NAME GROUP ENABLE
            instance() {
              mark instance "$1"; mark_line "$3" "$4" "$5"
              p=; r=stopped
              if pf_master "$2"; then p=$pf_pid; r=running; fi
              mark status "$1"; mark_line "$r"
              mark pid "$1"; [ "$r" = stopped ] || mark_line "$p"
              if \(queueTest(queues)); then mark queue "$1"; mark_line "$(postqueue -c "$1" -j 2>/dev/null | wc -l)"; fi
              for f in "$1/main.cf" "$1/master.cf"; do [ ! -f "$f" ] || cf="$cf$f$n"; done
              [ -z "$sd" ] || sd_instance "$1" "$p" "$r" "$3"
            }
            \(systemdFunctions)
            \(freshInstall)
            ck_f=; \(existing(files))
            ck_files=$ck_f; ck_f=; \(existing(modes))
            md_files=$ck_f
            \(cacheFunctions(cache))
            cf=
            \(defaultInstanceValues("mail_version config_directory queue_directory data_directory multi_instance_directories multi_instance_name multi_instance_group multi_instance_enable"))
            v_lines ver cd q dd dirs name group enable
            mark version; mark_line "$ver"
            instance "$cd" "$q" "$name" "$group" "$enable"
            mark directories "$cd"; mark_line "$q" "$dd"
            pc_dirs=$cd
            IFS=", \t"; for d in $dirs; do
              IFS=$n; pc_dirs="$pc_dirs $d"
              if pc_dir "$d" queue_directory data_directory multi_instance_name multi_instance_group multi_instance_enable; then
                v_lines q dd name group enable
                instance "$d" "$q" "$name" "$group" "$enable"
                mark directories "$d"; mark_line "$q" "$dd"
              else
                mark error "$d"; mark_line $v
              fi
            done
            IFS=$n; mark files
            [ -z "$cf" ] || \(MarkedOutput.configFiles("$cf"))
            \(systemdSection)
            mark checksums; ck_print
            \(modes.isEmpty ? "" : "mark modes; md_print")
            pc_end "$pc_dirs"
            mark end
            """
    }

    /// The shell test that says whether the instance in directory `$1` has its queue counted.
    static func queueTest(_ queues: QueueCount) -> String {
        switch queues {
        case .none: "false"
        case .all: "true"
        case let .only(dirs):
            dirs.isEmpty ? "false" : "case $1 in \(dirs.map(Shell.quote).joined(separator: "|"))) true;; *) false;; esac"
        }
    }

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func parse(_ output: String) throws(ParseError) -> HostFacts {
        let records = MarkedOutput(output).records
        guard records.last?.kind == "end" else {
            throw ParseError(description: "the facts command did not run to its end; output was: \(output.suffix(300))")
        }
        var sections: [String: [Substring]] = [:]
        for record in records where sections[record.key] == nil { sections[record.key] = record.body }
        func section(_ key: String) -> [Substring] { sections[key] ?? [] }
        // A file's text comes as its body lines; a file that does not exist has no section.
        func file(_ path: String) -> String? {
            sections["file " + path].map { $0.map { $0 + "\n" }.joined() }
        }

        let version = try installedVersion(section)
        var instances: [InstanceFacts] = []
        for record in records {
            if record.kind == "error" {
                throw ParseError(description: "postconf -c \(record.rest): " + record.body.joined(separator: " "))
            }
            guard record.kind == "instance" else { continue }
            let dir = String(record.rest)
            // name, group, enable; each one line (an empty value is an empty line)
            let values = record.body.map(String.init)
            guard values.count == 3 else {
                throw ParseError(description: "instance \(dir): unexpected answer \(values)")
            }
            // postmulti lists the default instance (the first) as enabled, whatever its
            // multi_instance_enable says.
            var instance = InstanceFacts(name: values[0].isEmpty ? nil : values[0], group: values[1].isEmpty ? nil : values[1],
                                         enabled: instances.isEmpty || values[2].lowercased() == "yes", configDirectory: dir)
            if let text = file(dir + "/main.cf") {
                instance.parameters = Dictionary(MainCF(text).parameters, uniquingKeysWith: { $1 })
            }
            if let text = file(dir + "/master.cf") {
                instance.services = services(text)
            }
            instance.running = section("status \(dir)").first == "running"
            instance.masterPID = instance.running ? section("pid \(dir)").first.flatMap { Int($0) } : nil
            instance.queuedMessages = section("queue \(dir)").first.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            readFreshInstallFacts(into: &instance, section: section, unconfigured: sections["unconfigured"] != nil && instances.isEmpty)
            instances.append(instance)
        }
        var facts = HostFacts(postfixVersion: version, instances: instances, checksums: checksums(section("checksums")),
                              systemdControlled: false, modes: modes(section("modes")))
        readSystemd(into: &facts, sections: sections)
        return facts
    }

    /// The services of a master.cf, each as its fields joined by a space. A fleet's master.cf
    /// files are mostly the same text (every instance of every host of a playbook), so the
    /// last texts' services are kept for the hosts after: a hash of the text in place of a
    /// parse. At most ``servicesKept`` texts are kept.
    static func services(_ text: String) -> [String] {
        if let known = parsedServices.withLock({ $0[text] }) { return known }
        let services = MasterCF(text).services.map { $0.fields.joined(separator: " ") }
        parsedServices.withLock { kept in
            if kept.count >= servicesKept { kept.removeAll() }
            kept[text] = services
        }
        return services
    }

    static let servicesKept = 64
    private static let parsedServices = Mutex<[String: [String]]>([:])

    /// `sha256sum` lines: "HEX  PATH" (two spaces); a path may contain spaces.
    static func checksums(_ lines: [Substring]) -> [String: String] {
        var checksums: [String: String] = [:]
        for line in lines {
            guard let space = line.firstIndex(of: " ") else { continue }
            let start = line.index(space, offsetBy: 2, limitedBy: line.endIndex) ?? line.endIndex
            checksums[String(line[start...])] = String(line[..<space])
        }
        return checksums
    }

    /// `stat -c '%a %n'` lines: "OCTAL PATH"; a path may contain spaces.
    static func modes(_ lines: [Substring]) -> [String: Int] {
        var modes: [String: Int] = [:]
        for line in lines {
            guard let space = line.firstIndex(of: " "), let mode = Int(line[..<space], radix: 8) else { continue }
            modes[String(line[line.index(after: space)...])] = mode
        }
        return modes
    }
}
