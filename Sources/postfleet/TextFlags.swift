import ArgumentParser
import Inventory

/// Refuses an option whose value holds a control character (a host pattern, a user name,
/// a file): it would be cut short at a NUL, or show as something else in a message, and no
/// name or pattern needs one. Said as ArgumentParser says any bad option, naming the flag.
func refuseControlCharacters(_ options: [(flag: String, value: String?)]) throws {
    for case let (flag, value?) in options {
        if let problem = value.controlCharacterProblem(naming: flag) { throw ValidationError(problem) }
    }
}

extension ConnectionFlags {
    /// ``refuseControlCharacters(_:)`` for every option that names hosts, a user or a file.
    func validateText() throws {
        try refuseControlCharacters([
            ("-l/--limit", limit), ("-u/--user", user), ("--identity", identity),
            ("-F", sshConfigFile), ("--known-hosts", knownHosts),
        ])
    }
}
