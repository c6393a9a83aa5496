import ShellQuoting
/// What a host's Postfix looks like right now, read in one round trip.
public struct HostFacts: Sendable, Equatable {
    /// `mail_version`, e.g. "3.7.11".
    public var postfixVersion: String
    /// Every instance `postmulti -l` lists, in its order (the default instance first).
    public var instances: [InstanceFacts]
    /// SHA-256 (hex) of each managed file that exists; a missing file has no entry.
    public var checksums: [String: String]
    /// Whether systemd runs this host's Postfix through `postfix@` units. Such a host
    /// must not also be driven through `postfix`/`postmulti` start and stop.
    public var systemdControlled: Bool
    /// Permission bits of the files the probe was asked to stat (secret tables and their
    /// indexes), by path; a missing file is absent.
    public var modes: [String: Int]

    public init(postfixVersion: String, instances: [InstanceFacts], checksums: [String: String], systemdControlled: Bool,
                modes: [String: Int] = [:]) {
        self.postfixVersion = postfixVersion
        self.instances = instances
        self.checksums = checksums
        self.systemdControlled = systemdControlled
        self.modes = modes
    }

    public func instance(configDirectory: String) -> InstanceFacts? {
        instances.first { $0.configDirectory == configDirectory }
    }
}

/// One instance as the host reports it.
public struct InstanceFacts: Sendable, Equatable {
    /// `multi_instance_name`; nil for an unnamed (default) instance.
    public var name: String?
    public var group: String?
    public var enabled: Bool
    public var configDirectory: String
    /// The parameters its main.cf sets explicitly (what `postconf -c DIR -n` prints), read
    /// by ``MainCF`` from the file's text: the last definition of a name wins.
    public var parameters: [String: String]
    public var running: Bool
    /// The master process id while it runs, from the queue's pid/master.pid.
    public var masterPID: Int?
    /// Its master.cf services as `postconf -c DIR -M` prints them: one line per service,
    /// continuation lines joined, fields separated by single spaces.
    public var services: [String]
    /// Messages in its queue (`postqueue -c DIR -j`, one JSON line per message); nil when
    /// the probe was not asked to count them (see ``FactsProbe/QueueCount``).
    public var queuedMessages: Int?

    public init(name: String?, group: String?, enabled: Bool, configDirectory: String,
                parameters: [String: String] = [:], running: Bool = false, masterPID: Int? = nil,
                services: [String] = [], queuedMessages: Int? = nil) {
        self.name = name
        self.group = group
        self.enabled = enabled
        self.configDirectory = configDirectory
        self.parameters = parameters
        self.running = running
        self.masterPID = masterPID
        self.services = services
        self.queuedMessages = queuedMessages
    }
}

/// The one remote command that gathers ``HostFacts``, and the parser for its output.
///
/// The command is a POSIX shell script that prints sections, each headed by a marker
/// line; every file name in it is single-quoted. It changes nothing on the host.
///
/// It is built to be cheap on the host, because on a converged fleet it is all a run does
/// there (it costs about a fifth of what `postfix status` and `postconf -n`/`-M` per
/// instance cost):
/// - The instances are found as `postmulti -l` finds them, with the same queries:
///   `postconf -x` of the default instance's `multi_instance_directories`, then per
///   directory `postconf -xc DIR` of `queue_directory` and `multi_instance_name`, `_group`,
///   `_enable` (postmulti itself runs exactly that `postconf` per instance). One `postconf`
///   also gives the version and the default instance's values.
/// - One `awk` prints every instance's main.cf and master.cf; the controller parses them
///   as Postfix does (``MainCF``, ``MasterCF``), instead of `postconf -n` and `postconf -M`.
/// - Whether an instance runs is read with shell built-ins: its `pid/master.pid` names a
///   live process called `master`, not a zombie (`/proc/PID/stat`; a master that has exited
///   but whose parent has not reaped it yet is stopped). `postfix status` asks the master's
///   pid-file lock instead, at the cost of a shell script and two more processes per
///   instance.
/// - One `sha256sum` for every managed file; one `stat` for the permission bits of the
///   files asked for (secret tables), none when there are none; queues are counted only
///   where asked.
public enum FactsProbe {
    static let marker = "@@postfleet "

