import Foundation
import Playbook
import Postfix

/// What a run must do to one host, computed from what the playbook wants and what the
/// host has (its ``HostFacts``), without contacting it. A pure function: the same
/// rendered files and facts always give the same plan, and a converged host gives an
/// empty one.
public struct HostPlan: Sendable {
    /// postmulti life-cycle operations, in the order they run (before any file is staged).
    public var lifecycle: [PostmultiCommand]
    /// Per instance the play lists as present, in start order (the default instance first,
    /// then the play's order, which is postmulti's start order).
    public var instances: [InstancePlan]
    /// Why the host cannot be converged at all (a destroy postmulti would refuse); when not
    /// empty, nothing is done on the host.
    public var refusals: [String]
    /// On a host without a main.cf (debconf's "No configuration"): the default instance's
    /// files, staged, checked and committed before the life-cycle operations (postmulti
    /// reads main.cf), without postmulti's parameters, which name instances not yet created.
    /// The default instance's plan in ``instances`` then writes only its main.cf. Nil on a
    /// host that has one.
    public var prepare: InstancePlan? = nil

    /// Nothing to do.
    public var isEmpty: Bool {
        lifecycle.isEmpty && refusals.isEmpty && instances.allSatisfy(\.isEmpty) && prepare == nil
    }

    /// Every path whose checksum the plan compares; ``gatherFacts(_:files:timeout:)`` reads them.
    public static func watchedPaths(_ files: [RenderedFile]) -> [String] {
        var paths: [String] = []
        for file in files {
            switch file.kind {
            case .mainCF, .masterCF, .file:
                paths.append(file.path)
            case let .table(_, type):
                paths.append(file.path)
                if let suffix = type.indexedFileSuffix { paths.append(file.path + suffix) }
            case .mainCFEdits, .masterCFEdits:
                break
            }
        }
        return paths
    }

    /// The instances whose queues the facts must count: those the plan may destroy, which
    /// it does only when their queue is empty.
    public static func queuesToCount(_ desired: [InstanceSpec]) -> [String] {
        desired.filter { $0.state == .absent && !$0.instance.isDefault }.map(\.instance.configDirectory)
    }

    /// The tables and their indexes, whose permission bits the facts must hold: the plan
    /// checks that only their owner can read the secret ones. Every table, not only those
    /// rendered secret: with main.cf given as postconf edits, the plan may find a table
    /// secret through a parameter that only the host's main.cf sets.
    public static func secretPaths(_ files: [RenderedFile]) -> [String] {
        files.filter { if case .table = $0.kind { true } else { $0.secret } }.flatMap { file -> [String] in
            guard case let .table(_, type) = file.kind else { return [file.path] }
            return [file.path] + (type.indexedFileSuffix.map { [file.path + $0] } ?? [])
        }
    }

    /// The permission bits of a secret `file` (or its index) on the host when others than its
    /// owner can read it; nil when they cannot, or the file is no secret.
    static func readableByOthers(_ file: RenderedFile, facts: HostFacts) -> Int? {
        guard file.secret else { return nil }
        return secretPaths([file]).lazy.compactMap { facts.modes[$0] }.first { $0 & 0o077 != 0 }
    }

    /// The tables whose source on the host differs from the rendered one (new tables not
    /// included): those whose old text `--diff` reads to show per-key changes.
    public static func changedTables(_ files: [RenderedFile], facts: HostFacts) -> [String] {
        files.filter {
            guard case .table = $0.kind, let old = facts.checksums[$0.path] else { return false }
            return old != SHA256.hex($0.contents)
        }.map(\.path)
    }

    /// The plan for one host.
    ///
    /// - Parameters:
    ///   - desired: the instances the plays that target the host list (present or absent).
    ///   - files: the host's rendered files (``Playbook/Playbook/render(for:inventory:)``).
    ///   - facts: the host as it is.
    ///   - oldTables: the current text of tables whose source changed, by path, when the
    ///     caller wants per-key diffs (`--diff`); without it, table diffs say only "changed".
    public static func make(desired: [InstanceSpec], files: [RenderedFile], facts: HostFacts,
                            oldTables: [String: String] = [:]) -> HostPlan {
        let files = keepingUnlisted(keepingHostDirectories(files, facts: facts), desired: desired, facts: facts)
        let lifecycleDesired = desired.map { LifecyclePlan.Desired($0.instance, present: $0.state == .present) }
        var refusals = placementRefusals(desired, facts: facts)
        for spec in desired where spec.state == .absent && !spec.instance.isDefault {
            guard let have = facts.instance(configDirectory: spec.instance.configDirectory) else { continue }
            let reasons = LifecyclePlan.destroyBlockers(have, queuedMessages: have.queuedMessages)
            if !reasons.isEmpty {
                refusals.append("cannot destroy instance \(spec.name): " + reasons.joined(separator: ", "))
            }
        }
        let lifecycle = LifecyclePlan.steps(for: lifecycleDesired, facts: facts)

        var instances: [InstancePlan] = []
        for spec in desired where spec.state == .present {
            let mine = files.filter { $0.instance.configDirectory == spec.instance.configDirectory }
            var plan = InstancePlan.make(spec.instance, files: mine, facts: facts, oldTables: oldTables)
            if spec.tlsCheck.check {
                plan.tlsCheck = TLSStageCheck.Settings(caPEM: spec.tlsCheck.caFile.map { String(decoding: $0.contents, as: UTF8.self) },
                                                       validFor: Int(spec.tlsCheck.validFor.components.seconds), names: spec.tlsCheck.names)
            }
            if !spec.reload, plan.action > .postmap {
                plan.withheld = plan.action
                plan.action = .none
            }
            instances.append(plan)
        }
        let prepare = preparing(&instances, facts: facts)
        if let refusal = freshInstallRefusal(lifecycle: lifecycle, prepare: prepare, facts: facts) { refusals.append(refusal) }
        return HostPlan(lifecycle: lifecycle, instances: instances, refusals: refusals, prepare: prepare)
    }
}
