/// A host as an inventory writes it: a name or address, maybe with ranges, maybe `:PORT`.
enum HostKey {
    /// `mta1:2222` is host mta1 on port 2222, as in Ansible; `[2001:db8::1]:2222` too.
    /// Colons inside ranges (`mta[1:3]`) and in a bare IPv6 address are not ports.
    ///
    /// - Throws: the message, for a port outside 1...65535.
    static func splitPort(_ text: String) throws(InventoryProblem) -> (host: String, port: Int?) {
        guard let colon = text.lastIndex(of: ":") else { return (text, nil) }
        let host = text[..<colon]
        let digits = text[text.index(after: colon)...]
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else { return (text, nil) }
        let bareHost: Substring
        if host.hasPrefix("["), host.hasSuffix("]"), host.contains(":") {
            bareHost = host.dropFirst().dropLast()  // [IPv6]:port
        } else if host.contains(":") && !host.contains("[") {
            return (text, nil)  // a bare IPv6 address
        } else if let open = host.lastIndex(of: "["), !host[open...].contains("]") {
            return (text, nil)  // the colon is inside a range
        } else {
            bareHost = host
        }
        guard let port = Int(digits), (1...65535).contains(port) else {
            throw InventoryProblem("the port in '\(text)' must be from 1 to 65535")
        }
        return (String(bareHost), port)
    }

    /// The host names `pattern` (without its port) stands for: the ranges expanded.
    static func expand(_ pattern: String) throws(HostRange.Problem) -> [String] {
        HostRange.hasRange(pattern) ? try HostRange.expand(pattern) : [pattern]
    }
}
