import Playbook
import Postfix

extension HostPlan {
    /// `files` with the default instance's `multi_instance_directories` keeping the host's
    /// secondary instances (named or nameless) that `desired` does not list (after the listed ones, in their
    /// order). postfleet leaves such an instance alone; dropping it from that list would
    /// make postmulti lose track of it, its files and queue left behind and unlisted.
    static func keepingUnlisted(_ files: [RenderedFile], desired: [InstanceSpec], facts: HostFacts) -> [RenderedFile] {
        let listed = Set(desired.map(\.instance.configDirectory))
        // Every secondary instance counts, a nameless one too (postmulti allows them; their
        // syslog_name tells them apart): only the default instance is not in the list.
        let unlisted = facts.secondaryInstances.filter { !listed.contains($0.configDirectory) }.map(\.configDirectory)
        guard !unlisted.isEmpty else { return files }
        return files.map { file in
            guard file.instance.isDefault else { return file }
            switch file.kind {
            case .mainCF:
                let text = MultiInstanceDirectories.keeping(unlisted, inMainCF: file.text)
                return RenderedFile(path: file.path, contents: Array(text.utf8), secret: file.secret, instance: file.instance, kind: .mainCF,
                                    vaultValues: file.vaultValues)
            case .mainCFEdits:
                let text = file.text + "# and the instances on this host that the playbook does not list\n"
                return RenderedFile(path: file.path, contents: Array(text.utf8), secret: file.secret, instance: file.instance,
                                    kind: .mainCFEdits, edits: MultiInstanceDirectories.keeping(unlisted, in: file.edits),
                                    vaultValues: file.vaultValues)
            default:
                return file
            }
        }
    }
}
