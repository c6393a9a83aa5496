import Planning
import Playbook
import Postfix
import SSH

/// One host's convergence: its result for the report, and the script that undoes what it
/// changed (when its apply script ended well), which stays in the engine for a rolling
/// policy's `rollback_on_failure` and never reaches the report.
struct HostConvergence: Sendable {
    var result: HostRunResult
    var revert: String?
}

/// Converges one host: connects (with retries), reads its facts, plans, and unless there is
/// nothing to do (or this is check mode) runs one apply script, then its health gate.
func converge(_ work: HostWork, options: RolloutOptions) async -> HostConvergence {
    let clock = ContinuousClock()
    let start = clock.now
    var converged = HostConvergence(result: HostRunResult(host: work.endpoint.name, steps: []))
    let outcome = await withSession(work.endpoint, options: options.connection, backoff: options.connectRetry) { session, attempts in
        if attempts > 1 {
            converged.result.steps.append(StepResult(action: "connected", status: .ok, attempts: attempts))
        }
        do {
            // A host with nothing to change is not locked: a run that finds it in sync reads
            // it once, unlocked, and is done. One with something to change is read again
            // under the lock, so nothing another change did meanwhile is missed.
            if !options.check, options.lockRequest != nil, work.restore == nil, work.tasks.isEmpty,
               let inSync = try await unlockedLook(work, on: session) {
                converged.result.steps += inSync.steps
                converged.result.initSystem = inSync.initSystem
                return
            }
            // Check mode reads and changes nothing: it never waits for a lock.
            try await withHostLock(session, options.check ? nil : options.lockRequest) {
                try await apply(work, on: session, options: options, into: &converged)
            }
        } catch let refused as HostLockRefused {
            converged.result.steps.append(StepResult(action: "lock", status: .failed, message: refused.description))
        }
    }
    // What the host printed back may quote a secret: never into the report. (Steps that
    // carry no text of the host's, as every step of a host in sync, have nothing to hide.)
    if converged.result.steps.contains(where: \.carriesHostText) {
        let secrets = SecretValues(work.files)
        converged.result.steps = converged.result.steps.map { $0.hidingSecrets(secrets) }
    }
    converged.result.connectAttempts = outcome.attempts
    converged.result.connectionError = outcome.error
    converged.result.seconds = (clock.now - start).seconds
    return converged
}

/// The steps of a host found in sync (its facts read, every instance in sync), or nil when
/// the plan has anything to do, refuses anything, or the facts say something the plan
/// must report (then the locked pass reads them again and reports it).
///
/// A weekly run over a converged fleet thus goes through while another change holds some
/// of its hosts, with a channel and a round trip per host fewer. Nothing changes without
/// the lock.
private func unlockedLook(_ work: HostWork, on session: Session) async throws -> (steps: [StepResult], initSystem: String)? {
    let clock = ContinuousClock()
    let t = clock.now
    let facts = try await hostFacts(work, on: session)
    let plan = HostPlan.make(desired: work.desired, files: work.files, facts: facts, oldTables: [:])
    guard plan.isEmpty, plan.refusals.isEmpty else { return nil }
    return ([StepResult(action: "gathered facts", status: .ok, seconds: (clock.now - t).seconds)]
            + plan.instances.map { StepResult(action: "in sync", instance: $0.instance.name, status: .ok) },
            InstanceControl.for(facts).name)
}

/// The facts the plan of `work` compares: the checksums of its files (or of `watched`, a
/// restore's), their modes, and the queues it may destroy. One probe, for the unlocked look
/// and the locked pass alike.
private func hostFacts(_ work: HostWork, on session: Session, watched: [String]? = nil) async throws -> HostFacts {
    try await gatherFacts(session, files: watched ?? HostPlan.watchedPaths(work.files),
                          modes: watched ?? HostPlan.secretPaths(work.files),
                          queues: .only(HostPlan.queuesToCount(work.desired)))
}

