import Foundation
import Synchronization
import Vault
import Yams

/// The vault passwords one load decrypts with, and what it has decrypted so far.
///
/// ``Inventory/load(path:vault:)`` and the playbook's loader bind it for the length of the
/// load (a task-local value, so the YAML readers deep inside reach it without every one
/// of them taking it), and an error thrown out of the load has every plaintext decrypted
/// so far shown as `(secret)`: a message may quote a value (`ansible_port must be a port
/// number, not "..."`).
package final class VaultDecryption: Sendable {
    @TaskLocal package static var current: VaultDecryption?

    let keyring: VaultKeyring
    private let found = Mutex<[String]>([])

    package init(_ keyring: VaultKeyring) {
        self.keyring = keyring
    }

    /// Every plaintext decrypted so far: whole texts, and the strings of decrypted files.
    package var plaintexts: [String] { found.withLock { $0 } }

    func decrypt(_ envelope: String) throws(VaultError) -> String {
        let plaintext = try keyring.decryptText(envelope)
        remember([plaintext])
        return plaintext
    }

    func remember(_ plaintexts: [String]) {
        found.withLock { $0 += plaintexts.filter { !$0.isEmpty } }
    }

    /// Runs `body` with this decryption bound; a ``SourceError`` it throws has the
    /// plaintexts decrypted meanwhile hidden.
    package func run<T>(_ body: () throws -> T) throws -> T {
        do {
            return try VaultDecryption.$current.withValue(self) { try body() }
        } catch let error as SourceError {
            throw error.hiding(plaintexts)
        }
    }
}

extension Value {
    /// An inline `!vault` value, decrypted with the passwords of the load in progress.
    /// - Throws: at the value's tag: no password, a wrong one, a changed or malformed envelope.
    static func decryptedVault(_ envelope: String, at node: Node, in source: SourceText) throws(SourceError) -> Value {
        guard let decryption = VaultDecryption.current else {
            throw source.error(VaultError.noPassword.description, at: node)
        }
        do {
            return .vault(VaultedString(plaintext: try decryption.decrypt(envelope), envelope: envelope))
        } catch {
            throw source.vaultError(error, at: node)
        }
    }
}

extension SourceText {
    /// A decryption error of the envelope at `node`; a malformed line of a literal block
    /// (`!vault |`) is pointed at where it is.
    func vaultError(_ error: VaultError, at node: Node) -> SourceError {
        if case let .malformed(_, line) = error, line > 1, let mark = node.mark, case let .scalar(scalar) = node, scalar.style == .literal {
            // The envelope's first line is the one after the tag's.
            let number = mark.line + line
            let indent = self.line(number).unicodeScalars.prefix { $0 == " " }.count
            return self.error("\(error)", line: number, column: indent + 1)
        }
        return self.error("\(error)", at: node)
    }
}

extension SourceError {
    /// This error with each of `values` (of three characters or more) in its message shown as `(secret)`.
    package func hiding(_ values: [String]) -> SourceError {
        var message = self.message
        for value in values.sorted(by: { $0.count > $1.count }) where value.count >= 3 {
            message = message.replacingAll(value, with: SecretText.mask)
        }
        guard message != self.message else { return self }
        return SourceError(self, message: message)
    }
}

extension SourceText {
    /// A file encrypted whole, decrypted with the passwords of the load in progress; its
    /// strings are remembered as secrets.
    /// - Throws: at the file's first line: no password, a wrong one, a changed or malformed envelope.
    func decrypted() throws(SourceError) -> SourceText {
        guard let decryption = VaultDecryption.current else {
            throw error(VaultError.noPassword.description, line: 1, column: 1)
        }
        do {
            let plaintext = try decryption.decrypt(text)
            // A message about one of its values (a bad port) may quote it: each is a secret.
            decryption.remember(Self.strings(in: plaintext))
            return SourceText(path: path, text: plaintext, isDecrypted: true)
        } catch let .malformed(detail, line) {
            return try failure(VaultError.malformed(detail, line: line), line: line)
        } catch {
            return try failure(error, line: 1)
        }
    }

    /// The string values of a decrypted YAML or JSON text (not its keys, numbers or
    /// booleans: those are not secrets); its words when it does not parse.
    static func strings(in text: String) -> [String] {
        guard let root = try? Yams.compose(yaml: text, .ansible) else {
            return text.split(whereSeparator: \.isWhitespace).map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "\"',[]{}:")) }
        }
        var found: [String] = []
        func walk(_ node: Node) {
            switch node {
            case let .scalar(scalar):
                if Tag.Name(rawValue: node.tag.rawValue) == .str { found.append(scalar.string) }
            case let .sequence(sequence): sequence.forEach(walk)
            case let .mapping(mapping): mapping.values.forEach(walk)
            case .alias: break
            }
        }
        walk(root)
        return found
    }

    private func failure(_ error: VaultError, line: Int) throws(SourceError) -> SourceText {
        throw self.error("\(error)", line: line, column: 1)
    }
}
