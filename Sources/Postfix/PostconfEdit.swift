import ShellQuoting
/// One change to an instance's main.cf or master.cf, as postconf(1) makes it.
public enum PostconfEdit: Sendable, Hashable, CustomStringConvertible {
    /// `postconf -e 'name = value'`.
    case set(parameter: String, value: String)
    /// `postconf -X name`.
    case remove(parameter: String)
    /// `postconf -M 'name/type = line'`.
    case setService(MasterServiceKey, line: String)
    /// `postconf -MX name/type`.
    case removeService(MasterServiceKey)

    /// The postconf arguments, for the instance in `configDirectory`.
    public func arguments(configDirectory: String) -> [String] {
        let base = ["postconf", "-c", configDirectory]
        switch self {
        case let .set(name, value): return base + ["-e", "\(name) = \(value)"]
        case let .remove(name): return base + ["-X", name]
        case let .setService(key, line): return base + ["-M", "\(key) = \(line)"]
        case let .removeService(key): return base + ["-MX", key.description]
        }
    }

    /// The command line, quoted for a POSIX shell.
    public func commandLine(configDirectory: String) -> String {
        Shell.join(arguments(configDirectory: configDirectory))
    }

    /// `name = value`, `-X name`, `-M name/type = line`, `-MX name/type`.
    public var description: String {
        switch self {
        case let .set(name, value): value.isEmpty ? "\(name) =" : "\(name) = \(value)"
        case let .remove(name): "-X \(name)"
        case let .setService(key, line): "-M \(key) = \(line)"
        case let .removeService(key): "-MX \(key)"
        }
    }

    /// Whether this edit changes main.cf (otherwise master.cf).
    public var isMainCF: Bool {
        switch self {
        case .set, .remove: true
        case .setService, .removeService: false
        }
    }
}
