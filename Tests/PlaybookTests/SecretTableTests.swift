import Foundation
import Inventory
import Playbook
import Postfix
import Testing

/// Every way a playbook can name a password table makes it secret (0600) where it is
/// rendered, and no rendered description of postconf commands, nor render's output, holds
/// a password given inline.
@Suite struct SecretTableTests {
    static let password = "s3cret-pw-1"

    /// How `postfix-out`'s `sasl_passwd` table is named, as the `main_cf:` and `master_cf:`
    /// of the instance (YAML at the instance's indentation).
    static let namings: [(String, String)] = [
        ("literal", "main_cf: {parameters: {smtp_sasl_password_maps: 'hash:/etc/postfix-out/sasl_passwd'}}"),
        ("$config_directory", "main_cf: {parameters: {smtp_sasl_password_maps: 'hash:$config_directory/sasl_passwd'}}"),
        ("${config_directory}", "main_cf: {parameters: {smtp_sasl_password_maps: 'hash:${config_directory}/sasl_passwd'}}"),
        ("$(config_directory)", "main_cf: {parameters: {smtp_sasl_password_maps: 'hash:$(config_directory)/sasl_passwd'}}"),
        ("the guide's ${indexed}", """
            main_cf:
                    parameters:
                      indexed: "${default_database_type}:${config_directory}/"
                      smtp_sasl_password_maps: "${indexed}sasl_passwd"
            """),
        ("doubled slashes and ./", "main_cf: {parameters: {smtp_sasl_password_maps: 'hash:/etc/postfix-out//./sasl_passwd'}}"),
        ("two maps in one value", "main_cf: {parameters: {smtp_sasl_password_maps: 'hash:/etc/postfix-out/other,hash:$config_directory/sasl_passwd'}}"),
        ("two maps, a space", "main_cf: {parameters: {smtp_sasl_password_maps: 'hash:/etc/postfix-out/other hash:$config_directory/sasl_passwd'}}"),
        ("proxy:", "main_cf: {parameters: {smtp_sasl_password_maps: 'proxy:hash:${config_directory}/sasl_passwd'}}"),
        ("a whole main.cf", "main_cf: {template: main.cf}"),
        ("master.cf -o", """
            master_cf:
                    services:
                      relay/unix: "relay unix - - n - - smtp -o smtp_sasl_password_maps=hash:${config_directory}/sasl_passwd"
            """),
        ("a whole master.cf", "master_cf: {template: master.cf}"),
    ]

    static let files = [
        "main.cf": "indexed = ${default_database_type}:${config_directory}/\nsmtp_sasl_password_maps = ${indexed}sasl_passwd\n",
        "master.cf": "relay unix - - n - - smtp\n  -o smtp_sasl_password_maps=$(indexed)sasl_passwd\n  -o indexed=hash:$config_directory/\n",
    ]

    static func playbook(_ naming: String) -> String {
        """
        - hosts: border
          vars: {relay_password: \(password)}
          instances:
            - name: postfix-out
              \(naming)
              tables:
                - {name: sasl_passwd, type: hash, entries: {"[hub]:587": "u:{{ relay_password }}"}}
                - {name: generic, type: hash, entries: {root: admin}}
        """
    }

    @Test(arguments: namings)
    func aPasswordTableIsSecretHoweverItIsNamed(way: String, naming: String) throws {
        let files = try withPlaybookFiles(Self.playbook(naming), files: Self.files) { path in
            let playbook = try Playbook.load(path: path)
            let inventory = try inventory()
            return try playbook.render(for: inventory.requireHost("mta3"), inventory: inventory)
        }
        let table = try #require(files.first { $0.path == "/etc/postfix-out/sasl_passwd" })
        #expect(table.secret && table.mode == 0o600, "\(way)")
        let generic = try #require(files.first { $0.path == "/etc/postfix-out/generic" })
        #expect(!generic.secret && generic.mode == 0o644, "\(way)")
    }

    /// `postfleet render`: the table 0600 in OUT, and a password given inline in a parameter or
    /// a service's `-o` shows as (secret) in main.cf.postconf and master.cf.postconf.
    @Test func renderWritesTheTable0600AndHidesInlinePasswords() throws {
        try withTemporaryDirectory { directory in
            try write([
                "inventory.yml": exampleInventory,
                "playbook.yml": """
                    - hosts: border
                      vars: {relay_password: \(Self.password)}
                      instances:
                        - name: postfix-out
                          main_cf:
                            parameters:
                              creds: "static:u:{{ relay_password }}"
                              lmtp_sasl_password_maps: "$creds"
                              smtp_sasl_password_maps: "inline:{ [hub]:587=u:{{ relay_password }} }"
                          master_cf:
                            services:
                              relay/unix: "relay unix - - n - - smtp -o smtp_sasl_password_maps=static:u:{{ relay_password }} -o smtp_sasl_auth_enable=yes"
                              hub/unix: "hub unix - - n - - smtp -o smtp_sasl_password_maps=proxy:hash:$config_directory//relay_passwd"
                          tables:
                            - {name: relay_passwd, type: hash, entries: {"[hub]:587": "u:{{ relay_password }}"}}
                    """,
            ], into: directory)
            let out = directory + "/out"
            let r = try run(postfleetExecutable, ["render", "playbook.yml", "-i", "inventory.yml", "--host", "mta3", "--out", out], in: directory)
            #expect(r.status == 0, "\(r.err)")
            let base = out + "/mta3/etc/postfix-out/"
            let mode = try FileManager.default.attributesOfItem(atPath: base + "relay_passwd")[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let main = try readFile(base + "main.cf.postconf"), master = try readFile(base + "master.cf.postconf")
            #expect(main.contains("-e 'creds = (secret)'") && main.contains("-e 'smtp_sasl_password_maps = (secret)'"), "\(main)")
            #expect(main.contains("-e 'lmtp_sasl_password_maps = (secret)'"), "\(main)")
            #expect(master.contains("-o smtp_sasl_password_maps=(secret) -o smtp_sasl_auth_enable=yes"), "\(master)")
            #expect(master.contains("smtp_sasl_password_maps=proxy:hash:$config_directory//relay_passwd"), "\(master)")
            for output in [r.out, r.err, main, master] {
                #expect(!output.contains(Self.password), "a password was shown: \(output)")
            }
        }
    }

    /// An error in a secret table's template or entries does not quote the line, which may
    /// hold a password under any key; the location stays.
    @Test func anErrorInASecretTableDoesNotQuoteItsLine() throws {
        let yaml = """
            - hosts: border
              instances:
                - name: postfix-out
                  main_cf: {parameters: {smtp_sasl_password_maps: "${default_database_type}:${config_directory}/sasl_passwd"}}
                  tables:
                    - {name: sasl_passwd, type: hash, entries: {"[hub]:587": "u:literal-pw-9{{ typo }}"}}
                    - {name: relay_passwd, type: hash, template: relay_passwd, secret: true}
            """
        let error = try withPlaybookFiles(yaml, files: ["relay_passwd": "[hub]:25 u:literal-pw-8{{ typo }}\n"]) { path in
            let playbook = try Playbook.load(path: path)
            let inventory = try inventory()
            do {
                _ = try playbook.render(for: inventory.requireHost("mta3"), inventory: inventory)
            } catch let error as SourceError {
                return error
            }
            Issue.record("rendered without error")
            throw CancellationError()
        }
        #expect(error.line == 6 && error.message.contains("undefined variable 'typo'"), "\(error)")
        #expect(error.sourceLine == "(secret)" && !error.description.contains("literal-pw-9"), "\(error)")
    }
}
