import Planning
import Foundation
import Playbook
import Postfix

/// The one remote script that carries out a ``HostPlan`` on its host, and the reader of
/// what it prints.
///
/// Everything happens on the host in one round trip, so a connection lost half-way does
/// not leave the host half-way: the script ignores SIGHUP and SIGPIPE and runs to its end
/// (or its rollback) either way. In order:
///
/// 1. `receive`: the new files arrive as a ustar stream on stdin, into a private temporary
///    directory.
/// 2. postmulti life-cycle operations (init, create, assign, enable, disable, destroy).
/// 3. Per instance with file changes, a stage `DIR/.postfleet-stage-ID/`: a copy of the
///    live configuration directory's files, the new files over it, the postconf edits
///    applied to it, and its indexed tables built there with postmap.
/// 4. Every stage is checked by ``ConfigCheck`` (`postconf -c STAGE -n` without a warning,
///    `postfix -c STAGE check`, every table openable). If one fails, every stage is
///    removed and nothing live has changed.
/// 5. Commit: each changed file (and built table) is renamed over the live one, which is
///    kept first as a hard link `NAME.postfleet-ID`. A reader sees the old file or the new.
/// 6. Per instance, in start order: reload, stop and start, or start.
/// 7. If a commit or an action fails: every swapped file is put back (in reverse order),
///    and every instance already acted on is put back as it was (running with its old
///    configuration, or stopped).
///
/// Every value in the script is single-quoted by ``Shell/quote(_:)``. The shell it is made
/// of lives in Postfix's remote fragments (``ApplyPrologue``, ``StageScript``, ``ConfigCheck``),
/// instances are acted on through ``InstanceControl``, and it reports in ``MarkedOutput``
/// records; this type puts them in order.
public struct ApplyScript: Sendable {
    /// How a step shows in the report.
    struct Step: Sendable {
        let key: String
        let action: String
        let instance: String?
        /// Whether succeeding changes the host (otherwise it is a look or a preparation).
        let changes: Bool
        /// What a failure of it means for the host, for the report.
        var failure: String? = nil
        /// Its output says, per instance, what happened (``InstanceControl/systemd``'s
        /// `postfix@NAME: VERB` lines of a postmulti `-p` task): each is reported as well.
        var perInstance = false
        /// An action the plan needed and `reload: false` held back: not in the script, reported
        /// as skipped once the script has ended.
        var held = false

        /// Putting things back after a failure: reported only when it happened.
        var isRecovery: Bool { key == "rollback" || key == "restore" }
    }

    public let id: String
    public let script: String
    /// The ustar stream the script reads on stdin.
    public let archive: [UInt8]
    let steps: [Step]
    /// Undoes a run of `script` that ended well, later, in a separate round trip (a
    /// rolling policy's `rollback_on_failure`): every file it swapped in goes back (the
    /// backup `NAME.postfleet-ID` over it, or, for a file that was new, removed), then every
    /// instance it acted on is put back as it was. Lifecycle operations are not undone.
    /// Nil when the script changes no file and acts on no instance.
    public let revert: String?

    /// The files a plan writes, as they travel in the archive: at their own path under the
    /// receive directory.
    /// A file the plan writes twice (a fresh host's main.cf: before the life-cycle
    /// operations and after) travels once.
    static func entries(_ plan: HostPlan, mtime: Int) -> [TarArchive.Entry] {
        var seen: Set<String> = []
        return ((plan.prepare?.writes ?? []) + plan.instances.flatMap(\.writes)).filter { seen.insert($0.path).inserted }.map {
            TarArchive.Entry(path: String($0.path.drop { $0 == "/" }), contents: $0.contents, mode: $0.mode,
                             owner: "root", group: "root", mtime: mtime)
        }
    }

    /// `control`: how the host's instances are started and stopped (today always
    /// ``InstanceControl/postfix``).
    /// `guarded`: the script runs only while this run holds the host lock (``HostLock/applyGuard``).
    /// `keep`: once everything went well, of every file swapped in, only the newest `keep`
    /// backups remain (this run's always among them); nil: none is removed.
    /// `record`: the change record the script writes on the host as it ends (``ChangeRecord``).
    /// `drain`: before an instance is stopped or restarted (a restart the plan needs, a
    /// `postmulti -p stop` task), it is drained (``DrainScript``) with this many seconds to
    /// drain; nil: no drain.
    public init(plan: HostPlan, tasks: [PlayTask] = [], id: String, now: Date = Date(),
                control: InstanceControl = .postfix, drain: Int? = nil, guarded: Bool = false, keep: Int? = nil,
                record: ChangeRecord? = nil) throws {
        self.id = id
        // Files are dated a minute back: Postfix pauses while main.cf is younger than a
        // couple of seconds, a guard against reading a file an editor is still writing.
        // These are complete files renamed into place, so the guard has nothing to guard.
        let mtime = Int(now.timeIntervalSince1970) - 60
        let entries = Self.entries(plan, mtime: mtime)
        let sent = entries + (record?.archiveEntries ?? []).map {
            TarArchive.Entry(path: $0.name, contents: Array($0.text.utf8), mode: 0o600, owner: "root", group: "root", mtime: mtime)
        }
        archive = sent.isEmpty ? [] : try TarArchive.make(sent)

        var builder = Builder(id: id, control: control, drain: drain)
        if !sent.isEmpty { builder.receive(count: entries.count) }
        builder.prepare(plan.prepare)
        var directories: [String] = []
        for dir in ([plan.prepare].compactMap { $0 } + plan.instances).map(\.instance.configDirectory) where !directories.contains(dir) {
            directories.append(dir)
        }
        builder.lifecycle(plan.lifecycle, directories: directories)
        let staged = plan.instances.enumerated().filter { $0.element.touchesFiles }
        builder.stage(staged)
        builder.commit(staged)
        builder.act(plan.instances)
        builder.tasks(tasks)
        revert = Self.revert(id: id, control: control, committed: builder.committed, restores: builder.restores, guarded: guarded)

        builder.steps.append(Step(key: "rollback", action: "put back the previous files", instance: nil, changes: true))
        builder.steps.append(Step(key: "restore", action: "put the instances back as they were", instance: nil, changes: true))
        steps = builder.steps
        let prologue = ApplyPrologue.text(id: id, control: control) + (guarded ? HostLock.applyGuard + "\n" : "") + (builder.drains ? DrainScript.functions + "\n" : "")
            + (builder.checksCertificates ? TLSStageCheck.functions + "\n" : "")
        let settings = (keep.map { "KEEP=\(max(1, $0))\n" } ?? "") + (record.map { $0.shell + "\n" } ?? "")
        let prune = keep == nil ? "" : "\nf_prune >/dev/null 2>&1"
        script = prologue + settings + builder.body.joined(separator: "\n") + prune + "\nfinish ok 0\n"
        guard script.utf8.count <= Self.largestScript else { throw TooLarge(bytes: script.utf8.count) }
    }

    /// The longest script one SSH exec request carries: libssh2 sends no packet longer than
    /// 35,000 bytes (`MAX_SSH_PACKET_LEN`), and refuses a longer request with
    /// LIBSSH2_ERROR_INVAL ("Unable to send channel request").
    public static let largestScript = 32_000

    /// A plan whose script is longer than ``largestScript``: the host fails before it is
    /// sent, with what to do about it.
    public struct TooLarge: Error, CustomStringConvertible {
        public let bytes: Int
        public var description: String {
            "the apply script for this host is \(bytes) bytes, more than the \(ApplyScript.largestScript) one SSH exec request carries; split the play (fewer instances or tasks per run)"
        }
    }
}
