import Foundation

/// An executable inventory source, run as Ansible's `script` inventory plugin runs it:
/// `SCRIPT --list` prints a JSON object of groups,
///
///     {"border": {"hosts": ["mta1", "mta2"], "vars": {"relay": "mailhub"}, "children": ["edge"]},
///      "edge": ["mta3"],
///      "_meta": {"hostvars": {"mta1": {"ansible_host": "192.0.2.1"}}}}
///
/// and each host's variables come from `_meta.hostvars`, or, without `_meta`, from
/// `SCRIPT --host HOST` (one run per host). As in Ansible, a group given as a list is its
/// hosts, and an object without `hosts`, `vars` or `children` is the variables of a host
/// named like the group. The script runs in the current directory (as Ansible runs it),
/// and each run is stopped after ``defaultTimeout`` (Ansible waits without end). A run that
/// fails, or prints something else than that, is an error with its exit status and its
/// standard error.
public struct InventoryScript: Sendable {
    /// How long one run may take: 60 seconds.
    public static let defaultTimeout: Duration = .seconds(60)

    let path: String
    let timeout: Duration

    /// Whether `path` is a program: executable, and starting with `#!` or an ELF header (an
    /// executable text file without `#!`, such as an INI file copied from a share, cannot be
    /// run, and Ansible then reads it as a file).
    static func isScript(_ path: String) -> Bool {
        guard access(path, X_OK) == 0, let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let start = (try? handle.read(upToCount: 4)) ?? Data()
        return start.starts(with: [0x23, 0x21]) || start.starts(with: [0x7F, 0x45, 0x4C, 0x46])
    }

    func read(into builder: inout InventoryBuilder) throws(InventorySourceError) {
        let listing = try run(["--list"])
        guard let document = JSONReader.read(listing.text) else {
            throw error("\(commandLine(["--list"])) printed something else than JSON: \(Self.excerpt(listing.text))", listing.stderr)
        }
        guard case let .map(groups) = document.value else {
            throw error("\(commandLine(["--list"])) printed \(document.value.kindDescription), not a JSON object of groups", listing.stderr)
        }
        var reader = GroupReader(script: self, stderr: listing.stderr)
        var hostVariables: [String: Value]?
        // In the order the script printed them, as Ansible reads them.
        let order = groups.keys.sorted { (document.positions[$0] ?? (0, 0)) < (document.positions[$1] ?? (0, 0)) }
        for name in order {
            guard name == "_meta" else {
                try reader.readGroup(name, groups[name]!, into: &builder)
                continue
            }
            guard case let .map(meta)? = groups[name], case let .map(hostvars)? = meta["hostvars"] else {
                let found = groups[name]?["hostvars"]?.kindDescription ?? "missing"
                throw error("'_meta.hostvars' in the output of \(commandLine(["--list"])) must be an object of hosts, not \(found)", listing.stderr)
            }
            hostVariables = hostvars
        }
        for host in reader.hosts {
            var vars = Value.map([:])
            if let hostVariables {
                vars = hostVariables[host] ?? vars
            } else {
                vars = try variables(of: host)
            }
            guard case let .map(map) = vars else {
                throw error("the variables of host '\(host)' from \(path) must be an object, not \(vars.kindDescription)", listing.stderr)
            }
            for (name, value) in map.sorted(by: { $0.key < $1.key }) {
                do throws(InventoryProblem) {
                    try builder.setVariable(name, value, ofHost: host)
                } catch {
                    throw self.error("host '\(host)': \(error.message)", listing.stderr)
                }
            }
        }
    }

    /// `SCRIPT --host HOST`: empty output is no variables.
    private func variables(of host: String) throws(InventorySourceError) -> Value {
        let output = try run(["--host", host])
        if output.text.trimmingPythonSpace().isEmpty { return .map([:]) }
        guard let document = JSONReader.read(output.text) else {
            throw error("\(commandLine(["--host", host])) printed something else than JSON: \(Self.excerpt(output.text))", output.stderr)
        }
        return document.value
    }

    struct Output {
        let text: String
        let stderr: String
    }

    /// One run: its standard output as text, and its standard error; a failure is an error.
    private func run(_ arguments: [String]) throws(InventorySourceError) -> Output {
        let command = commandLine(arguments)
        let outcome: ChildProcess.Outcome
        do throws(ChildProcess.Failure) {
            outcome = try ChildProcess.run(path, arguments, timeout: timeout)
        } catch {
            switch error {
            case let .cannotRun(reason):
                throw self.error("\(command) could not be run (\(reason)); its first line, which names the program that runs it, is '\(firstLine)'", "")
            case .timedOut: throw self.error("\(command) did not finish within \(Self.describe(timeout)), and was stopped", "")
            case .outputLeftOpen:
                throw self.error("\(command) ended, but a process it started still holds its output open", "")
            }
        }
        let stderr = String(decoding: outcome.stderr, as: UTF8.self)
        if outcome.killedBySignal {
            throw self.error("\(command) was killed by signal \(outcome.status)", stderr)
        }
        if outcome.status != 0 {
            throw self.error("\(command) exited with status \(outcome.status)", stderr)
        }
        guard let text = String(data: outcome.stdout, encoding: .utf8) else {
            throw self.error("the output of \(command) is not UTF-8 text", stderr)
        }
        return Output(text: text, stderr: stderr)
    }

    /// The `#!` line, for an error, at most 80 characters.
    private var firstLine: String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return String(text.prefix { !$0.isNewline }.prefix(80))
    }

    func commandLine(_ arguments: [String]) -> String {
        ([path] + arguments).joined(separator: " ")
    }

    /// An error about this script, its standard error (if any) below it, cut to 20 lines.
    func error(_ message: String, _ stderr: String) -> InventorySourceError {
        var lines = stderr.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        while lines.last?.isEmpty == true { lines.removeLast() }
        if lines.count > 20 { lines = lines.prefix(20) + ["... (\(lines.count - 20) more lines)"] }
        let detail = lines.isEmpty ? [] : ["its standard error:"] + lines.map { "  " + $0 }
        return InventorySourceError(source: path, message: message, detail: detail)
    }

    /// The start of some output, for a message: its first line, at most 60 characters, quoted.
    private static func excerpt(_ text: String) -> String {
        let trimmed = text.trimmingPythonSpace()
        if trimmed.isEmpty { return "nothing" }
        let line = trimmed.prefix { !$0.isNewline }
        let shown = line.count > 60 ? line.prefix(60) + "..." : line
        return "'\(String(shown).unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : String($0) }.joined())'"
    }

    private static func describe(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        return "\(seconds) second\(seconds == 1 ? "" : "s")"
    }
}
