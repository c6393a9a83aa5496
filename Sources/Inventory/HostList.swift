import Foundation

/// A comma-separated host list given as an inventory source (`-i mta1,mta2,`,
/// `-i 'mta1:2222,[2001:db8::1]:22,'`), read as Ansible's `host_list` plugin reads it: each
/// entry, stripped, is a host in `ungrouped` (a host an earlier source has stays where it
/// is), with a port after `:` (`[...]:PORT` for IPv6). An entry that is not a host name or
/// address, or that holds a range, is taken whole as the name, as Ansible does.
enum HostList {
    static func read(_ list: String, into builder: inout InventoryBuilder) throws(InventorySourceError) {
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = String(item).trimmingPythonSpace()
            guard !entry.isEmpty else { continue }
            let (host, port) = address(entry)
            if let problem = HostName.problem(host) {
                throw InventorySourceError(source: "-i '\(list)'", message: problem)
            }
            if let port, !(1...65535).contains(port) {
                throw InventorySourceError(source: "-i '\(list)'", message: "the port in '\(entry)' must be from 1 to 65535")
            }
            do throws(InventoryProblem) {
                if !builder.hasHost(host) { try builder.addHost(host, to: Group.ungrouped, port: port) }
            } catch {
                throw InventorySourceError(source: "-i '\(list)'", message: error.message)
            }
        }
    }

    /// Ansible's `parse_address(entry, allow_ranges=False)`, falling back to the entry whole.
    static func address(_ entry: String) -> (host: String, port: Int?) {
        var host = entry
        var port: Int?
        for pattern in [bracketedHostPort, hostPort] {
            if let groups = pattern.groups(in: host) {
                host = groups[0]
                // More digits than an Int holds: Ansible's int() takes them; no port is that large.
                port = Int(groups[1]) ?? Int.max
            }
        }
        let valid = [ipv4, ipv6, hostname].contains { $0.groups(in: host) != nil }
        guard valid, !host.contains("[") else { return (entry, nil) }
        return (host, port)
    }

    // Ansible's patterns (ansible/parsing/utils/addresses.py), ranges included so that they
    // are recognised, then refused as Ansible refuses them.
    private static let numericRange = #"\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]"#
    private static let hexadecimalRange = #"\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]"#
    private static let alphanumericRange = #"\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]"#
    private static let ipv4Component = "(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|\(numericRange))"
    private static let ipv6Component = "(?:[0-9a-f]{1,4}|\(hexadecimalRange))"
    private static let label = #"(?:[\w]|\#(alphanumericRange))(?:[\w_-]|\#(alphanumericRange))*(?<![_-])"#

    private static let bracketedHostPort = Pattern(#"^\[(.+)\]:([0-9]+)$"#)
    private static let hostPort = Pattern(#"^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$"#)
    private static let ipv4 = Pattern("^(?:\(ipv4Component)\\.){3}\(ipv4Component)$", caseInsensitive: true)
    private static let ipv6: Pattern = {
        let c = ipv6Component
        let v4 = "(?:\(c)\\.){3}\(c)"
        let forms = [
            "(?:\(c):){7}\(c)", "(?:\(c):){1,6}:", "(?:\(c):)(?::\(c)){1,6}", "(?:\(c):){2}(?::\(c)){1,5}",
            "(?:\(c):){3}(?::\(c)){1,4}", "(?:\(c):){4}(?::\(c)){1,3}", "(?:\(c):){5}(?::\(c)){1,2}",
            "(?:\(c):){6}(?::\(c))", ":(?::\(c)){1,6}", "\(c)?::", "(?:0:){6}\(v4)", "::(?:ffff:)?\(v4)",
            "(?:0:){5}ffff:\(v4)",
        ]
        return Pattern("^(" + forms.joined(separator: "|") + ")$", caseInsensitive: true)
    }()
    private static let hostname = Pattern("^\(label)(?:\\.\(label))*$", caseInsensitive: true)

    /// A compiled constant regular expression.
    struct Pattern: @unchecked Sendable {
        // NSRegularExpression is immutable and documented as safe to use from any thread.
        let regex: NSRegularExpression

        init(_ pattern: String, caseInsensitive: Bool = false) {
            // A constant pattern; a failure here is a programming error, caught by the tests.
            // swiftlint:disable:next force_try
            regex = try! NSRegularExpression(pattern: pattern, options: caseInsensitive ? [.caseInsensitive] : [])
        }

        /// The capture groups of a whole match of `text` ("" for one that took part in no match); nil when it does not match.
        func groups(in text: String) -> [String]? {
            guard let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
            return (1..<max(match.numberOfRanges, 1)).map { index in
                Range(match.range(at: index), in: text).map { String(text[$0]) } ?? ""
            }
        }
    }
}
