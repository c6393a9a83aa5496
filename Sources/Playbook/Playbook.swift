import Inventory
import Postfix
import Vault

/// A playbook: what each host's Postfix instances should look like, and what to run.
///
/// The file is a YAML list of plays, as in Ansible; docs/PLAYBOOKS.md describes the schema.
/// Loading checks everything that does not depend on a host (keys, types, instance names,
/// that every template exists and parses, postmulti's parameters left alone); rendering for
/// a host checks the rest (the host pattern, every template variable).
public struct Playbook: Sendable {
    /// The file, as given.
    public let path: String
    public let plays: [Play]

    public init(path: String, plays: [Play]) {
        self.path = path
        self.plays = plays
    }

    /// Loads and checks a playbook file, and every template and file it names (paths are
    /// relative to the playbook's directory).
    ///
    /// `!vault` values in the plays' `vars:` are decrypted with `vault`'s passwords.
    ///
    /// - Throws: `FileError` when the playbook cannot be read; `SourceError` for any mistake
    ///   in it or in a template, at the place of the mistake.
    public static func load(path: String, vault: VaultKeyring = .empty) throws -> Playbook {
        try VaultDecryption(vault).run { try parse(SourceText.read(path: path)) }
    }

    /// Reads a playbook from text; `path` names it in errors, and its directory is where
    /// template and file paths start.
    public static func parse(yaml: String, path: String = "playbook.yml") throws(SourceError) -> Playbook {
        try parse(SourceText(path: path, text: yaml))
    }

    static func parse(_ source: SourceText) throws(SourceError) -> Playbook {
        try PlaybookLoader(source: source).load()
    }

    /// The plays whose `hosts:` pattern selects `host`.
    public func plays(for host: InventoryHost, in inventory: Inventory) throws(SourceError) -> [Play] {
        var result: [Play] = []
        for play in plays where try play.targets(host, in: inventory) { result.append(play) }
        return result
    }
}

/// One play: a host pattern, variables, the host's Postfix instances, then tasks.
public struct Play: Sendable {
    /// `name:`, if given.
    public let name: String?
    /// The `hosts:` pattern as written (a YAML list of patterns is joined with `,`).
    public let hosts: String
    /// Where `hosts:` is, for errors about the pattern.
    public let hostsMark: SourceMark
    /// `become:` (Ansible's): run every command on the play's hosts through `sudo -n`; nil
    /// when not said (an inventory's `ansible_become` wins over it, and it over `--become`).
    public let become: Bool?
    /// `become_user:`; nil means root.
    public let becomeUser: String?
    /// `vars:`; they override the inventory's variables. A string value that holds a tag is a
    /// template, rendered for each host (see `variables(for:inventory:)`); here it is as written.
    public let vars: [String: Value]
    /// The templates among `vars`: top-level string values that hold a tag.
    let varTemplates: [String: Template]
    /// `policy:`: how a run rolls over the play's hosts (see ``Policy``).
    public let policy: Policy?
    /// `instances:` in order: the default instance (if listed) first, then the secondary
    /// ones in start order (`multi_instance_directories`).
    public let instances: [InstanceSpec]
    /// `tasks:`, run in order after the instances converge.
    public let tasks: [PlayTask]
    /// Where the play starts.
    public let mark: SourceMark
    /// Its position in the playbook, from 1.
    public let number: Int

    /// `play 'Border cluster'`, or `play 2` without a name, for messages.
    public var displayName: String { name.map { "play '\($0)'" } ?? "play \(number)" }

    /// Every instance of the play as Postfix sees it, in order.
    public var postfixInstances: [PostfixInstance] { instances.map(\.instance) }

    /// The instances that should exist (not `state: absent`).
    public var presentInstances: [PostfixInstance] {
        instances.filter { $0.state == .present }.map(\.instance)
    }

