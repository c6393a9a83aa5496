import Inventory
import Playbook
import Postfix
import Testing

/// A playbook may not set what postmulti(1) owns: postfleet writes those parameters itself,
/// from the instance list, so the fleet never loses track of its instances.
@Suite struct OwnedParameterTests {
    @Test func inParameters() throws {
        let (path, error) = try loadError("""
            - hosts: all
              instances:
                - name: postfix-out
                  main_cf:
                    parameters:
                      myhostname: out.example.com
                      queue_directory: /var/spool/elsewhere
            """)
        #expect(firstLine(error) == "\(path):7:11: error: 'queue_directory' is owned by postmulti(1), and postfleet sets it from the instance list: postmulti derives it from the instance name (/var/spool/postfix-out); remove it here")
    }

    @Test func inRemove() throws {
        let (path, error) = try loadError("""
            - hosts: all
              instances:
                - name: postfix-out
                  main_cf: {remove: [content_filter, multi_instance_group]}
            """)
        #expect(firstLine(error) == "\(path):4:42: error: 'multi_instance_group' is owned by postmulti(1), and postfleet sets it from the instance list: set the instance's 'group:' instead; remove it here")
    }

    @Test func inAWholeFileTemplatePointsAtTheTemplatesLine() throws {
        let (path, error) = try loadError("""
            - hosts: all
              instances:
                - name: default
                  main_cf: {template: templates/main.cf}
            """, files: ["templates/main.cf": """
                # null client
                myhostname = {{inventory_hostname}}.{{domain}}
                multi_instance_directories =
                    /etc/postfix-out
                """])
        let template = String(path.dropLast("playbook.yml".count)) + "templates/main.cf"
        #expect(error.description == """
            \(template):3:1: error: 'multi_instance_directories' is owned by postmulti(1), and postfleet sets it from the instance list: the order of the play's 'instances:' sets it; remove it here
            multi_instance_directories =
            ^
            """)
    }

    @Test func inAWholeFile() throws {
        let (path, error) = try loadError("""
            - hosts: all
              instances:
                - name: postfix-in
                  main_cf: {file: files/main.cf}
            """, files: ["files/main.cf": "a = 1\nmulti_instance_enable = no\n"])
        let file = String(path.dropLast("playbook.yml".count)) + "files/main.cf"
        #expect(firstLine(error) == "\(file):2:1: error: 'multi_instance_enable' is owned by postmulti(1), and postfleet sets it from the instance list: set the instance's 'enabled:' instead; remove it here")
    }

    @Test func eachOwnedParameterHasItsExplanation() throws {
        func message(_ parameter: String, instance: String) throws -> String {
            let (_, error) = try loadError("""
                - hosts: all
                  instances:
                    - name: \(instance)
                      main_cf: {parameters: {\(parameter): x}}
                """)
            return error.message
        }
        #expect(try message("multi_instance_name", instance: "postfix-out").contains("it is the instance's 'name:' (postfix-out)"))
        #expect(try message("data_directory", instance: "postfix-out").contains("(/var/lib/postfix-out)"))
        #expect(try message("multi_instance_wrapper", instance: "default").contains("postfleet sets it to ${command_directory}/postmulti -p --"))
        #expect(try message("multi_instance_enable", instance: "default").contains("postfleet sets it to yes when the play has secondary instances"))
        // Not owned where postmulti does not write them.
        #expect(throws: Never.self) {
            _ = try loadPlaybook("""
                - hosts: all
                  instances:
                    - name: default
                      main_cf: {parameters: {queue_directory: /var/spool/postfix}}
                    - name: postfix-out
                      main_cf: {parameters: {multi_instance_wrapper: x}}
                """)
        }
    }

    /// A template can only produce an owned parameter through a variable; that is caught
    /// when rendering, at the template's path in the playbook.
    @Test func producedByAVariable() throws {
        let (path, error): (String, SourceError) = try withPlaybookFiles("""
            - hosts: all
              vars: {param: queue_directory}
              instances:
                - name: postfix-out
                  main_cf: {template: t}
            """, files: ["t": "{{param}} = /x\n"]) { path in
            let playbook = try Playbook.load(path: path)
            let inventory = try inventory()
            do {
                _ = try playbook.render(for: inventory.requireHost("mta1"), inventory: inventory)
            } catch let error as SourceError {
                return (path, error)
            }
            throw CancellationError()
        }
        #expect(firstLine(error) == "\(path):5:27: error: the main.cf that 't' renders for host mta1 sets 'queue_directory' (its line 1), which postmulti(1) owns; postfleet sets it from the instance list")
    }
}
