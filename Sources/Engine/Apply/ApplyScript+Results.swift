import Foundation
import Postfix

/// Reading what the apply script printed: its ``MarkedOutput`` records `step KEY
/// EXIT_STATUS MILLISECONDS [TRIES]`, each with the step's output, and `end`.
extension ApplyScript {
    /// The steps the script reported, in order, as the run report shows them; steps it
    /// never reached are `skipped`. `completed` is false when the output has no end marker
    /// (the connection was lost): then steps not reported are unknown, not skipped.
    public func results(stdout: String) -> (steps: [StepResult], completed: Bool) {
        struct Seen { var rc: Int; var ms: Int; var tries: Int; var output: [Substring] }
        var seen: [String: Seen] = [:]
        var completed = false
        for record in MarkedOutput(stdout).records {
            if record.kind == "step" {
                let words = record.words
                guard words.count >= 3 else { continue }
                let tries = words.count > 3 ? Int(words[3]) ?? 1 : 1
                seen[String(words[0])] = Seen(rc: Int(words[1]) ?? -1, ms: Int(words[2]) ?? 0, tries: tries, output: record.body)
            } else if record.kind == "end" {
                completed = true
            }
        }
        var results: [StepResult] = []
        for step in steps {
            if step.held {
                if completed { results.append(StepResult(action: step.action, instance: step.instance, status: .skipped)) }
                continue
            }
            guard let s = seen[step.key] else {
                // Never reached: skipped when the script ended; unknown when the connection was lost.
                if completed, !step.isRecovery {
                    results.append(StepResult(action: step.action, instance: step.instance, status: .skipped))
                }
                continue
            }
            let output = s.output.joined(separator: "\n")
            if s.rc == 0 {
                results.append(StepResult(action: step.action, instance: step.instance, status: step.changes ? .changed : .ok,
                                          seconds: Double(s.ms) / 1000, attempts: s.tries))
            } else {
                results.append(StepResult(action: step.action, instance: step.instance, status: .failed, seconds: Double(s.ms) / 1000,
                                          attempts: s.tries,
                                          message: step.failure.map { "\(step.action): \($0) (exit status \(s.rc))" }
                                              ?? "\(step.action) failed (exit status \(s.rc))",
                                          stderr: output.isEmpty ? nil : output))
            }
            if step.perInstance { results += Self.perInstance(s.output) }
        }
        return (results, completed)
    }

    /// `postfix@NAME: started` (changed), `postfix@NAME: disabled, not started` (ok),
    /// `postfix@NAME: nothing to drain (not running)` (ok),
    /// `postfix@NAME: not started: WHY` (failed), one result per instance (`-`: default).
    static func perInstance(_ lines: [Substring]) -> [StepResult] {
        lines.compactMap { line in
            guard line.hasPrefix("postfix@"), let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[line.index(line.startIndex, offsetBy: 8)..<colon]
            let instance = name == "-" ? PostfixInstance.defaultName : String(name)
            let what = line[colon...].dropFirst().trimmingCharacters(in: .whitespaces)
            if what.hasPrefix("disabled") || what.hasPrefix("nothing to drain") { return StepResult(action: what, instance: instance, status: .ok) }
            if what.hasPrefix("not ") {
                let parts = what.split(separator: ":", maxSplits: 1)
                return StepResult(action: String(parts[0]), instance: instance, status: .failed,
                                  message: parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : nil)
            }
            return StepResult(action: what, instance: instance, status: .changed)
        }
    }
}
