/// One Postfix instance of a host: the default one (`/etc/postfix`) or a secondary one
/// that postmulti(1) manages (`postfix-out` in `/etc/postfix-out`).
///
/// The directories are the ones `postmulti -I NAME -e create` derives: the default
/// instance's directories with the last component replaced by the name.
public struct PostfixInstance: Sendable, Hashable {
    /// The name playbooks use for the default instance (postmulti shows it as `-`).
    public static let defaultName = "default"
    /// Every secondary instance name starts with this, as postmulti(1) requires.
    public static let secondaryPrefix = "postfix-"

    public static let defaultConfigDirectory = "/etc/postfix"
    public static let defaultQueueDirectory = "/var/spool/postfix"
    public static let defaultDataDirectory = "/var/lib/postfix"

    /// `default`, or `postfix-...`.
    public let name: String
    /// The instance group (`multi_instance_group`); nil for none. Always nil for the default instance.
    public let group: String?
    /// `multi_instance_enable`: whether `postfix start` and `postmulti -p start` start it.
    public let enabled: Bool
    public let configDirectory: String
    public let queueDirectory: String
    public let dataDirectory: String

    /// An instance with the directories postmulti derives from its name.
    /// `name` should have passed `nameProblem(_:)`.
    public init(name: String, group: String? = nil, enabled: Bool = true) {
        self.name = name
        self.group = name == Self.defaultName ? nil : group
        self.enabled = name == Self.defaultName ? true : enabled
        if name == Self.defaultName {
            configDirectory = Self.defaultConfigDirectory
            queueDirectory = Self.defaultQueueDirectory
            dataDirectory = Self.defaultDataDirectory
        } else {
            configDirectory = Self.replacingLastComponent(of: Self.defaultConfigDirectory, with: name)
            queueDirectory = Self.replacingLastComponent(of: Self.defaultQueueDirectory, with: name)
            dataDirectory = Self.replacingLastComponent(of: Self.defaultDataDirectory, with: name)
        }
    }

    /// The default instance.
    public static let `default` = PostfixInstance(name: defaultName)

    public var isDefault: Bool { name == Self.defaultName }

    /// What postmulti's `-i` option takes for this instance: `-` for the default one.
    public var selector: String { isDefault ? "-" : name }

    /// Why `name` cannot name an instance, or nil when it can: `default`, or `postfix-`
    /// followed by letters, digits, `.`, `_` or `-` (it becomes a directory name).
    public static func nameProblem(_ name: String) -> String? {
        if name == defaultName { return nil }
        guard name.hasPrefix(secondaryPrefix) else {
            return "a secondary instance name must start with 'postfix-' (postmulti(1) requires it), as in 'postfix-\(name)'; the default instance is called 'default'"
        }
        let rest = name.dropFirst(secondaryPrefix.count)
        guard !rest.isEmpty else { return "'postfix-' needs something after it, as in 'postfix-out'" }
        guard rest.unicodeScalars.allSatisfy(isNameCharacter) else {
            return "an instance name may only hold letters, digits, '.', '_' and '-' (it names directories)"
        }
        return nil
    }

    /// A character an instance or group name may hold.
    public static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": true
        default: false
        }
    }

    private static func replacingLastComponent(of path: String, with name: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return name }
        return path[...slash] + name
    }
}