    /// Which instances' queues the probe counts with `postqueue -j` (the plan needs the count
    /// only for an instance it would destroy).
    public enum QueueCount: Sendable, Equatable {
        case none
        case all
        /// Only the instances with these configuration directories.
        case only([String])
    }

    /// The script; `files` are the managed files whose checksums the plan compares, `modes`
    /// those whose permission bits it compares.
    public static func command(files: [String], modes: [String] = [], queues: QueueCount = .none) -> String {
        let quoted = files.map(Shell.quote).joined(separator: " ")
        let stat = modes.isEmpty ? "" : "set --; for f in \(modes.map(Shell.quote).joined(separator: " ")); do [ ! -f \"$f\" ] || set -- \"$@\" \"$f\"; done\n"
            + "m modes; [ $# -eq 0 ] || stat -c '%a %n' -- \"$@\"\n"
        let queueTest: String
        switch queues {
        case .none: queueTest = "false"
        case .all: queueTest = "true"
        case let .only(dirs):
            queueTest = dirs.isEmpty ? "false"
                : "case $1 in \(dirs.map(Shell.quote).joined(separator: "|"))) true;; *) false;; esac"
        }
        return """
            m() { if [ $# -gt 1 ]; then printf '\\n\(marker)%s %s\\n' "$1" "$2"; else printf '\\n\(marker)%s\\n' "$1"; fi; }
            set -f; n='
            '
            # instance DIR QUEUE_DIRECTORY NAME GROUP ENABLE
            instance() {
              m instance "$1"; printf '|%s\\n' "$3" "$4" "$5"
              p=; st=; r=stopped
              [ ! -f "$2/pid/master.pid" ] || IFS=' ' read -r p < "$2/pid/master.pid"
              case $p in ''|*[!0-9]*) ;; *) [ ! -f "/proc/$p/stat" ] || read -r st < "/proc/$p/stat";; esac
              case $st in *"(master) Z"*) ;; *"(master) "*) r=running;; esac
              m status "$1"; echo "$r"
              m pid "$1"; [ "$r" = stopped ] || echo "$p"
              if \(queueTest); then m queue "$1"; postqueue -c "$1" -j 2>/dev/null | wc -l; fi
              for f in "$1/main.cf" "$1/master.cf"; do [ ! -f "$f" ] || cf="$cf$f$n"; done
            }
            cf=; v=$(postconf -xh mail_version config_directory queue_directory multi_instance_directories multi_instance_name multi_instance_group multi_instance_enable 2>&1)
            { IFS= read -r ver; IFS= read -r cd; IFS= read -r q; IFS= read -r dirs; IFS= read -r name; IFS= read -r group; IFS= read -r enable; } <<EOF
            $v
            EOF
            m version; printf '%s\\n' "$ver"
            instance "$cd" "$q" "$name" "$group" "$enable"
            IFS=", \t"; for d in $dirs; do
              IFS=$n
              if v=$(postconf -xc "$d" -h queue_directory multi_instance_name multi_instance_group multi_instance_enable 2>&1); then
                { IFS= read -r q; IFS= read -r name; IFS= read -r group; IFS= read -r enable; } <<EOF
            $v
            EOF
                instance "$d" "$q" "$name" "$group" "$enable"
              else
                m error "$d"; printf '%s\\n' "$v"
              fi
            done
            IFS=$n; m files
            [ -z "$cf" ] || awk 'BEGIN { for (i = 1; i < ARGC; i++) { print "\(marker)file " ARGV[i]; while ((getline l < ARGV[i]) > 0) print "|" l; close(ARGV[i]) } }' $cf
            m systemd; if [ -d /run/systemd/system ] && systemctl is-enabled --quiet 'postfix@-' 2>/dev/null; then echo yes; else echo no; fi
            set --; for f in \(quoted); do [ ! -f "$f" ] || set -- "$@" "$f"; done
            m checksums; [ $# -eq 0 ] || sha256sum -- "$@"
            \(stat)m end
            """
    }

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func parse(_ output: String) throws(ParseError) -> HostFacts {
        var sections: [(key: String, lines: [Substring])] = []
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(marker) {
                sections.append((String(line.dropFirst(marker.count)), []))
            } else if !sections.isEmpty, !line.isEmpty {
                sections[sections.count - 1].lines.append(line)
            }
        }
        guard sections.last?.key == "end" else {
            throw ParseError(description: "the facts command did not run to its end; output was: \(output.suffix(300))")
        }
        func section(_ key: String) -> [Substring] { sections.first { $0.key == key }?.lines ?? [] }
        // A file's text comes as lines each prefixed with "|" (so no line of it can look like
        // a marker, and empty lines survive); a file that does not exist has no section.
        func file(_ path: String) -> String? {
            guard let lines = sections.first(where: { $0.key == "file " + path })?.lines else { return nil }
            return lines.map { $0.dropFirst() + "\n" }.joined()
        }

