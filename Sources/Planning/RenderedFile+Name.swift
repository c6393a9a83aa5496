import Playbook

extension RenderedFile {
    /// The file's name in its configuration directory: `main.cf`, `generic`.
    public var fileName: String { path.split(separator: "/").last.map(String.init) ?? path }
}
