import Foundation
import Planning
import Playbook
import Postfix
import ShellQuoting

/// One host's entry in the record of changes: who changed what, when, from which playbook,
/// and how it ended. The apply script appends it as one JSON line to ``hostLog`` on the host
/// (mode 0600, rotated by size) and sends a one-line summary to syslog; the controller
/// writes the same line to its own log (`--log`). Names only: parameter names, service
/// names, table names and keys, file names; never a value.
public struct ChangeRecord: Codable, Sendable, Equatable {
    public var run: String
    /// When the run started (UTC, ISO 8601).
    public var time: String
    public var host: String
    public var controller: String
    public var user: String
    public var pid: Int32
    public var command: String
    public var playbook: String?
    public var playbookSHA256: String?
    /// For `postfleet restore`: the run whose files were put back.
    public var restores: String?
    /// postmulti life-cycle operations, as postmulti's command lines.
    public var lifecycle: [String]
    public var instances: [Instance]
    /// The play's tasks: their names, else a postmulti task's command line.
    public var tasks: [String]
    /// `ok` or `failed` (then everything was put back), written by the host at the end.
    public var result: String?
    /// True when the controller was gone when the apply script ended (killed, or its
    /// connection lost): the change ran to its end on the host all the same.
    public var controllerLost: Bool?
    /// When the apply script ended.
    public var ended: String?
    /// Every live file the run swapped in, in order, and whether it had a backup made
    /// (`NAME.postfleet-RUN`; false: the run created it). Written by the host; after a
    /// failed run, the files it put back.
    public var swapped: [Swap]?

    public struct Swap: Codable, Sendable, Equatable {
        public var path: String
        public var backup: Bool
    }

    public struct Instance: Codable, Sendable, Equatable {
        public var name: String
        /// main.cf parameters added, removed or changed.
        public var parameters: [String]
        /// master.cf services (`NAME/TYPE`) added, removed or changed.
        public var services: [String]
        /// Changed tables, each with its changed keys (empty when they were not compared).
        public var tables: [String: [String]]
        /// Other files of its directory that changed (certificates, keys).
        public var files: [String]
        /// reload, restart, start, postmap, or none.
        public var action: String
    }

    enum CodingKeys: String, CodingKey {
        case run, time, host, controller, user, pid, command, playbook
        case playbookSHA256 = "playbook_sha256"
        case restores, lifecycle, instances, tasks, result
        case controllerLost = "controller_lost"
        case ended, swapped
    }

    /// The host's log of changes.
    public static let hostLog = "/var/log/postfleet.log"
    /// The size past which the host's log is rotated (to `.1`, the one before dropped).
    public static let rotateAt = 4 * 1024 * 1024

    /// What a run records besides the plan: who runs it, and from which playbook.
    public struct Context: Sendable {
        public var holder: HostLock.Holder
        public var playbook: String?
        public var playbookSHA256: String?
        public var restores: String?

        public init(holder: HostLock.Holder, playbook: String? = nil, playbookSHA256: String? = nil, restores: String? = nil) {
            self.holder = holder
            self.playbook = playbook
            self.playbookSHA256 = playbookSHA256
            self.restores = restores
        }
    }

    public init(host: String, plan: HostPlan, tasks: [PlayTask], context: Context) {
        run = context.holder.run
        time = context.holder.started
        self.host = host
        controller = context.holder.controller
        user = context.holder.user
        pid = context.holder.pid
        command = context.holder.command
        playbook = context.playbook
        playbookSHA256 = context.playbookSHA256
        restores = context.restores
        lifecycle = plan.lifecycle.map(\.commandLine)
        // A command's text may hold a rendered secret: only its name, or that it was one.
        self.tasks = tasks.map { task in
            if let name = task.name { return name }
            if case let .postmulti(command) = task.action {
                // `-x COMMAND` runs a shell command: as secret-prone as a command task.
                if case .exec = command.operation {
                    return (["postmulti"] + (command.target?.arguments ?? []) + ["-x", "(command)"]).joined(separator: " ")
                }
                return command.commandLine
            }
            return "(command)"
        }
        instances = Self.merged(((plan.prepare.map { [$0] } ?? []) + plan.instances).filter { !$0.isEmpty }.map(Self.instance))
    }

    /// One entry per instance: a fresh host's default instance is written twice (its
    /// main.cf before postmulti's operations, then as the play says), and the record says
    /// what changed in it once: the names of both, the second's action.
    static func merged(_ instances: [Instance]) -> [Instance] {
        var out: [Instance] = []
        for i in instances {
            guard let k = out.firstIndex(where: { $0.name == i.name }) else { out.append(i); continue }
            func union(_ a: [String], _ b: [String]) -> [String] { a + b.filter { !a.contains($0) } }
            out[k].parameters = union(out[k].parameters, i.parameters).sorted()
            out[k].services = union(out[k].services, i.services)
            out[k].files = union(out[k].files, i.files)
            for (name, keys) in i.tables { out[k].tables[name] = union(out[k].tables[name] ?? [], keys) }
            if i.action != "none" { out[k].action = i.action }
        }
        return out
    }

    static func instance(_ plan: InstancePlan) -> Instance {
        var services: [String] = []
        var tables: [String: [String]] = [:]
        for entry in plan.diff {
            switch entry.section {
            case .masterCF: if !services.contains(entry.key) { services.append(entry.key) }
            case let .table(name) where entry.key != DiffEntry.modeKey: tables[name, default: []].append(entry.key)
            default: break
            }
        }
        for table in plan.change.tables where tables[table.name] == nil { tables[table.name] = [] }
        let action = plan.action != .none ? plan.action.description : plan.start ? "start" : "none"
        return Instance(name: plan.instance.name, parameters: plan.change.parameters.sorted(), services: services,
                        tables: tables, files: plan.change.files, action: action)
    }

