import Inventory
import Postfix
import Yams

/// A mapping's fields, in the order written.
private typealias Fields = [(name: String, key: Node, value: Node)]
/// The instance selectors a task gives (`instance`, `group`, `all`), in the order written.
private typealias Targets = [(name: String, key: Node, target: PostmultiCommand.Target)]

/// A task's `postmulti:`: an action or a command, and the instances it is for.
extension PlaybookLoader {
    static let postmultiKeys = ["action", "exec", "instance", "group", "all", "rename", "config_directory"]

    func postmulti(_ node: Node, context: String) throws(SourceError) -> PostmultiCommand {
        _ = try reader.mapping(node, what: "'postmulti' of \(context)")
        let fields = try reader.fields(node, known: Self.postmultiKeys, context: "postmulti of \(context)")
        if field("action", in: fields) != nil, let exec = field("exec", in: fields) {
            throw reader.error("give either 'action:' or 'exec:', not both", at: exec.key)
        }
        let targets = try postmultiTargets(fields)

        if let (_, value) = field("exec", in: fields) {
            let command = try reader.string(value, what: "'exec' (a command run for each selected instance)")
            try rejectExtras(["rename", "config_directory"], fields: fields, action: "exec")
            let target = try oneTarget(targets, action: "exec", at: node)
            return PostmultiCommand(.exec(command), target: target)
        }
        let action = try postmultiAction(fields, at: node)
        if action.isWrapper {
            try rejectExtras(["rename", "config_directory"], fields: fields, action: action.rawValue)
            return PostmultiCommand(.action(action), target: try oneTarget(targets, action: action.rawValue, at: node))
        }
        switch action {
        case .`init`:
            if let target = targets.first {
                throw reader.error(
                    "'init' takes no '\(target.name)': it sets up the default instance to manage the others", at: target.key)
            }
            try rejectExtras(["rename", "config_directory"], fields: fields, action: "init")
            return PostmultiCommand(.action(.`init`), target: nil)
        case .create, .import: return try newInstance(action, fields: fields, targets: targets, at: node)
        case .assign: return try assign(fields: fields, targets: targets, at: node)
        default: return try oneInstance(action, fields: fields, targets: targets, at: node)
        }
    }

    private func field(_ name: String, in fields: Fields) -> (key: Node, value: Node)? {
        fields.first { $0.name == name }.map { ($0.key, $0.value) }
    }

    /// Which instances: at most one of instance, group, all (in the order written).
    private func postmultiTargets(_ fields: Fields) throws(SourceError) -> Targets {
        var targets: Targets = []
        for (name, key, value) in fields {
            switch name {
            case "instance":
                let instance = try reader.string(value, what: "'instance'")
                if let problem = PostfixInstance.nameProblem(instance) {
                    throw reader.error("bad instance name '\(instance)': \(problem)", at: value)
                }
                targets.append((name, key, .instance(instance)))
            case "group":
                targets.append((name, key, .group(try reader.string(value, what: "'group'"))))
            case "all":
                guard try reader.bool(value, what: "'all'") else {
                    throw reader.error("'all: false' selects nothing; leave it out, or name an instance or a group", at: value)
                }
                targets.append((name, key, .all))
            default:
                break
            }
        }
        return targets
    }

    /// `action:`, with a hint for a misspelled or missing one.
    private func postmultiAction(_ fields: Fields, at node: Node) throws(SourceError) -> PostmultiCommand.Action {
        guard let (_, actionNode) = field("action", in: fields) else {
            throw reader.error(
                "a postmulti task needs 'action:' (\(PostmultiCommand.Action.allCases.map(\.rawValue).joined(separator: ", "))) or 'exec:' (a command)",
                at: node)
        }
        let actionText = try reader.string(actionNode, what: "'action'")
        guard let action = PostmultiCommand.Action(rawValue: actionText) else {
            let all = PostmultiCommand.Action.allCases.map(\.rawValue)
            var message = "unknown postmulti action '\(actionText)'"
            if actionText == "restart" {
                message += "; postmulti has no restart: use a 'stop' task then a 'start' task (or 'reload')"
            } else if let suggestion = Suggestion.nearest(to: actionText, among: all) {
                message += "; did you mean '\(suggestion)'?"
            } else {
                message += "; the actions are \(all.joined(separator: ", "))"
            }
            throw reader.error(message, at: actionNode)
        }
        return action
    }

