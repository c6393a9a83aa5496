/// One hop of a ProxyJump: `[user@]host[:port]` or `ssh://[user@]host[:port]`.
public struct JumpHost: Sendable, Hashable, CustomStringConvertible {
    /// nil: the jump host's own configuration (or the local user) decides.
    public var user: String?
    /// Name or address; an IPv6 address without its brackets.
    public var host: String
    /// nil: the jump host's own configuration (or 22) decides.
    public var port: Int?

    public init(user: String? = nil, host: String, port: Int? = nil) {
        self.user = user
        self.host = host
        self.port = port
    }

    /// `[user@]host[:port]`, an IPv6 address in brackets when a port follows.
    public var description: String {
        var text = user.map { "\($0)@" } ?? ""
        text += host.contains(":") && port != nil ? "[\(host)]" : host
        if let port { text += ":\(port)" }
        return text
    }
}

extension JumpHost {
    /// The hops of a ProxyJump value (`none`, or `[user@]host[:port]` and
    /// `ssh://[user@]host[:port]` separated by commas), as ssh_config reads them.
    public static func list(_ spec: String) throws(ClientConfigError) -> [JumpHost] {
        try SSHClientConfig.parse("ProxyJump \(spec)\n", path: "ProxyJump", home: "/", localUser: "", includeBase: "/")
            .settings(for: "*").proxyJump ?? []
    }
}
