import Playbook
import Postfix

extension HostPlan {
    /// `files` with each secondary instance the host already has keeping the
    /// `queue_directory` and `data_directory` the host gives it. postmulti derives them from
    /// the name (`/var/spool/postfix-NAME`); an instance built by hand and adopted with
    /// `postmulti -e import` has its own, and a main.cf that named the derived ones would
    /// move its queue (the mail in the old one orphaned). postmulti owns both; postfleet
    /// writes what the host has.
    static func keepingHostDirectories(_ files: [RenderedFile], facts: HostFacts) -> [RenderedFile] {
        var kept: [PostfixInstance: PostfixInstance] = [:]
        for instance in Set(files.map(\.instance)) where !instance.isDefault {
            guard let have = facts.instance(configDirectory: instance.configDirectory) else { continue }
            let own = instance.keeping(queueDirectory: have.queueDirectory, dataDirectory: have.dataDirectory)
            if own != instance { kept[instance] = own }
        }
        guard !kept.isEmpty else { return files }
        return files.map { file in kept[file.instance].map { relocated(file, to: $0) } ?? file }
    }

    /// `file` of an instance whose directories the host keeps: its postmulti-owned
    /// `queue_directory` and `data_directory` set to `instance`'s.
    static func relocated(_ file: RenderedFile, to instance: PostfixInstance) -> RenderedFile {
        let kept = ["queue_directory": instance.queueDirectory, "data_directory": instance.dataDirectory]
        switch file.kind {
        case .mainCF:
            var main = MainCF(file.text)
            for (name, value) in kept where main.value(of: name) != nil { main.set(name, to: value) }
            return RenderedFile(path: file.path, contents: Array(main.text.utf8), secret: file.secret, instance: instance, kind: .mainCF,
                                vaultValues: file.vaultValues)
        case .mainCFEdits:
            let edits = file.edits.map { edit -> PostconfEdit in
                guard case let .set(name, _) = edit, let value = kept[name] else { return edit }
                return .set(parameter: name, value: value)
            }
            return RenderedFile(path: file.path, contents: file.contents, secret: file.secret, instance: instance,
                                kind: .mainCFEdits, edits: edits, vaultValues: file.vaultValues)
        default:
            return RenderedFile(path: file.path, contents: file.contents, secret: file.secret, instance: instance,
                                kind: file.kind, edits: file.edits, vaultValues: file.vaultValues)
        }
    }

    /// Why the playbook's instances cannot be put where it puts them on this host: the
    /// default instance lives elsewhere than /etc/postfix, or an instance of the same name
    /// lives in another directory (postmulti would refuse to create it again; postfleet
    /// does not move an instance's files).
    static func placementRefusals(_ desired: [InstanceSpec], facts: HostFacts) -> [String] {
        var refusals: [String] = []
        if let main = facts.defaultInstance, main.configDirectory != PostfixInstance.defaultConfigDirectory,
           desired.contains(where: \.instance.isDefault) {
            refusals.append("the default instance lives in \(main.configDirectory) on this host, not in "
                            + "\(PostfixInstance.defaultConfigDirectory) where the playbook writes it")
        }
        for spec in desired where !spec.instance.isDefault {
            guard let have = facts.secondaryInstances.first(where: { $0.name == spec.name }),
                  have.configDirectory != spec.instance.configDirectory else { continue }
            refusals.append("instance \(spec.name) lives in \(have.configDirectory) on this host, not in "
                            + "\(spec.instance.configDirectory) where the playbook writes it")
        }
        return refusals
    }
}
