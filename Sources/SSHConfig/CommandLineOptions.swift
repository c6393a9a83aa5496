// What `ssh`'s command line says about configuration: which files it reads (`-F`), and the
// options it is given (`-o`, and what Ansible's ssh arguments amount to), which come before
// every file.

extension SSHClientConfig {
    /// The configuration `ssh` reads: with `-F FILE`, that file alone (`none`: no file at
    /// all); otherwise `~/.ssh/config`, then `systemFile`, each if it exists (the first value
    /// obtained wins, so the user's file comes first).
    public static func forCommandLine(file: String?, home: String = Environment.home, localUser: String,
                                      systemFile: String = "/etc/ssh/ssh_config") throws(ClientConfigError) -> SSHClientConfig {
        if let file {
            return file == "none" ? .empty : try load(path: file, home: home, localUser: localUser)
        }
        // Include reads each file where it exists, and skips it where it does not, as ssh does.
        let text = "Include \"\(home + "/.ssh/config")\"\nInclude \"\(systemFile)\"\n"
        return try parse(text, path: "(ssh's default configuration files)", home: home, localUser: localUser,
                         includeBase: home + "/.ssh")
    }

    /// Options as `ssh -o` takes them (`Port=2222`, `ProxyJump bastion`), one per line of
    /// configuration, applying to every host. `origin` names them in errors:
    /// `ORIGIN: error: -o 'Port=22x': bad port ...`. Host, Match and Include are refused, as
    /// `ssh` refuses them there.
    public static func commandLineOptions(_ options: [String], origin: String, home: String,
                                          localUser: String) throws(ClientConfigError) -> SSHClientConfig {
        var parser = ConfigParser(home: home, includeBase: ConfigPaths.joined(home, ".ssh"))
        var directives: [ConfigDirective] = []
        for option in options {
            do throws(ClientConfigError) {
                for directive in try parser.parseFile(option, path: origin, depth: 0) {
                    switch directive {
                    case .host, .match, .include:
                        throw ClientConfigError(path: origin, message: "not allowed as an ssh option")
                    default:
                        directives.append(directive)
                    }
                }
            } catch {
                throw ClientConfigError(path: origin, message: "-o '\(option)': \(error.message)")
            }
        }
        return SSHClientConfig(directives: directives, warnings: parser.warnings, home: home, localUser: localUser)
    }

    /// This configuration read after `options` (``commandLineOptions(_:origin:home:localUser:)``),
    /// as `ssh` reads its command line before its files: the first value of a keyword wins.
    /// `~` and `%d` stay this configuration's home (the options', for ``empty``).
    public func overridden(by options: SSHClientConfig) -> SSHClientConfig {
        SSHClientConfig(directives: options.directives + directives, warnings: warnings + options.warnings,
                        home: home.isEmpty ? options.home : home, localUser: localUser.isEmpty ? options.localUser : localUser)
    }
}
