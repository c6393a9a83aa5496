import Inventory
import Playbook
import Testing

/// Templates as a user writes them: rendered through a playbook table, for a host of a
/// small border cluster.
@Suite struct TemplateTests {
    /// Renders `template` (the file `t.tmpl` beside the playbook) for `host`, with play `vars`.
    func render(
        _ template: String, vars: String = "{}", for host: String = "mta3", inventory yaml: String = exampleInventory
    ) throws -> String {
        try withPlaybookFiles("""
            - hosts: all
              vars: \(vars)
              instances:
                - name: default
                  tables: [{name: t, type: texthash, template: t.tmpl}]
            """, files: ["t.tmpl": template]) { path in
            let playbook = try Playbook.load(path: path)
            let inventory = try inventory(yaml)
            let files = try playbook.render(for: inventory.requireHost(host), inventory: inventory)
            return try #require(files.text(at: "/etc/postfix/t"))
        }
    }

    /// The error rendering `template` for `host` throws, and the template's path.
    func renderError(
        _ template: String, vars: String = "{}", for host: String = "mta3",
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws -> (path: String, error: SourceError) {
        try withPlaybookFiles("""
            - hosts: all
              vars: \(vars)
              instances:
                - name: default
                  tables: [{name: t, type: texthash, template: t.tmpl}]
            """, files: ["t.tmpl": template]) { path in
            let templatePath = String(path.dropLast("playbook.yml".count)) + "t.tmpl"
            do {
                let playbook = try Playbook.load(path: path)
                let inventory = try inventory()
                _ = try playbook.render(for: inventory.requireHost(host), inventory: inventory)
            } catch let error as SourceError {
                return (templatePath, error)
            }
            Issue.record("the template rendered without error", sourceLocation: sourceLocation)
            throw CancellationError()
        }
    }

    // MARK: Variables

    @Test func hostAndInventoryVariables() throws {
        #expect(try render("root\t{{admin}}+root={{inventory_hostname}}\n") == "root\tmtaadmin+root=mta3\n")
        #expect(try render("{{inventory_hostname}} {{ansible_host}}\n") == "mta3 198.18.0.3\n")
        #expect(try render("{{ansible_host}}\n", for: "mta1") == "mta1\n")
        #expect(try render("{{inventory_hostname_short}}\n") == "mta3\n")
    }

    @Test func shortNameIsUpToTheFirstDot() throws {
        let yaml = "all:\n  hosts:\n    mta1.example.com:\n"
        #expect(try render("{{inventory_hostname_short}} {{inventory_hostname}}\n", for: "mta1.example.com", inventory: yaml)
            == "mta1 mta1.example.com\n")
    }

    @Test func playVarsOverrideInventoryVars() throws {
        #expect(try render("{{admin}} {{domain}}\n", vars: "{admin: postmaster}") == "postmaster example.com\n")
    }

    @Test func groupNamesAndGroups() throws {
        #expect(try render("{{group_names}}\n") == "border\n")
        #expect(try render("{{#group_names}}[{{.}}]{{/group_names}}\n", for: "mailhub") == "[hub]\n")
        #expect(try render("{{#groups.border}}{{.}} {{/groups.border}}\n") == "mta1 mta2 mta3 \n")
        #expect(try render("{{groups.hub}}|{{groups.all}}\n") == "mailhub|mta1, mta2, mta3, mailhub\n")
    }

    @Test func playVarsCanBeTemplates() throws {
        let vars = #"{fqdn: "{{inventory_hostname}}.{{domain}}", greeting: "hi {{fqdn}}", relays: "[{{mailhub}}]"}"#
        #expect(try render("{{greeting}} {{relays}}\n", vars: vars) == "hi mta3.example.com [mailhub.example.com]\n")
        #expect(try render("{{fqdn}}\n", vars: vars, for: "mta1") == "mta1.example.com\n")
    }

