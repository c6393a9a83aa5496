/// What `postfleet --version` prints. scripts/package writes this file anew in the tree it
/// builds the package from, with the commit; a build from a working tree says so instead.
enum BuildInfo {
    static let version = "0.1.0"
    /// The git commit the binary was built from (nil: not recorded, a source build).
    static let commit: String? = nil

    /// `0.1.0 (commit 0123456789ab)`, or `0.1.0 (source build, commit not recorded)`.
    static var line: String {
        "\(version) (" + (commit.map { "commit \($0)" } ?? "source build, commit not recorded") + ")"
    }
}