    /// The hosts `hosts:` selects, in inventory order.
    ///
    /// - Throws: `SourceError` at the `hosts:` value for a pattern that matches nothing or is malformed.
    public func hosts(in inventory: Inventory) throws(SourceError) -> [InventoryHost] {
        do {
            return try inventory.select(hosts)
        } catch {
            throw hostsMark.error("\(error)")
        }
    }

    /// Whether `hosts:` selects `host`.
    public func targets(_ host: InventoryHost, in inventory: Inventory) throws(SourceError) -> Bool {
        do {
            return try inventory.selects(host, pattern: hosts)
        } catch {
            throw hostsMark.error("\(error)")
        }
    }
}

/// An instance as a play wants it.
public struct InstanceSpec: Sendable {
    public enum State: String, Sendable, Hashable {
        /// It exists (postfleet creates it when missing).
        case present
        /// It is destroyed (stopped, disabled, queue empty first).
        case absent
    }

    /// Name, group, enabled, and the directories derived from the name.
    public let instance: PostfixInstance
    public let state: State
    public let mainCF: MainCFSpec?
    public let masterCF: MasterCFSpec?
    public let tables: [TableSpec]
    /// `files:`: other files of its configuration directory (certificates, keys).
    public var files: [ManagedFileSpec] = []
    /// `tls:`: how a changed certificate is checked before it goes live.
    public var tlsCheck = TLSCheckSpec()
    /// `reload: false`: a change never reloads or restarts the instance (a stopped one is
    /// still started); it goes live at the next reload someone else makes.
    public var reload = true
    /// Where the instance's `name:` is.
    public let mark: SourceMark

    public var name: String { instance.name }
}

/// An instance's main.cf: a whole file (rendered or not), or edits to the host's file.
public enum MainCFSpec: Sendable {
    /// `template: PATH`: the whole file, rendered per host.
    case template(Template, mark: SourceMark)
    /// `file: PATH`: the whole file, as it is.
    case file(FileSource)
    /// `parameters:` and `remove:`: as `postconf -e` and `postconf -X` on the host's file.
    case edits(parameters: [ParameterSetting], remove: [ParameterRemoval])
}

/// An instance's master.cf: a whole file, or services changed one by one.
public enum MasterCFSpec: Sendable {
    case template(Template, mark: SourceMark)
    case file(FileSource)
    /// `services:`: as `postconf -M` and `postconf -MX`, in order.
    case services([ServiceSetting])
}

/// A file of the instance's configuration directory that is neither main.cf, master.cf
/// nor a table: a certificate, a key, a file a parameter names.
public struct ManagedFileSpec: Sendable {
    public enum Source: Sendable {
        /// `template: PATH`.
        case template(Template, mark: SourceMark)
        /// `file: PATH`.
        case file(FileSource)
        /// `file: PATH` whose path is a template (`certs/{{inventory_hostname}}.pem`): read
        /// per host, relative to `baseDirectory`.
        case perHostFile(Template, baseDirectory: String, mark: SourceMark)
    }

    /// The file name in the instance's directory, e.g. `mx.pem`.
    public let name: String
    public let source: Source
    /// `secret:`; nil: secret when a `*_tls_*key_file` or `*_tls_chain_files` parameter
    /// of the instance names it (see ``Postfix/InstanceSecrets``).
    public let secret: Bool?
    /// Where its `name:` is.
    public let mark: SourceMark
}

/// `tls:` of an instance: the staged check of a changed certificate.
public struct TLSCheckSpec: Sendable, Hashable {
    /// `ca_file:`: trusted roots (PEM) the chain must reach; nil: the host's system store.
    public var caFile: FileSource?
    /// `valid_for:`: how long the certificate must stay valid from now.
    public var validFor: Duration = .seconds(14 * 86_400)
    /// `names:`: the names it must cover; empty: the instance's `myhostname`.
    public var names: [String] = []
    /// `check: false` turns the check off.
    public var check = true

    public init() {}
}