    @Test func playVarTemplatesFailWhereTheyAreWritten() throws {
        let (path, undefined) = try renderError("{{fqdn}}\n", vars: #"{fqdn: "{{inventory_hostname}}.{{domian}}"}"#)
        let playbook = String(path.dropLast("t.tmpl".count)) + "playbook.yml"
        #expect(firstLine(undefined) == "\(playbook):2:40: error: undefined variable 'domian' for host mta3; did you mean 'domain'?")
        let (_, circle) = try renderError("{{a}}\n", vars: #"{a: "x{{b}}", b: "{{a}}y"}"#)
        #expect(circle.file.hasSuffix("/playbook.yml") && circle.line == 2 && circle.column == 14)
        #expect(circle.message == "the play's variables refer to each other in a circle: a -> b -> a")
        let (_, nested) = try withPlaybookFiles("- hosts: all\n  vars: {list: [a, \"{{b}}\"]}\n") { path in
            do { _ = try Playbook.load(path: path) } catch let error as SourceError { return (path, error) }
            throw CancellationError()
        }
        #expect(nested.line == 2 && nested.column == 20)
        #expect(nested.message == "only a variable's whole string value can be a template, not a string inside a list or mapping; make 'list' a string, or give the item its own variable")
    }

    @Test func aTemplateInAnInventoryValueIsNotWrittenOut() throws {
        let (path, error) = try withPlaybookFiles("""
            - hosts: all
              instances:
                - name: default
                  tables: [{name: t, type: texthash, template: t.tmpl}]
            """, files: ["t.tmpl": "myhostname = {{fqdn}}\n"]) { path in
            let playbook = try Playbook.load(path: path)
            let inventory = try inventory("all:\n  vars: {fqdn: '{{ inventory_hostname }}.example.com'}\n  hosts: {mta1: }\n")
            do {
                _ = try playbook.render(for: inventory.requireHost("mta1"), inventory: inventory)
            } catch let error as SourceError {
                return (String(path.dropLast("playbook.yml".count)) + "t.tmpl", error)
            }
            throw CancellationError()
        }
        #expect(firstLine(error) == "\(path):1:14: error: variable 'fqdn' for host mta1 is '{{ inventory_hostname }}.example.com', a template that would be written out as it is: postfleet renders a variable's value only when it is one of the play's 'vars:'; move it there, or write the value out")
    }

    // MARK: Sections

    @Test func sectionsRepeatOverLists() throws {
        let vars = "{relays: [{host: a.example.com, port: 25}, {host: b.example.com, port: 587}]}"
        #expect(try render("""
            {{#relays}}
            [{{host}}]:{{port}} {{domain}}
            {{/relays}}
            end

            """, vars: vars) == "[a.example.com]:25 example.com\n[b.example.com]:587 example.com\nend\n")
    }

    @Test func sectionsOnValues() throws {
        let vars = "{yes_: true, no_: false, none: null, empty: '', list: [], map: {k: v}, zero: 0}"
        #expect(try render("{{#yes_}}Y{{/yes_}}{{#no_}}N{{/no_}}{{#none}}0{{/none}}{{#empty}}E{{/empty}}{{#list}}L{{/list}}\n", vars: vars) == "Y\n")
        #expect(try render("{{^no_}}!N{{/no_}}{{^none}}!0{{/none}}{{^empty}}!E{{/empty}}{{^list}}!L{{/list}}{{^yes_}}!Y{{/yes_}}\n", vars: vars)
            == "!N!0!E!L\n")
        #expect(try render("{{#map}}{{k}} {{admin}}{{/map}} {{#zero}}z{{.}}{{/zero}}\n", vars: vars) == "v mtaadmin z0\n")
        // The body of a section that is not rendered may use names the host lacks.
        #expect(try render("{{#no_}}{{nonesuch}}{{/no_}}ok\n", vars: vars) == "ok\n")
    }

    // MARK: Text, not HTML

    @Test func postfixDollarsPassThrough() throws {
        #expect(try render("indexed = ${default_database_type}:${config_directory}/\nmyorigin = $mydomain\nx = $(y) ${z?{a}:{b}}\n")
            == "indexed = ${default_database_type}:${config_directory}/\nmyorigin = $mydomain\nx = $(y) ${z?{a}:{b}}\n")
    }

    @Test func nothingIsHTMLEscaped() throws {
        let vars = #"{banner: "<$myhostname> & \"friends\" 'here'"}"#
        #expect(try render("a = {{banner}}\nb = {{{banner}}}\nc = {{&banner}}\n", vars: vars) == """
            a = <$myhostname> & "friends" 'here'
            b = <$myhostname> & "friends" 'here'
            c = <$myhostname> & "friends" 'here'

            """)
    }

    @Test func valuesRenderAsPostfixWantsThem() throws {
        let vars = "{yes_: yes, no_: no, n: 1000, f: 1.5, nothing: null, list: [a, b, 3], map: {b: 1, a: x}}"
        #expect(try render("{{yes_}} {{no_}} {{n}} {{f}} [{{nothing}}] {{list}} {{map}}\n", vars: vars)
            == #"yes no 1000 1.5 [] a, b, 3 {"a": "x", "b": 1}"# + "\n")
    }

    @Test func delimitersCanChange() throws {
        #expect(try render("{{=<% %>=}}\nx = {{literal}} <% admin %>\n") == "x = {{literal}} mtaadmin\n")
    }

    @Test func commentsAndStandaloneTagsLeaveNoBlankLines() throws {
        #expect(try render("{{! a comment }}\na\n{{#group_names}}\n- {{.}}\n{{/group_names}}\nb\n") == "a\n- border\nb\n")
    }

    // MARK: Undefined variables

    @Test func anUndefinedVariableIsAnErrorAtItsTag() throws {
        let (path, error) = try renderError("# generic\nroot\t{{admn}}+root={{inventory_hostname}}\n")
        #expect(error.description == """
            \(path):2:6: error: undefined variable 'admn' for host mta3; did you mean 'admin'?
            root\t{{admn}}+root={{inventory_hostname}}
                \t^
            """)
    }

    @Test func anUndefinedVariableWithoutANearNameSaysWhereToDefineIt() throws {
        let (path, error) = try renderError("a = 1\nb = {{relay_password}}\n")
        #expect(firstLine(error) == "\(path):2:5: error: undefined variable 'relay_password' for host mta3; define it in the inventory or in the play's 'vars:'")
    }

    @Test func undefinedInsideASectionAndInAField() throws {
        func message(_ template: String, vars: String = "{}") throws -> String {
            let (path, error) = try renderError(template, vars: vars)
            #expect(error.file == path)
            return "\(error.line):\(error.column): \(error.message)"
        }
        #expect(try message("{{#relays}}\n{{host}}:{{prot}}\n{{/relays}}\n", vars: "{relays: [{host: a, port: 1}]}")
            == "2:10: undefined variable 'prot' for host mta3; did you mean 'port'?")
        #expect(try message("x {{relay.hots}}\n", vars: "{relay: {host: a}}")
            == "1:3: undefined variable 'relay.hots' for host mta3: 'relay' has no 'hots'; did you mean 'relay.host'?")
        #expect(try message("x {{domain.name}}\n")
            == "1:3: undefined variable 'domain.name' for host mta3: 'domain' is a string, it has no 'name'")
        #expect(try message("{{#extra_maps}}x{{/extra_maps}}\n")
            == "1:1: undefined variable 'extra_maps' for host mta3; define it in the inventory or in the play's 'vars:'")
        // Each item of a list is checked: the second one lacks 'port'.
        #expect(try message("{{#relays}}{{host}}:{{port}} {{/relays}}\n", vars: "{relays: [{host: a, port: 1}, {host: b}]}")
            == "1:21: undefined variable 'port' for host mta3; define it in the inventory or in the play's 'vars:'")
    }

    @Test func theInstanceIsOnlyThereInInstanceFiles() throws {
        #expect(try render("{{instance.name}} {{instance.config_directory}} {{instance.queue_directory}} {{instance.data_directory}} [{{instance.group}}] {{instance.enabled}}\n")
            == "default /etc/postfix /var/spool/postfix /var/lib/postfix [] yes\n")
        let (path, error) = try renderError("{{instance.nme}}\n")
        #expect(firstLine(error) == "\(path):1:1: error: undefined variable 'instance.nme' for host mta3: 'instance' has no 'nme'; did you mean 'instance.name'?")
    }

    // MARK: Syntax

    @Test func unsupportedOrBrokenSyntaxIsFoundWhenLoading() throws {
        func syntaxError(_ template: String) throws -> String {
            let (_, error) = try loadError("""
                - hosts: all
                  instances:
                    - name: default
                      tables: [{name: t, type: texthash, template: t.tmpl}]
                """, files: ["t.tmpl": template])
            #expect(error.file.hasSuffix("/t.tmpl"))
            return "\(error.line):\(error.column): \(error.message)"
        }
        #expect(try syntaxError("a\n{{> partial}}\n") == "2:1: partials and blocks ('{{>...') are not supported in postfleet templates")
        #expect(try syntaxError("{{lowercased(domain)}}") == "1:1: '{{lowercased(domain)}}': transforms such as lowercased(x) are not supported in postfleet templates")
        #expect(try syntaxError("x {{domain\n") == "1:3: '{{' is not closed by '}}'")
        #expect(try syntaxError("{{#a}}{{/b}}") == "1:7: '{{/b}}' does not close '{{#a}}' (line 1, column 1); close it first with '{{/a}}'")
        #expect(try syntaxError("{{/a}}") == "1:1: '{{/a}}' closes no section")
        #expect(try syntaxError("{{}}") == "1:1: empty tag '{{}}': name a variable")
        #expect(try syntaxError("{{a b}}") == "1:1: '{{a b}}' is not a variable: names hold letters, digits, '_', '-' and '.' (for a field, as in instance.name)")
        #expect(try syntaxError("{{% CONTENT_TYPE: HTML }}") == "1:1: postfleet templates are text; the only pragma is '{{% CONTENT_TYPE: TEXT }}', and it is the default")
        #expect(try syntaxError("{{=<%>=}}") == "1:1: a delimiter change is written '{{=<% %>=}}': two delimiters separated by a space")
    }

    @Test func thePragmaForTextIsAllowed() throws {
        #expect(try render("{{% CONTENT_TYPE: TEXT }}\n<{{admin}}>\n") == "<mtaadmin>\n")
    }
}