    /// `create` and `import`: a new secondary instance, with its group and (import) its directory.
    private func newInstance(
        _ action: PostmultiCommand.Action, fields: Fields, targets: Targets, at node: Node
    ) throws(SourceError) -> PostmultiCommand {
        try rejectExtras(action == .create ? ["rename", "all", "config_directory"] : ["rename", "all"],
                         fields: fields, action: action.rawValue)
        guard case let .instance(name)? = targets.first(where: { $0.name == "instance" })?.target else {
            throw reader.error("'\(action.rawValue)' needs 'instance:', the name of the new instance (postfix-...)", at: node)
        }
        if name == PostfixInstance.defaultName {
            throw reader.error("'\(action.rawValue)' makes a secondary instance; name it 'postfix-...'", at: field("instance", in: fields)!.value)
        }
        var group: String?
        if case let .group(newGroup)? = targets.first(where: { $0.name == "group" })?.target { group = newGroup }
        var directory: String?
        if let (_, value) = field("config_directory", in: fields) {
            directory = try reader.string(value, what: "'config_directory'")
            guard directory!.hasPrefix("/") else { throw reader.error("'config_directory' must be an absolute path", at: value) }
        }
        return PostmultiCommand(.action(action), target: .instance(name), newGroup: group, configDirectory: directory)
    }

    /// `assign`: a new group or a new name for one instance.
    private func assign(fields: Fields, targets: Targets, at node: Node) throws(SourceError) -> PostmultiCommand {
        try rejectExtras(["all", "config_directory"], fields: fields, action: "assign")
        guard case let .instance(name)? = targets.first(where: { $0.name == "instance" })?.target else {
            throw reader.error("'assign' needs 'instance:', the instance to rename or regroup", at: node)
        }
        var group: String?
        if case let .group(newGroup)? = targets.first(where: { $0.name == "group" })?.target { group = newGroup }
        var newName: String?
        if let (_, value) = field("rename", in: fields) {
            let text = try reader.string(value, what: "'rename'")
            if let problem = PostfixInstance.nameProblem(text) { throw reader.error("bad instance name '\(text)': \(problem)", at: value) }
            newName = text
        }
        guard group != nil || newName != nil else {
            throw reader.error("'assign' needs 'group:' (the new group) or 'rename:' (the new name)", at: node)
        }
        return PostmultiCommand(.action(.assign), target: .instance(name), newGroup: group, newName: newName)
    }

    /// deport, enable, disable, destroy: one named instance.
    private func oneInstance(
        _ action: PostmultiCommand.Action, fields: Fields, targets: Targets, at node: Node
    ) throws(SourceError) -> PostmultiCommand {
        try rejectExtras(["rename", "config_directory"], fields: fields, action: action.rawValue)
        if let other = targets.first(where: { $0.name != "instance" }) {
            throw reader.error(
                "'\(action.rawValue)' works on one instance: name it with 'instance:', not '\(other.name):'", at: other.key)
        }
        guard case let .instance(name)? = targets.first?.target else {
            throw reader.error("'\(action.rawValue)' needs 'instance:', the instance it works on", at: node)
        }
        if name == PostfixInstance.defaultName, action == .destroy || action == .deport {
            throw reader.error("the default instance cannot be \(action == .destroy ? "destroyed" : "deported")", at: field("instance", in: fields)!.value)
        }
        return PostmultiCommand(.action(action), target: .instance(name))
    }

    private func oneTarget(_ targets: Targets, action: String, at node: Node) throws(SourceError) -> PostmultiCommand.Target {
        guard let first = targets.first else {
            throw reader.error("say which instances '\(action)' is for: 'instance: NAME', 'group: NAME' or 'all: true'", at: node)
        }
        if targets.count > 1 {
            throw reader.error(
                "'\(action)' takes one of 'instance', 'group' or 'all', not both '\(first.name)' and '\(targets[1].name)'",
                at: targets[1].key)
        }
        return first.target
    }

    private func rejectExtras(_ names: [String], fields: Fields, action: String) throws(SourceError) {
        for (name, key, _) in fields where names.contains(name) {
            let use = switch name {
            case "rename": "'rename' is for 'assign'"
            case "config_directory": "'config_directory' is for 'import'"
            default: "it selects instances, and '\(action)' works on one named instance"
            }
            throw reader.error("'\(name)' makes no sense with '\(action)': \(use)", at: key)
        }
    }
}
