import Postfix

/// Why a playbook may not set a parameter postmulti owns, and what sets it instead.
enum OwnedParameterMessage {
    static func message(for name: String, in instance: PostfixInstance) -> String? {
        guard PostmultiOwnership.owns(name, in: instance) else { return nil }
        let how: String
        switch name {
        case "multi_instance_name": how = "it is the instance's 'name:' (\(instance.name))"
        case "multi_instance_group": how = "set the instance's 'group:' instead"
        case "multi_instance_enable":
            how = instance.isDefault
                ? "postfleet sets it to yes when the play has secondary instances"
                : "set the instance's 'enabled:' instead"
        case "queue_directory": how = "postmulti derives it from the instance name (\(instance.queueDirectory))"
        case "data_directory": how = "postmulti derives it from the instance name (\(instance.dataDirectory))"
        case "multi_instance_directories": how = "the order of the play's 'instances:' sets it"
        case "multi_instance_wrapper": how = "postfleet sets it to \(PostmultiOwnership.wrapper)"
        default: how = "remove it"
        }
        return "'\(name)' is owned by postmulti(1), and postfleet sets it from the instance list: \(how); remove it here"
    }
}
