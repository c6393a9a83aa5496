import Foundation
import Testing
@testable import Postfix

@Suite struct MainCFTests {
    let sample = """
        # See /usr/share/postfix/main.cf.dist
        myhostname = mta1.example.com

        # Comment lines and blank lines do not end a logical line:
        smtpd_recipient_restrictions = permit_mynetworks,
            # the next line continues the parameter above
            reject_unauth_destination
        mydestination =
        relayhost = [mailhub.example.com]
        myhostname = mta1.example.org

        """

    @Test func readsDefinitionsAsPostfixDoes() {
        let mainCF = MainCF(sample)
        #expect(mainCF.definitions.map(\.name) == [
            "myhostname", "smtpd_recipient_restrictions", "mydestination", "relayhost", "myhostname",
        ])
        #expect(mainCF.definitions.map(\.line) == [2, 5, 8, 9, 10])
        // Continuation lines are joined as Postfix joins them: their whitespace kept.
        #expect(mainCF.value(of: "smtpd_recipient_restrictions") == "permit_mynetworks,    reject_unauth_destination")
        #expect(mainCF.value(of: "mydestination") == "")
        // The last definition wins, as in Postfix.
        #expect(mainCF.value(of: "myhostname") == "mta1.example.org")
        #expect(mainCF.value(of: "nonesuch") == nil)
        #expect(mainCF.parameters.map(\.name) == ["myhostname", "smtpd_recipient_restrictions", "mydestination", "relayhost"])
        #expect(mainCF.parameters.first?.value == "mta1.example.org")
        #expect(mainCF.malformed.isEmpty)
    }

    @Test func writesBackEveryCharacter() {
        #expect(MainCF(sample).text == sample)
        #expect(MainCF("a = 1\r\n").value(of: "a") == "1")
        #expect(MainCF("").text == "")
        #expect(MainCF("a = 1").text == "a = 1\n")
    }

    @Test func linesThatAreNotParametersAreMalformed() {
        let mainCF = MainCF("a = 1\nthis is not a parameter\n{{#x}}\nb = 2\n")
        #expect(mainCF.malformed.map(\.line) == [2, 3])
        #expect(mainCF.definitions.map(\.name) == ["a", "b"])
    }

    @Test func setReplacesEveryDefinitionInPlaceAndKeepsComments() {
        var mainCF = MainCF(sample)
        mainCF.set("smtpd_recipient_restrictions", to: "permit_mynetworks, reject")
        mainCF.set("myhostname", to: "mta3.example.com")
        #expect(mainCF.text == """
            # See /usr/share/postfix/main.cf.dist
            myhostname = mta3.example.com

            # Comment lines and blank lines do not end a logical line:
            smtpd_recipient_restrictions = permit_mynetworks, reject
                # the next line continues the parameter above
            mydestination =
            relayhost = [mailhub.example.com]
            myhostname = mta3.example.com

            """)
    }

    @Test func setAppendsANewParameterAndWritesEmptyValuesAsPostconfDoes() {
        var mainCF = MainCF("a = 1\n")
        mainCF.set("b", to: "")
        mainCF.set("c", to: "$b, x")
        #expect(mainCF.text == "a = 1\nb = \nc = $b, x\n")
        #expect(mainCF.value(of: "b") == "")
    }

    @Test func removeTakesContinuationsAndKeepsComments() {
        var mainCF = MainCF(sample)
        let removed = [mainCF.remove("smtpd_recipient_restrictions"), mainCF.remove("myhostname"), mainCF.remove("nonesuch")]
        #expect(removed == [true, true, false])
        #expect(mainCF.text == """
            # See /usr/share/postfix/main.cf.dist

            # Comment lines and blank lines do not end a logical line:
                # the next line continues the parameter above
            mydestination =
            relayhost = [mailhub.example.com]

            """)
    }

    @Test func editsApply() {
        var mainCF = MainCF("a = 1\nb = 2\n")
        mainCF.apply(.set(parameter: "a", value: "x"))
        mainCF.apply(.remove(parameter: "b"))
        mainCF.apply(.removeService(MasterServiceKey(name: "smtp", type: "inet")))
        #expect(mainCF.text == "a = x\n")
    }

    @Test func parameterNames() {
        #expect(MainCF.isParameterName("smtp_generic_maps"))
        #expect(MainCF.isParameterName("x1"))
        #expect(!MainCF.isParameterName(""))
        #expect(!MainCF.isParameterName("a-b"))
        #expect(!MainCF.isParameterName("a b"))
    }

    /// The same edits, made by this model and by the real `postconf -e` / `postconf -X`,
    /// give the same file, character for character; with "\r\n" line breaks, the same file
    /// but for them: postconf keeps "\r\n" on the lines it does not touch, where the model
    /// writes every line with "\n" (Postfix reads the two alike). An unterminated last line
    /// is not among them: postconf leaves it so, and the model ends it.
    @Test(.enabled(if: RealPostconf.isInstalled), arguments: lineEndings.prefix(2))
    func editsMatchTheRealPostconf(ending: String) throws {
        let sample = sample(ending: ending)
        let edits: [PostconfEdit] = [
            .set(parameter: "smtpd_recipient_restrictions", value: "permit_mynetworks, reject"),
            .set(parameter: "myhostname", value: "mta3.example.com"),
            .set(parameter: "relay_domains", value: "example.com, .example.com"),
            .set(parameter: "mydestination", value: ""),
            .remove(parameter: "relayhost"),
            .remove(parameter: "nonesuch"),
            .set(parameter: "indexed", value: "${default_database_type}:${config_directory}/"),
        ]
        try withTemporaryDirectory { directory in
            try write(sample, to: directory + "/main.cf")
            var model = MainCF(sample)
            for edit in edits {
                model.apply(edit)
                var arguments = edit.arguments(configDirectory: directory)
                #expect(arguments.removeFirst() == "postconf")
                let result = try RealPostconf.run(arguments)
                #expect(result.status == 0, "postconf \(arguments): \(result.err)")
                try coolDown(directory + "/main.cf")
            }
            let edited = try read(directory + "/main.cf")
            if ending == "\n" {
                #expect(edited == model.text)
            } else {
                #expect(edited.contains("\r\n"), "postconf kept the lines it did not touch as they were")
                #expect(edited.replacingOccurrences(of: "\r\n", with: "\n") == model.text)
            }
        }
    }

    /// The sample with each line break as a Windows editor writes it ("\r\n"), and with
    /// a carriage return left at the end of the last line, unterminated.
    static let lineEndings = ["\n", "\r\n", "\r\n, last line unterminated"]

    func sample(ending: String) -> String {
        switch ending {
        case "\n": sample
        case "\r\n": sample.replacingOccurrences(of: "\n", with: "\r\n")
        default: sample.replacingOccurrences(of: "\n", with: "\r\n") + "smtpd_banner = $myhostname ESMTP\r"
        }
    }

    /// Both read a file's parameters the same way, whatever its line breaks.
    @Test(.enabled(if: RealPostconf.isInstalled), arguments: lineEndings)
    func valuesMatchTheRealPostconf(ending: String) throws {
        let sample = sample(ending: ending)
        try withTemporaryDirectory { directory in
            try write(sample, to: directory + "/main.cf")
            let model = MainCF(sample)
            let explicit = try RealPostconf.run(["-c", directory, "-n"]).out.split(separator: "\n")
                .map { String($0.prefix { $0 != " " }) }.filter { $0 != "config_directory" }  // what -c sets
            #expect(Set(model.parameters.map(\.0)) == Set(explicit), "the parameters postconf -n lists")
            for (name, value) in model.parameters {
                // postconf prints a run of whitespace as one space.
                let result = try RealPostconf.run(["-c", directory, "-h", name])
                // A carriage return is not collapsed here: one left in a value would show.
                let collapsed = value.split(whereSeparator: { " \t\n".contains($0) }).joined(separator: " ")
                #expect(result.out == collapsed + "\n", "\(name)")
            }
        }
    }
}
