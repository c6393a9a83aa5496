import Postfix
import Testing

/// Postfix's parameter expansion as postconf(5) describes it, and what a password map names.
@Suite struct ParameterExpansionTests {
    let out = PostfixInstance(name: "postfix-out", group: "mta")

    func expand(_ value: String, _ parameters: [String: String] = [:]) throws -> String {
        try ParameterExpansion(parameters: parameters, instance: out).expand(value)
    }

    @Test(arguments: [
        ("$config_directory/sasl_passwd", "/etc/postfix-out/sasl_passwd"),
        ("${config_directory}/sasl_passwd", "/etc/postfix-out/sasl_passwd"),
        ("$(config_directory)/sasl_passwd", "/etc/postfix-out/sasl_passwd"),
        ("${indexed}sasl_passwd", "hash:/etc/postfix-out/sasl_passwd"),
        ("$$config_directory", "$config_directory"),
        ("$undefined_parameter/x", "/x"),
        ("${relay?{yes}:{no}}", "yes"),
        ("${empty?{yes}:{no}}", "no"),
        ("${empty?{yes}:no}", "no"),
        ("${relay?set}", "set"),
        ("${empty?set}", ""),
        ("${empty:unset $relay}", "unset [hub]:587"),
        ("${relay:{unset}}", ""),
        ("${{$mail_owner} == {postfix}?{owner}:{other}}", "owner"),
        ("${{10} > {9}?{numbers}:{text}}", "numbers"),
        ("${{10} < {9}?{numbers}:{text}}", "text"),
        ("$(indexed)", "hash:/etc/postfix-out/"),
    ])
    func expandsAsPostfixDoes(value: String, expected: String) throws {
        let parameters = ["indexed": "${default_database_type}:${config_directory}/", "relay": "[hub]:587", "empty": ""]
        #expect(try expand(value, parameters) == expected)
    }

    @Test func aCircleOrADeepChainIsAFailureNotALoop() throws {
        #expect(throws: ParameterExpansion.Failure.cycle(["a", "b", "a"])) { try expand("$a", ["a": "x$b", "b": "$a"]) }
        var chain: [String: String] = [:]
        for i in 0..<150 { chain["p\(i)"] = "$p\(i + 1)" }
        #expect(throws: ParameterExpansion.Failure.tooDeep) { try expand("$p0", chain) }
        // Doubling 40 times would be a terabyte: the length bound stops it.
        var doubling: [String: String] = ["d40": "xxxxxxxx"]
        for i in 0..<40 { doubling["d\(i)"] = "$d\(i + 1)$d\(i + 1)" }
        #expect(throws: ParameterExpansion.Failure.tooLong) { try expand("$d0", doubling) }
        #expect(throws: ParameterExpansion.Failure.self) { try expand("${config_directory") }
    }

    @Test func referencesFollowEveryParameterAValueUses() {
        let expansion = ParameterExpansion(parameters: ["maps": "${indexed}a $creds", "indexed": "$x", "creds": "static:$user", "user": "u"],
                                           instance: out)
        #expect(expansion.references(in: "$maps") == ["maps", "indexed", "x", "creds", "user"])
    }

    @Test func aMapListNamesItsTablesNormalizedAndSaysWhenItGivesDataInline() {
        let list = PasswordMaps.contents(of: "hash:/etc/postfix//sasl_passwd, proxy:cdb:/etc/postfix/./b  pipemap:{texthash:/x/../c, static:u:p}")
        #expect(list.paths == ["/etc/postfix/sasl_passwd", "/etc/postfix/b", "/c"])
        #expect(list.inline)
        #expect(!PasswordMaps.holdsInlineData("hash:/etc/postfix/sasl_passwd"))
        #expect(PasswordMaps.holdsInlineData("inline:{ [hub]:587=u:p }"))
    }

    @Test func masterCFOptionsInEveryForm() {
        let fields = MasterCF.fields("relay unix - - n - - smtp -o smtp_sasl_password_maps=static:u:p -o { smtp_helo_name = a b } -oa=b")
        #expect(MasterCF.options(fields).map { "\($0.name)=\($0.value)" } == ["smtp_sasl_password_maps=static:u:p", "smtp_helo_name=a b", "a=b"])
        let masked = MasterCF.masking(fields, as: "(secret)") { $0.name == "smtp_sasl_password_maps" }
        #expect(masked.joined(separator: " ") == "relay unix - - n - - smtp -o smtp_sasl_password_maps=(secret) -o { smtp_helo_name = a b } -oa=b")
    }

    /// What an instance's password maps make secret, from main.cf and from master.cf `-o`.
    @Test func instanceSecretsFindTablesAndInlineCredentials() {
        let secrets = InstanceSecrets(instance: out, parameters: [
            "indexed": "${default_database_type}:${config_directory}/",
            "smtp_sasl_password_maps": "${indexed}sasl_passwd",
            "creds": "static:u:pw",
        ], services: [MasterCF.fields("relay unix - - n - - smtp -o lmtp_sasl_password_maps=$creds -o smtp_sasl_password_maps=hash:/etc/postfix-out//relay_passwd")])
        #expect(secrets.namesTable("/etc/postfix-out/sasl_passwd"))
        #expect(secrets.namesTable("/etc/postfix-out/relay_passwd"))
        #expect(!secrets.namesTable("/etc/postfix-out/generic"))
        #expect(secrets.parameters == ["creds"])
    }
}
