import Foundation
import Inventory
import Postfix

/// The secrets among one host's rendered files, to take out of what the host prints back
/// (a failed step's output: postconf's "unused parameter: name=value" warnings, a task
/// that prints a table): the values of secret tables' entries, the values of
/// parameters and master.cf `-o` options that give credentials inline, and the vault
/// values the files hold.
public struct SecretValues: Sendable {
    /// Longest first, so that a value containing another is replaced whole.
    let values: [String]

    /// Values shorter than this are not looked for: they would garble ordinary words.
    public static let shortest = 4

    public init(_ files: [RenderedFile]) {
        var values: Set<String> = []
        func add(_ value: some StringProtocol) {
            let value = String(value)
            guard value.count >= Self.shortest else { return }
            values.insert(value)
            // `user:password`, `static:user:password`: the password alone too.
            if let last = value.split(separator: ":").last, last.count >= Self.shortest { values.insert(String(last)) }
        }
        // Every vault value a file holds, wherever it is.
        for file in files { file.vaultValues.forEach(add) }
        for file in files where file.secret {
            if case .file = file.kind {
                // A key: each of its lines (base64, no spaces) is secret on its own.
                for line in file.text.split(separator: "\n") where line.count >= 16 && !line.hasPrefix("-----") { add(line) }
                continue
            }
            for line in file.text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") {
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if fields.count > 1 { add(line.dropFirst(fields[0].count).trimmingCharacters(in: .whitespaces)) }
            }
        }
        var byInstance: [String: PostfixInstance] = [:]
        for file in files { byInstance[file.instance.configDirectory] = file.instance }
        for instance in byInstance.values {
            let mine = files.filter { $0.instance.configDirectory == instance.configDirectory }
            let secrets = InstanceSecrets(instance: instance, rendered: mine)
            for file in mine {
                switch file.kind {
                case .mainCF:
                    for (name, value) in MainCF(file.text).parameters where secrets.parameters.contains(name) { add(value) }
                case .mainCFEdits, .masterCFEdits:
                    for case let .set(name, value) in file.edits where secrets.parameters.contains(name) { add(value) }
                    for case let .setService(_, line) in file.edits { Self.addOptions(MasterCF.fields(line), secrets, add) }
                case .masterCF:
                    for service in MasterCF(file.text).services { Self.addOptions(service.fields, secrets, add) }
                case .table, .file:
                    break
                }
            }
        }
        self.values = values.sorted { $0.count > $1.count }
    }

    /// Adds the values of a service's options that ``InstanceSecrets`` hides.
    private static func addOptions(_ fields: [String], _ secrets: InstanceSecrets, _ add: (String) -> Void) {
        let masked = secrets.masking(service: fields, as: SecretText.mask)
        guard masked != fields else { return }
        let hidden = Set(MasterCF.options(masked).filter { $0.value == SecretText.mask }.map(\.name))
        for option in MasterCF.options(fields) where hidden.contains(option.name) { add(option.value) }
    }

    /// `text` with every secret value, and every secret-looking `name=value`
    /// (``Inventory/SecretText``), shown as `(secret)`.
    public func hiding(in text: String) -> String {
        var text = text
        for value in values where text.holds(value) {
            text = text.replacingAll(value, with: SecretText.mask)
        }
        return SecretText.maskingLines(text)
    }
}
