import Playbook
import Postfix

extension InstancePlan {
    /// `files` with every table a password map names, and every file a TLS key parameter names, marked secret, judged with the host's
    /// parameters too: with main.cf given as postconf edits, a map can name a table through
    /// a parameter that only the host's main.cf sets (`${indexed}sasl_passwd`), which
    /// rendering, without the host, could not resolve.
    static func markingSecretTables(_ files: [RenderedFile], instance: PostfixInstance, before: InstanceFacts?) -> [RenderedFile] {
        // Only a table or a file not yet secret can be marked.
        let markable = files.contains { file in
            switch file.kind {
            case .table, .file: !file.secret
            default: false
            }
        }
        guard markable else { return files }
        let old = (parameters: before?.parameters ?? [:], services: (before?.services ?? []).map(MasterCF.fields))
        let new = DiffEntry.desired(old, files: files)
        let secrets = InstanceSecrets(instance: instance, parameters: new.parameters, services: new.services)
        return files.map { file in
            let named = switch file.kind {
            case .table: secrets.namesTable(file.path)
            case .file: secrets.namesKeyFile(file.path)
            default: false
            }
            guard named, !file.secret else { return file }
            return RenderedFile(path: file.path, contents: file.contents, secret: true, instance: file.instance,
                                kind: file.kind, edits: file.edits, vaultValues: file.vaultValues)
        }
    }
}
