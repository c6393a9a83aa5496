/// Paths the remote scripts derive on a host.
public enum RemotePath {
    /// The last component of `path`: the name a file has in a configuration directory.
    public static func name(of path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }

    /// The stage of configuration directory `dir` for the apply run `id`: beside the live
    /// files, so a commit is a rename within one file system.
    public static func stage(_ dir: String, id: String) -> String { dir + "/.postfleet-stage-" + id }
}