        let version = section("version").first.map(String.init) ?? ""
        guard !version.isEmpty, !version.contains(" ") else {
            throw ParseError(description: "Postfix does not answer: postconf -h mail_version printed \(version.isEmpty ? "nothing" : "'\(version)'")")
        }
        var instances: [InstanceFacts] = []
        for (key, lines) in sections {
            if key.hasPrefix("error ") {
                let dir = key.dropFirst("error ".count)
                throw ParseError(description: "postconf -c \(dir): " + lines.joined(separator: " "))
            }
            guard key.hasPrefix("instance ") else { continue }
            let dir = String(key.dropFirst("instance ".count))
            // name, group, enable; each line "|" + value (an empty value is an empty line)
            let values = lines.map { String($0.dropFirst()) }
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
                instance.services = MasterCF(text).services.map { $0.fields.joined(separator: " ") }
            }
            instance.running = section("status \(dir)").first == "running"
            instance.masterPID = instance.running ? section("pid \(dir)").first.flatMap { Int($0) } : nil
            instance.queuedMessages = section("queue \(dir)").first.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            instances.append(instance)
        }
        var checksums: [String: String] = [:]
        for line in section("checksums") {
            // "HEX  PATH" (two spaces); a path may contain spaces.
            guard let space = line.firstIndex(of: " ") else { continue }
            let hash = String(line[..<space])
            let start = line.index(space, offsetBy: 2, limitedBy: line.endIndex) ?? line.endIndex
            let path = String(line[start...])
            checksums[path] = hash
        }
        var modes: [String: Int] = [:]
        for line in section("modes") {
            // "OCTAL PATH"; a path may contain spaces.
            guard let space = line.firstIndex(of: " "), let mode = Int(line[..<space], radix: 8) else { continue }
            modes[String(line[line.index(after: space)...])] = mode
        }
        return HostFacts(postfixVersion: version, instances: instances, checksums: checksums,
                         systemdControlled: section("systemd").first == "yes", modes: modes)
    }

}

/// `postmulti -l`: `name group enabled config_directory`, `-` for unset, padded with spaces.
/// The whole-output parser is ``PostmultiListing/parse(_:)``.
public enum PostmultiListing {
    public struct LineError: Error {}

    /// One line of the listing.
    public static func parseLine(_ line: Substring) throws(LineError) -> InstanceFacts {
        guard let instances = try? parse(String(line)), instances.count == 1 else { throw LineError() }
        return instances[0]
    }
}

import Foundation