/// A file copied as it is.
public struct FileSource: Sendable, Hashable {
    /// As written in the playbook.
    public let path: String
    /// Where it was read: relative to the playbook's directory.
    public let resolvedPath: String
    public let contents: [UInt8]
    /// Where the path is written.
    public let mark: SourceMark
}

/// `name: value` under `parameters:`. A list value is its items joined with `", "`.
public struct ParameterSetting: Sendable {
    public let name: String
    /// One template per list item (one for a single value), rendered per host.
    public let parts: [Template]
    /// Where the name is.
    public let mark: SourceMark
}

/// A name under `remove:`.
public struct ParameterRemoval: Sendable, Hashable {
    public let name: String
    public let mark: SourceMark
}

/// `name/type: line` or `name/type: absent` under `services:`.
public struct ServiceSetting: Sendable {
    public let key: MasterServiceKey
    /// The master.cf line (a template); nil for `absent`.
    public let line: Template?
    /// Where the key is.
    public let mark: SourceMark
    /// Where the value is.
    public let valueMark: SourceMark
}

/// A lookup table source file in the instance's configuration directory.
public struct TableSpec: Sendable {
    /// The file name, e.g. `generic`.
    public let name: String
    public let type: TableType
    public let source: TableSource
    /// `secret:`; nil: secret when a password map of the instance (a `*_password_maps`
    /// parameter of its main.cf, or a master.cf `-o`) names it, once expanded as Postfix
    /// expands it (``Postfix/InstanceSecrets``).
    public let secret: Bool?
    /// Where the table's `name:` is.
    public let mark: SourceMark
}

public enum TableSource: Sendable {
    /// `template: PATH`.
    case template(Template, mark: SourceMark)
    /// `file: PATH`.
    case file(FileSource)
    /// `entries: {key: value}`: one `key<TAB>value` line each, in order; both rendered.
    case entries([TableEntry])
}

public struct TableEntry: Sendable {
    public let key: Template
    public let value: Template
}

/// A task: a postmulti operation or a plain command, run on the host after the instances converge.
public struct PlayTask: Sendable {
    public enum Action: Sendable, Hashable {
        case postmulti(PostmultiCommand)
        /// A command line for the host's shell.
        case command(String)
    }

    /// `until:`, `retries:`, `delay:` as in Ansible: the task is run again, `delay` apart,
    /// until its condition holds, at most `attempts` times in all.
    public struct Retry: Sendable, Hashable {
        /// Tries in all (Ansible's `retries` + 1).
        public var attempts: Int
        public var delay: Duration
        /// The exit status that ends the retries; 0 when `until:` names no `rc` and no text.
        public var rc: Int32?
        /// Text stdout must contain.
        public var stdoutContains: String?

        public init(attempts: Int, delay: Duration, rc: Int32? = nil, stdoutContains: String? = nil) {
            self.attempts = attempts
            self.delay = delay
            self.rc = rc
            self.stdoutContains = stdoutContains
        }
    }

    public let name: String?
    public let action: Action
    public let mark: SourceMark
    /// nil: run once, and the task fails on a non-zero exit status.
    public let retry: Retry?

    public init(name: String?, action: Action, mark: SourceMark, retry: Retry? = nil) {
        self.name = name
        self.action = action
        self.mark = mark
        self.retry = retry
    }

    /// The command line the host's shell runs.
    public var commandLine: String {
        switch action {
        case let .postmulti(command): command.commandLine
        case let .command(command): command
        }
    }
}

extension InstanceSpec {
    /// The instance as the host has it (`instance` from its facts), converged to whole files
    /// given apart from any playbook: `postfleet restore`.
    public init(restoring instance: PostfixInstance) {
        self.init(instance: instance, state: .present, mainCF: nil, masterCF: nil, tables: [],
                  mark: SourceMark(file: "postfleet restore", line: 1, column: 1, sourceLine: ""))
    }
}
