import Glibc

/// What the local process environment says, where OpenSSH would look.
public enum Environment {
    /// `$HOME`, else /root.
    public static var home: String {
        if let h = getenvString("HOME"), !h.isEmpty { return h }
        return "/root"
    }

    /// The variable `name`, nil when unset.
    package static func getenvString(_ name: String) -> String? {
        guard let p = getenv(name) else { return nil }
        return String(cString: p)
    }
}