/// The work on an open session: facts, plan, apply script, health gate.
private func apply(_ work: HostWork, on session: Session, options: RolloutOptions, into converged: inout HostConvergence) async throws {
    let clock = ContinuousClock()
    var t = clock.now
    var work = work
    // A restore learns its files from the host itself: its record and backups, read under the lock.
    var restoring: (targets: [RestorePlan.Target], contents: [String: [UInt8]])?
    if let run = work.restore {
        do {
            let (targets, created) = try RestorePlan.targets(run: run, records: try await HostRecords.read(on: session))
            restoring = (targets, try await readBytes(targets.map(\.backup.path), on: session))
            converged.result.steps.append(StepResult(action: "read the backups of the runs after \(run)", status: .ok,
                                                     seconds: (clock.now - t).seconds,
                                                     message: created.isEmpty ? nil : "left in place, created after \(run): "
                                                         + created.joined(separator: ", ")))
        } catch let refusal as RestorePlan.Refusal {
            converged.result.steps.append(StepResult(action: "restore", status: .failed, message: refusal.description))
            return
        }
        t = clock.now
    }
    let watched = restoring.map { $0.targets.map(\.path) }
    let facts = try await hostFacts(work, on: session, watched: watched)
    converged.result.steps.append(StepResult(action: "gathered facts", status: .ok, seconds: (clock.now - t).seconds))
    if let restoring {
        do {
            (work.desired, work.files) = try RestorePlan.work(restoring.targets, contents: restoring.contents, facts: facts)
        } catch {
            converged.result.steps.append(StepResult(action: "restore", status: .failed, message: error.description))
            return
        }
    }
    // A host whose Postfix systemd runs is driven through its units, apply, revert and gate alike.
    let control = InstanceControl.for(facts)
    converged.result.initSystem = control.name

    // For --diff, the old text of each table whose source changed, read before planning.
    // The change record names the keys of changed tables too: read them for it as well.
    let changedTables = options.diff || options.record != nil ? HostPlan.changedTables(work.files, facts: facts) : []
    let oldTables = changedTables.isEmpty ? [:] : try await readFiles(changedTables, on: session)
    let plan = HostPlan.make(desired: work.desired, files: work.files, facts: facts, oldTables: oldTables)
    converged.result.diff = plan.instances.filter { !$0.diff.isEmpty }.map { InstanceDiff(instance: $0.instance.name, entries: $0.diff) }

    guard plan.refusals.isEmpty else {
        converged.result.steps.append(StepResult(action: "plan", status: .failed, message: plan.refusals.joined(separator: "; ")))
        return
    }
    let inSync = plan.instances.filter(\.isEmpty).map { StepResult(action: "in sync", instance: $0.instance.name, status: .ok) }
    let record = options.record.map { ChangeRecord(host: work.endpoint.name, plan: plan, tasks: work.tasks, context: $0) }
    let script = try ApplyScript(plan: plan, tasks: work.tasks, id: options.run, control: control, drain: options.drain,
                                 guarded: options.lock != nil, keep: options.keepBackups, record: record)
    if options.check || (plan.isEmpty && work.tasks.isEmpty) {
        // The plan, step by step, as the apply script would report it.
        converged.result.steps += script.steps.filter { $0.changes && !$0.isRecovery }
            .map { StepResult(action: $0.action, instance: $0.instance, status: .changed) }
        converged.result.steps += inSync
        return
    }

    t = clock.now
    // Not killed on the host at the timeout: the script ignores a lost connection and ends
    // converged or put back as it was, and a TERM half-way would leave neither.
    let run = try await session.exec(script.script, stdin: script.archive, timeout: options.applyTimeout, boundOnHost: false)
    let (steps, completed) = script.results(stdout: run.stdoutText)
    converged.result.record = record.map {
        var record = $0
        record.result = !completed ? "unknown" : steps.contains { $0.status == .failed } ? "failed" : "ok"
        return record
    }
    converged.result.steps += steps + inSync
    if !completed {
        converged.result.steps.append(StepResult(action: "apply", status: .failed, seconds: (clock.now - t).seconds,
                                                 message: "the apply script ended early (\(run.failureSummary))",
                                                 stderr: run.stderrText.isEmpty ? nil : run.stderrText))
    } else if !steps.contains(where: { $0.status == .failed }) {
        // It ended well: what it changed can be undone later. (After a failure the script
        // has already put everything back, and its backups are used up.)
        converged.revert = script.revert
    }
    // A host that changed is done only once its instances are healthy.
    if var gate = work.health, converged.result.status == .changed {
        gate.control = control
        converged.result.steps.append(try await gate.run(on: session))
    }
}
