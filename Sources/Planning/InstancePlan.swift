import Foundation
import Playbook
import Postfix

/// What the run does to one instance.
public struct InstancePlan: Sendable {
    public var instance: PostfixInstance
    /// The instance as it was before the run; nil when the run creates it.
    public var before: InstanceFacts?
    /// Whole files to write (main.cf, master.cf, table sources), each because its checksum differs.
    public var writes: [RenderedFile]
    /// postconf edits to apply to the staged main.cf / master.cf: only those that change something.
    public var edits: [PostconfEdit]
    /// Indexed tables to build with postmap (source changed, or the indexed file is missing).
    public var postmaps: [RenderedFile]
    /// What changed, as ``ChangeImpact`` judges it.
    public var change: InstanceChange
    /// The least disruptive way to make it live.
    public var action: LiveAction
    /// The instance should run (it is enabled) and does not: start it after the change.
    public var start: Bool
    /// Per parameter, service and table key: what changes.
    public var diff: [DiffEntry]
    /// Its master runs outside its systemd unit (``InstanceFacts/runsOutsideUnit``): stop that
    /// master and start the unit (which also makes any file change live).
    public var adopt = false
    /// The action the change needs and `reload: false` withholds: the files go live, the
    /// instance keeps running with what it read before.
    public var withheld: LiveAction? = nil
    /// How a changed certificate is checked in the stage (`tls:`); nil: not checked.
    public var tlsCheck: TLSStageCheck.Settings? = nil

    /// No file to touch and nothing to start.
    public var isEmpty: Bool { writes.isEmpty && edits.isEmpty && postmaps.isEmpty && !start && action == .none && !adopt }

    /// Whether a configuration directory must be staged and checked.
    public var touchesFiles: Bool { !writes.isEmpty || !edits.isEmpty || !postmaps.isEmpty }

    /// Whether the change may alter the certificates the instance serves or the names they
    /// must cover: a file of `files:`, a TLS parameter or `myhostname`, a master.cf service
    /// (its `-o` may name certificates). A table alone does not.
    public var mayChangeCertificates: Bool {
        !change.files.isEmpty || change.servicesChanged || change.listenersChanged
            || change.parameters.contains { $0.contains("tls") || $0 == "myhostname" }
    }

    /// Whether the staged main.cf or master.cf changes (edits apply to them).
    public var editsMainCF: Bool { edits.contains(where: \.isMainCF) }
    public var editsMasterCF: Bool { edits.contains { !$0.isMainCF } }

    static func make(_ instance: PostfixInstance, files: [RenderedFile], facts: HostFacts,
                     oldTables: [String: String]) -> InstancePlan {
        let before = facts.instance(configDirectory: instance.configDirectory)
        let files = markingSecretTables(files, instance: instance, before: before)
        var builder = Builder(facts: facts, before: before, oldTables: oldTables)
        for file in files {
            switch file.kind {
            case .mainCF: builder.mainCF(file)
            case .masterCF: builder.masterCF(file)
            case .mainCFEdits: builder.mainCFEdits(file)
            case .masterCFEdits: builder.masterCFEdits(file)
            case let .table(name, type): builder.table(file, name: name, type: type)
            case let .file(name): builder.file(file, name: name)
            }
        }
        // Secrets are said to have changed, never shown.
        let diff = DiffEntry.hidingSecrets(builder.diff, instance: instance, files: files, before: builder.before)
        let running = builder.before?.running ?? false
        let action = ChangeImpact.action(for: builder.change, running: running)
        let start = instance.enabled && !running
        var plan = InstancePlan(instance: instance, before: builder.before, writes: builder.writes, edits: builder.edits,
                                postmaps: builder.postmaps, change: builder.change, action: start ? .none : action, start: start,
                                diff: diff)
        plan.adopt = builder.before?.runsOutsideUnit ?? false
        return plan
    }

    static func note(service entry: DiffEntry, in change: inout InstanceChange) {
        if entry.key.hasSuffix("/inet") { change.listenersChanged = true } else { change.servicesChanged = true }
    }

    /// Postfix joins continuation lines and ignores runs of white space in a value.
    static func normalized(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).joined(separator: " ")
    }
}

