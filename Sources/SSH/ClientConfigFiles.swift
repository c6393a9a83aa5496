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
}
