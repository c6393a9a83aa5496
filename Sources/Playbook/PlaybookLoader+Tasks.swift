import Inventory
import Yams

/// `tasks:`: the commands and postmulti actions a play runs after its configuration.
extension PlaybookLoader {
    static let taskKeys = ["name", "postmulti", "command", "until", "retries", "delay"]
    static let untilKeys = ["rc", "stdout_contains"]

    func tasks(_ node: Node, context: String) throws(SourceError) -> [PlayTask] {
        if reader.isNull(node) { return [] }
        let items = try reader.list(node, what: "'tasks' of \(context)")
        var tasks: [PlayTask] = []
        for (index, item) in items.enumerated() {
            tasks.append(try task(item, number: index + 1, context: context))
        }
        return tasks
    }

    private func task(_ node: Node, number: Int, context: String) throws(SourceError) -> PlayTask {
        let here = "task \(number) of \(context)"
        guard case .mapping = node else {
            throw reader.error("\(here) must be a mapping with 'postmulti:' or 'command:', not \(reader.kind(node))", at: node)
        }
        let fields = try reader.fields(node, known: Self.taskKeys, context: here,
                                       hint: "a task has 'name' and one of 'postmulti' or 'command'")
        try oneForm(fields, forms: [["postmulti"], ["command"]], context: here, at: node)
        var name: String?
        var action: PlayTask.Action?
        var until: (rc: Int32?, text: String?)?
        var retries: Int?
        var delay: Duration?
        for (key, _, value) in fields {
            switch key {
            case "name": name = reader.isNull(value) ? nil : try reader.string(value, what: "the name of \(here)")
            case "command": action = .command(try reader.string(value, what: "'command' of \(here)"))
            case "postmulti": action = .postmulti(try postmulti(value, context: here))
            case "until":
                _ = try reader.mapping(value, what: "'until' of \(here) (rc: N and/or stdout_contains: TEXT)")
                var condition: (rc: Int32?, text: String?) = (nil, nil)
                for (field, _, item) in try reader.fields(value, known: Self.untilKeys, context: "until of \(here)") {
                    if field == "rc" {
                        condition.rc = Int32(try reader.int(item, what: "'rc' (an exit status)", in: Limits.exitStatus))
                    } else {
                        condition.text = try reader.string(item, what: "'stdout_contains'")
                    }
                }
                guard condition.rc != nil || condition.text != nil else {
                    throw reader.error("'until' needs 'rc:' or 'stdout_contains:'", at: value)
                }
                until = condition
            case "retries":
                retries = try reader.int(value, what: "'retries'", in: Limits.taskRetries)
            case "delay": delay = try reader.duration(value, what: "'delay'")
            default: break
            }
        }
        // As Ansible: with `until`, retries default to 3 and delay to 5 s; attempts = retries + 1
        // (``Limits/taskRetries`` keeps it small).
        var retry: PlayTask.Retry?
        if until != nil || retries != nil {
            retry = PlayTask.Retry(attempts: (retries ?? 3) + 1, delay: delay ?? .seconds(5),
                                   rc: until?.rc ?? (until?.text == nil ? 0 : nil), stdoutContains: until?.text)
        } else if let (_, key, _) = fields.first(where: { $0.name == "delay" }) {
            throw reader.error("'delay' goes with 'until:' or 'retries:'", at: key)
        }
        return PlayTask(name: name, action: action!, mark: reader.mark(node), retry: retry)
    }
}
