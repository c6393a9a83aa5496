import Inventory
import SSH

/// What the command line says about connections when the inventory is silent.
public struct ConnectionDefaults: Sendable {
    /// `-u`: used where the inventory gives no `ansible_user` (as in Ansible, the inventory wins).
    public var user: String?
    /// `--identity`: used where the inventory gives no `ansible_ssh_private_key_file`.
    public var identityFile: String?

    public init(user: String? = nil, identityFile: String? = nil) {
        self.user = user
        self.identityFile = identityFile
    }

    /// The local user's name, as OpenSSH defaults to.
    static var localUser: String {
        if let u = getenv("USER").map({ String(cString: $0) }), !u.isEmpty { return u }
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "root"
    }
}

extension Endpoint {
    /// Where and as whom to reach an inventory host.
    public init(_ host: Host, defaults: ConnectionDefaults) {
        let key = host.privateKeyFile ?? defaults.identityFile
        self.init(
            name: host.name,
            address: host.address,
            port: host.port ?? 22,
            user: host.user ?? defaults.user ?? ConnectionDefaults.localUser,
            identityFiles: key.map { [$0] } ?? []
        )
    }
}

import Glibc
