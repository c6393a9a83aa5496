/// What an inventory host name may be.
///
/// Ansible takes any text as a host name. postfleet also connects to the name when
/// `ansible_host` is not set, and uses it as a directory: `render --out OUT` writes a
/// host's files under `OUT/NAME/`. So it refuses, at the line that names the host, what
/// cannot be both: a control character (see `firstControlCharacter`), `.` or `..`, and
/// `/`. Everything else is kept as written, `:` and `[` of an IPv6 address included
/// (`OUT/2001:db8::25/`).
public enum HostName {
    /// Why `name` cannot be a host name, or nil when it can.
    public static func problem(_ name: String) -> String? {
        if let problem = name.controlCharacterProblem(naming: "the host name") { return problem }
        if name == "." || name == ".." || name.contains("/") {
            return "'\(name)' cannot be a host name: postfleet writes a host's files under a directory of its name"
                + " (render --out), so a host name is not '.' or '..' and has no '/'"
        }
        return nil
    }

    /// Why one of `names`, what host pattern `pattern` stands for, cannot be a host name.
    /// A range only adds letters or digits to the pattern's own text, which neither make nor
    /// hide a problem: for a range it is the pattern that is read, once, not each of the
    /// (up to a million) names.
    public static func problem(_ pattern: String, expandingTo names: [String]) -> String? {
        names.count == 1 ? problem(names[0]) : problem(pattern)
    }
}
