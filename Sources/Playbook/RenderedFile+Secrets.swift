import Foundation
import Postfix

extension InstanceSecrets {
    /// What an instance's rendered main.cf and master.cf make secret: the parameters a whole
    /// main.cf sets, or those its postconf edits set (the host's other parameters are not
    /// known when rendering); the services of a whole master.cf, or those its edits set.
    ///
    /// - Parameter mainCFParameters: The parameters of the whole main.cf among `files`, when
    ///   the caller has them already; nil: read from the file.
    public init(instance: PostfixInstance, rendered files: [RenderedFile], mainCFParameters: [String: String]? = nil) {
        var parameters: [String: String] = [:]
        var services: [[String]] = []
        for file in files where file.instance.configDirectory == instance.configDirectory {
            switch file.kind {
            case .mainCF:
                if let mainCFParameters {
                    parameters.merge(mainCFParameters) { _, file in file }
                } else {
                    for (name, value) in MainCF(file.text).parameters { parameters[name] = value }
                }
            case .masterCF:
                services += MasterCF(file.text).services.map(\.fields)
            case .mainCFEdits, .masterCFEdits:
                for edit in file.edits {
                    switch edit {
                    case let .set(name, value): parameters[name] = value
                    case let .setService(_, line): services.append(MasterCF.fields(line))
                    case .remove, .removeService: break
                    }
                }
            case .table, .file:
                break
            }
        }
        self.init(instance: instance, parameters: parameters, services: services)
    }
}

extension RenderedFile {
    /// A `main.cf.postconf` or `master.cf.postconf` whose text shows every value that gives
    /// credentials inline as `(secret)`, so that render's output holds no password outside
    /// a secret table. Its ``edits``, which a run applies, keep the real values. Other
    /// files are returned as they are: a whole main.cf or master.cf is the host's file.
    public func hidingInlineSecrets(_ secrets: InstanceSecrets) -> RenderedFile {
        guard kind == .mainCFEdits || kind == .masterCFEdits else { return self }
        var text = self.text
        for edit in edits {
            let hidden: PostconfEdit
            switch edit {
            case let .set(name, _) where secrets.parameters.contains(name):
                hidden = .set(parameter: name, value: Self.secretMask)
            case let .setService(key, line):
                let fields = MasterCF.fields(line)
                let masked = secrets.masking(service: fields, as: Self.secretMask)
                guard masked != fields else { continue }
                hidden = .setService(key, line: masked.joined(separator: " "))
            default:
                continue
            }
            let directory = instance.configDirectory
            text = text.replacingOccurrences(of: edit.commandLine(configDirectory: directory),
                                             with: hidden.commandLine(configDirectory: directory))
        }
        return RenderedFile(path: path, contents: Array(text.utf8), secret: secret, instance: instance, kind: kind, edits: edits,
                            vaultValues: vaultValues)
    }

    /// What a hidden value shows as.
    public static let secretMask = "(secret)"
}