    /// The SHA-256 of the file at `path` as it is now (a playbook), as sha256sum prints it.
    public static func digest(ofFile path: String) -> String? {
        FileManager.default.contents(atPath: path).map { SHA256.hex(Array($0)) }
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// The one line syslog gets: who, which run, from what, and the names of what changed.
    /// When the names would make the line longer than a syslog line should be (900
    /// characters; a first rollout names dozens of parameters), each instance says how many
    /// of each kind instead, so that every instance still appears: the names are in ``hostLog``.
    public var syslogLine: String {
        let from = playbook.map { " playbook \($0)" + (playbookSHA256.map { " sha256 \($0.prefix(16))" } ?? "") } ?? ""
        let head = "run \(run) by \(user)@\(controller)\(from)\(restores.map { " restores run \($0)" } ?? ""): "
        func body(named: Bool) -> String {
            let changed = instances.map { i -> String in
                guard named else {
                    let counts = [(i.parameters.count, "parameter"), (i.services.count, "service"), (i.tables.count, "table"), (i.files.count, "file")]
                        .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)\($0.0 == 1 ? "" : "s")" }
                    return "\(i.name): \(counts.isEmpty ? i.action : counts.joined(separator: ", ") + " (\(i.action))")"
                }
                let parts = i.parameters + i.services + i.tables.keys.sorted().map { name in
                    let keys = i.tables[name] ?? []
                    return keys.isEmpty ? name : "\(name)[\(keys.joined(separator: ","))]"
                } + i.files
                return "\(i.name): \(parts.isEmpty ? i.action : parts.joined(separator: ","))"
            } + (named ? lifecycle : lifecycle.isEmpty ? [] : ["\(lifecycle.count) postmulti operation\(lifecycle.count == 1 ? "" : "s")"])
            return changed.isEmpty ? "tasks only" : changed.joined(separator: "; ")
        }
        var line = head + body(named: true)
        if line.count > 900 { line = head + body(named: false) }
        return line.count > 900 ? String(line.prefix(897)) + "..." : line
    }

    /// The record as the host completes it: its JSON without the closing brace (the host
    /// adds what only it knows: the files swapped, the result, the end time).
    public var openJSON: String {
        var open = json
        open.removeLast()
        return open
    }

    /// The name the record travels under in the apply script's archive (at the top of the
    /// receive directory, where no file of a host can land: their paths start with `etc/`).
    /// It travels there rather than in the script because it grows with the number of
    /// names a change touches (a first rollout of a long main.cf names hundreds), and the
    /// script has to fit one SSH exec request (``ApplyScript/largestScript``).
    public static let archiveName = ".postfleet-record.json"
    /// The syslog line's name in the archive (``syslogLine``, up to 900 bytes).
    public static let syslogArchiveName = ".postfleet-syslog.txt"

    /// What the archive carries of the record: the record and its syslog line.
    public var archiveEntries: [(name: String, text: String)] {
        [(Self.archiveName, openJSON), (Self.syslogArchiveName, syslogLine)]
    }

    /// The shell that writes the record at the script's end: `record RESULT` appends this
    /// record, its result, whether the controller was still there, and the time to
    /// ``hostLog``, and the summary to syslog (with `logger`, where there is one). Never
    /// fails the script. The script itself carries only who and which run; what changed
    /// comes from the archive (``archiveName``), which every change with a record sends:
    /// a script that ends before the archive is in says who and which run, no more.
    public var shell: String {
        var bare = self
        bare.instances = []
        bare.lifecycle = []
        bare.tasks = []
        return """
        REC=\(Shell.quote(bare.openJSON))
        record() {
          msg=\(Shell.quote("run \(run) by \(user)@\(controller)"))
          if [ -s "$T/in/\(Self.archiveName)" ]; then REC=$(cat "$T/in/\(Self.archiveName)") || true; fi
          if [ -s "$T/in/\(Self.syslogArchiveName)" ]; then msg=$(cat "$T/in/\(Self.syslogArchiveName)") || true; fi
          # The controller is lost when its holder is gone: exited, or a zombie no one has
          # reaped yet (kill -0 succeeds on those), or another run's holder in its place.
          lost=false
          if [ -n "${HP:-}" ]; then
            if [ -r "/proc/$HP/status" ]; then grep -q '^State:[[:space:]]*Z' "/proc/$HP/status" && lost=true
            else kill -0 "$HP" 2>/dev/null || lost=true; fi
            grep -qF "\\"run\\":\\"$ID\\"" \(HostLock.holderFile) 2>/dev/null || lost=true
          fi
          sw=$(sep=; while read -r b p; do
              [ "$b" = 1 ] && b=true || b=false
              printf '%s{"path":"%s","backup":%s}' "$sep" "$(printf '%s' "$p" | sed 's/["\\\\]/\\\\&/g')" "$b"; sep=,
            done <"$T/committed")
          line=$(printf '%s,"swapped":[%s],"result":"%s","controller_lost":%s,"ended":"%s"}' "$REC" "$sw" "$1" "$lost" "$(date -u +%Y-%m-%dT%H:%M:%SZ)")
          ( umask 077
            l=\(Self.hostLog)
            if [ -f "$l" ] && [ "$(wc -c <"$l")" -gt \(Self.rotateAt) ]; then mv -f -- "$l" "$l.1"; fi
            printf '%s\\n' "$line" >>"$l" && chmod 600 "$l" ) 2>/dev/null
          if command -v logger >/dev/null 2>&1; then logger -t postfleet -- "$msg result=$1$( [ "$lost" = false ] || echo ' (controller lost)')" 2>/dev/null; fi
          return 0
        }
        """
    }
}
