/// Reading and writing the whole output of `postmulti -l`: one line per instance,
/// `name group enabled config_directory`, `-` for no name or no group, columns padded
/// with spaces:
///
///     -               -               y         /etc/postfix
///     postfix-out     mta             y         /etc/postfix-out
public enum PostmultiListing {
    /// Every instance listed, in postmulti's order (the start order, default instance first).
    /// Blank lines are skipped.
    ///
    /// - Throws: `PostfixParseError` naming the line: not four columns, an enabled column
    ///   other than `y`/`n`, a configuration directory that is not an absolute path.
    public static func parse(_ output: String) throws(PostfixParseError) -> [InstanceFacts] {
        var instances: [InstanceFacts] = []
        for (index, line) in output.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            func problem(_ message: String) -> PostfixParseError {
                PostfixParseError(source: "postmulti -l", line: index + 1, message: message, text: String(line))
            }
            guard fields.count == 4 else {
                throw problem("expected 4 columns (name group enabled config_directory), found \(fields.count)")
            }
            guard fields[2] == "y" || fields[2] == "n" else {
                throw problem("the enabled column must be 'y' or 'n', not '\(fields[2])'")
            }
            guard fields[3].hasPrefix("/") else {
                throw problem("the configuration directory must be an absolute path, not '\(fields[3])'")
            }
            let optional = { (field: Substring) in field == "-" ? nil : String(field) }
            instances.append(InstanceFacts(name: optional(fields[0]), group: optional(fields[1]),
                                           enabled: fields[2] == "y", configDirectory: String(fields[3])))
        }
        return instances
    }

    /// The listing as postmulti prints it, with its column widths.
    public static func format(_ instances: [InstanceFacts]) -> String {
        func padded(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(1, width - text.count))
        }
        return instances.map { instance in
            padded(instance.name ?? "-", 16) + padded(instance.group ?? "-", 16)
                + padded(instance.enabled ? "y" : "n", 10) + instance.configDirectory + "\n"
        }.joined()
    }

    /// The listed instance that is `instance` of a playbook: the one in its configuration directory.
    public static func find(_ instance: PostfixInstance, in instances: [InstanceFacts]) -> InstanceFacts? {
        instances.first { $0.configDirectory == instance.configDirectory }
    }
}

/// Output of a Postfix command, or a configuration file, that could not be read.
public struct PostfixParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was being read: `postmulti -l`, a file path.
    public let source: String
    /// From 1.
    public let line: Int
    public let message: String
    /// The offending line.
    public let text: String

    public init(source: String, line: Int, message: String, text: String) {
        self.source = source
        self.line = line
        self.message = message
        self.text = text
    }

    public var description: String { "\(source), line \(line): \(message): \(text)" }
}
