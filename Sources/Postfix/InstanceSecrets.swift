/// What one instance's configuration makes secret, found as Postfix reads it: every password
/// map (`*_password_maps` in main.cf, or as a master.cf service's `-o`) expanded with the
/// instance's parameters and defaults (``ParameterExpansion``), so that
/// `smtp_sasl_password_maps = ${indexed}sasl_passwd` with
/// `indexed = ${default_database_type}:${config_directory}/` names
/// `/etc/postfix-out/sasl_passwd` as `hash:/etc/postfix-out/sasl_passwd` does.
///
/// Where a value cannot be expanded (parameters in a circle, too deep), postfleet errs on
/// the side of secrecy: its references are read as empty for the tables it names, and its
/// value is taken to hold credentials.
public struct InstanceSecrets: Sendable {
    /// The tables the password maps name, by normalized absolute path.
    public private(set) var tablePaths: Set<String> = []
    /// File names of tables named by a path that stayed relative (a reference to a
    /// parameter the instance does not set): any of the instance's tables of that name.
    public private(set) var tableNames: Set<String> = []
    /// main.cf parameters whose value gives credentials inline (`static:user:pass`), or feeds
    /// a password map that does.
    public private(set) var parameters: Set<String> = []
    /// Files that hold a TLS private key, by normalized absolute path: those a
    /// `*_tls_*key_file` or `*_tls_chain_files` parameter names (in main.cf or a service's
    /// `-o`), and a `*_tls_*cert_file` whose key parameter is not set (its default is the
    /// certificate's file: the key is in it).
    public private(set) var keyFilePaths: Set<String> = []
    let instance: PostfixInstance
    let mainCF: [String: String]

    /// - Parameters:
    ///   - parameters: the instance's main.cf parameters.
    ///   - services: its master.cf services, as fields.
    public init(instance: PostfixInstance, parameters: [String: String], services: [[String]]) {
        self.instance = instance
        mainCF = parameters
        let maps = parameters.filter { PasswordMaps.isPasswordParameter($0.key) }
        if !maps.isEmpty {
            let expansion = ParameterExpansion(parameters: parameters, instance: instance)
            for (name, value) in maps where note(value, expansion: expansion) {
                self.parameters.formUnion(secretNames(name, value, expansion).intersection(parameters.keys))
            }
        }
        noteKeyFiles(parameters, expansion: ParameterExpansion(parameters: parameters, instance: instance))
        for fields in services where fields.contains(where: { $0.containsASCII("_tls_") }) {
            var overridden = parameters
            for option in MasterCF.options(fields) { overridden[option.name] = option.value }
            noteKeyFiles(overridden, expansion: ParameterExpansion(parameters: overridden, instance: instance))
        }
        // Most services set no password map: they cost one look at their fields.
        for fields in services where fields.contains(where: { $0.containsASCII("_password_maps") }) {
            let (local, passwordOptions) = serviceContext(fields)
            let overridden = Set(MasterCF.options(fields).map(\.name))
            for option in passwordOptions where note(option.value, expansion: local) {
                // The main.cf parameters it draws on; not those the service sets itself.
                self.parameters.formUnion(local.references(in: option.value).subtracting(overridden).intersection(parameters.keys))
            }
        }
    }

    /// Whether a TLS key parameter names the file at `path` (see ``keyFilePaths``).
    public func namesKeyFile(_ path: String) -> Bool {
        keyFilePaths.contains(PasswordMaps.normalizedPath(path))
    }

    /// Whether `name` is a parameter whose files hold a private key: `smtpd_tls_key_file`,
    /// `smtp_tls_eckey_file`, `smtpd_tls_chain_files`, ...
    public static func isKeyParameter(_ name: String) -> Bool {
        name.containsASCII("_tls_") && (name.hasSuffix("key_file") || name.hasSuffix("_chain_files"))
    }

    private mutating func noteKeyFiles(_ parameters: [String: String], expansion: ParameterExpansion) {
        for (name, value) in parameters {
            var named = Self.isKeyParameter(name)
            // `smtpd_tls_cert_file` with no `smtpd_tls_key_file`: the key defaults to the certificate's file.
            if !named, name.containsASCII("_tls_"), name.hasSuffix("cert_file") {
                let key = String(name.dropLast("cert_file".count)) + "key_file"
                named = (parameters[key] ?? "").isEmpty
            }
            guard named else { continue }
            let expanded = (try? expansion.expand(value)) ?? value
            for word in PasswordMaps.words(expanded) where word.hasPrefix("/") {
                keyFilePaths.insert(PasswordMaps.normalizedPath(word))
            }
        }
    }

    /// Whether a password map names the instance's table at `path`.
    public func namesTable(_ path: String) -> Bool {
        let path = PasswordMaps.normalizedPath(path)
        return tablePaths.contains(path) || tableNames.contains(String(path.split(separator: "/").last ?? ""))
    }

    /// A service's `fields` with the value of each `-o` that gives credentials inline (or
    /// feeds a password map that does) written as `mask`.
    public func masking(service fields: [String], as mask: String) -> [String] {
        guard fields.contains(where: { $0.containsASCII("_password_maps") }) else { return fields }
        let (local, passwordOptions) = serviceContext(fields)
        var hidden: Set<String> = []
        for option in passwordOptions where Self.holdsInlineData(option.value, local) {
            hidden.formUnion(secretNames(option.name, option.value, local))
        }
        return hidden.isEmpty ? fields : MasterCF.masking(fields, as: mask, where: { hidden.contains($0.name) })
    }

    /// The expansion a service sees (main.cf under its `-o` overrides), and its password maps.
    private func serviceContext(_ fields: [String]) -> (ParameterExpansion, [MasterCF.Option]) {
        let options = MasterCF.options(fields)
        var overridden = mainCF
        for option in options { overridden[option.name] = option.value }
        let local = ParameterExpansion(parameters: overridden, instance: instance)
        return (local, options.filter { PasswordMaps.isPasswordParameter($0.name) })
    }

    /// Notes the tables the password map `value` names; returns whether it holds credentials itself.
    private mutating func note(_ value: String, expansion: ParameterExpansion) -> Bool {
        let expanded = try? expansion.expand(value)
        // Unexpandable: references read as empty, which keeps the literal parts of paths.
        let readable = expanded ?? (try? ParameterExpansion(parameters: [:]).expand(value)) ?? value
        for path in PasswordMaps.contents(of: readable).paths {
            if path.hasPrefix("/") {
                tablePaths.insert(path)
            } else if let name = path.split(separator: "/").last {
                tableNames.insert(String(name))
            }
        }
        return expanded.map(PasswordMaps.holdsInlineData) ?? true
    }

    /// The password map `name` and every parameter its `value` refers to: together they
    /// give the credentials.
    private func secretNames(_ name: String, _ value: String, _ expansion: ParameterExpansion) -> Set<String> {
        expansion.references(in: value).union([name])
    }

    private static func holdsInlineData(_ value: String, _ expansion: ParameterExpansion) -> Bool {
        (try? expansion.expand(value)).map(PasswordMaps.holdsInlineData) ?? true
    }
}
