import Playbook
import Postfix

extension RenderedFile {
    /// The file's name in its configuration directory: `main.cf`, `generic`.
    public var fileName: String { RemotePath.name(of: path) }
}
