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

    public init(postfixVersion: String, instances: [InstanceFacts], checksums: [String: String], systemdControlled: Bool) {
        self.postfixVersion = postfixVersion
        self.instances = instances
        self.checksums = checksums
        self.systemdControlled = systemdControlled
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
    /// `postconf -c DIR -n`: the parameters set explicitly in its main.cf.
    public var parameters: [String: String]
    public var running: Bool
    /// The master process id while it runs, from the queue's pid/master.pid.
    public var masterPID: Int?
    /// `postconf -c DIR -M`: one normalized line per master.cf service.
    public var services: [String]
    /// Messages in its queue (`postqueue -c DIR -j`, one JSON line per message).
    public var queuedMessages: Int

    public init(name: String?, group: String?, enabled: Bool, configDirectory: String,
                parameters: [String: String] = [:], running: Bool = false, masterPID: Int? = nil,
                services: [String] = [], queuedMessages: Int = 0) {
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
public enum FactsProbe {
    static let marker = "@@postfleet "

    /// The script; `files` are the managed files whose checksums the plan compares.
    public static func command(files: [String]) -> String {
        let quoted = files.map(Shell.quote).joined(separator: " ")
        return """
            m() { printf '\\n\(marker)%s\\n' "$*"; }
            m version; postconf -h mail_version 2>&1
            l=$(postmulti -l 2>&1); m instances; printf '%s\n' "$l"
            for d in $(printf '%s\n' "$l" | awk 'NF == 4 && $4 ~ "^/" {print $4}'); do
              m config "$d"; postconf -c "$d" -n 2>/dev/null
              m status "$d"; if postfix -c "$d" status >/dev/null 2>&1; then echo running; else echo stopped; fi
              m pid "$d"; q=$(postconf -c "$d" -h queue_directory 2>/dev/null); tr -d ' ' < "$q/pid/master.pid" 2>/dev/null
              m services "$d"; postconf -c "$d" -M 2>/dev/null
              m queue "$d"; postqueue -c "$d" -j 2>/dev/null | wc -l
            done
            m systemd; if [ -d /run/systemd/system ] && systemctl is-enabled --quiet 'postfix@-' 2>/dev/null; then echo yes; else echo no; fi
            m checksums; for f in \(quoted); do [ -f "$f" ] && sha256sum -- "$f"; done
            m end
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

        let version = section("version").first.map(String.init) ?? ""
        guard !version.isEmpty, !version.contains(" ") else {
            throw ParseError(description: "Postfix does not answer: postconf -h mail_version printed \(version.isEmpty ? "nothing" : "'\(version)'")")
        }
        var instances: [InstanceFacts] = []
        let listed: [InstanceFacts]
        do {
            listed = try PostmultiListing.parse(section("instances").joined(separator: "\n"))
        } catch {
            throw ParseError(description: error.description)
        }
        for entry in listed {
            var instance = entry
            let dir = entry.configDirectory
            instance.parameters = MainCFParameters.parse(section("config \(dir)"))
            instance.running = section("status \(dir)").first == "running"
            instance.masterPID = instance.running ? section("pid \(dir)").first.flatMap { Int($0) } : nil
            instance.services = section("services \(dir)").map(String.init)
            instance.queuedMessages = section("queue \(dir)").first.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
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
        return HostFacts(postfixVersion: version, instances: instances, checksums: checksums,
                         systemdControlled: section("systemd").first == "yes")
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

/// `postconf -n` output: `name = value` lines.
public enum MainCFParameters {
    public static func parse<S: StringProtocol>(_ lines: [S]) -> [String: String] {
        var out: [String: String] = [:]
        for line in lines {
            guard let eq = line.range(of: " = ") ?? line.range(of: " =") else { continue }
            out[String(line[..<eq.lowerBound])] = String(line[eq.upperBound...])
        }
        return out
    }
}

import Foundation
