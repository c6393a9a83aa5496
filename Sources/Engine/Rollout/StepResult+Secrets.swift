import Playbook

extension StepResult {
    /// This step with the host's secrets taken out of its message and output (postconf
    /// warns "unused parameter: name=value"; a task may print a table): the report, its
    /// JSON and JUnit show `(secret)` instead.
    /// Whether the step carries text the host printed, which ``hidingSecrets(_:)`` looks in.
    var carriesHostText: Bool { message != nil || stderr != nil }

    func hidingSecrets(_ secrets: SecretValues) -> StepResult {
        var step = self
        step.message = message.map(secrets.hiding)
        step.stderr = stderr.map(secrets.hiding)
        return step
    }
}
