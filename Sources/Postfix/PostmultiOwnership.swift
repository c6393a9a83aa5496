/// The parameters postmulti(1) owns: it writes them when it creates, enables, disables,
/// assigns or deports an instance, and reads them to find the instances and their start
/// order. A configuration that changed them behind its back would lose instances.
///
/// postfleet computes them from a playbook's instance list, and writes them itself.
public enum PostmultiOwnership {
    /// `postmulti -e init` writes this into the default main.cf.
    public static let wrapper = "${command_directory}/postmulti -p --"

    /// Owned in the default instance's main.cf.
    public static let defaultInstanceParameters = [
        "multi_instance_directories", "multi_instance_wrapper", "multi_instance_enable",
    ]

    /// Owned in a secondary instance's main.cf.
    public static let secondaryInstanceParameters = [
        "multi_instance_name", "multi_instance_group", "multi_instance_enable", "queue_directory", "data_directory",
    ]

    /// The parameters postmulti owns in `instance`'s main.cf.
    public static func ownedParameters(of instance: PostfixInstance) -> [String] {
        instance.isDefault ? defaultInstanceParameters : secondaryInstanceParameters
    }

    /// Whether postmulti owns `parameter` in `instance`'s main.cf.
    public static func owns(_ parameter: String, in instance: PostfixInstance) -> Bool {
        ownedParameters(of: instance).contains(parameter)
    }

    /// The owned parameters of `instance` with the values postmulti gives them when the host's
    /// instances are `instances` (secondary ones in start order; the default one, if there, is
    /// skipped). A nil value means the parameter is unset (`multi_instance_group` of an
    /// instance in no group).
    ///
    /// The default instance gets `multi_instance_wrapper`, `multi_instance_enable = yes` and
    /// `multi_instance_directories` only when there is a secondary instance: a host without
    /// one is not a multi-instance host, and gets none.
    public static func values(
        for instance: PostfixInstance, among instances: [PostfixInstance]
    ) -> [(name: String, value: String?)] {
        if instance.isDefault {
            let secondary = instances.filter { !$0.isDefault }
            guard !secondary.isEmpty else { return [] }
            return [
                ("multi_instance_wrapper", wrapper),
                ("multi_instance_enable", "yes"),
                ("multi_instance_directories", secondary.map(\.configDirectory).joined(separator: " ")),
            ]
        }
        return [
            ("multi_instance_name", instance.name),
            ("multi_instance_group", instance.group),
            ("multi_instance_enable", instance.enabled ? "yes" : "no"),
            ("queue_directory", instance.queueDirectory),
            ("data_directory", instance.dataDirectory),
        ]
    }

    /// The comment above the owned parameters in a main.cf postfleet writes.
    public static let blockComment = "# Owned by postmulti(1); kept by postfleet"

    /// The lines postfleet appends to a whole main.cf it writes for `instance`: the comment and
    /// `name = value` for each owned parameter that has a value. Empty when there are none.
    public static func block(for instance: PostfixInstance, among instances: [PostfixInstance]) -> String {
        let lines = values(for: instance, among: instances).compactMap { name, value in
            value.map { $0.isEmpty ? "\(name) =" : "\(name) = \($0)" }
        }
        guard !lines.isEmpty else { return "" }
        return ([blockComment] + lines).map { $0 + "\n" }.joined()
    }

    /// The owned parameters as postconf edits: set, or removed when unset.
    public static func edits(for instance: PostfixInstance, among instances: [PostfixInstance]) -> [PostconfEdit] {
        values(for: instance, among: instances).map { name, value in
            value.map { .set(parameter: name, value: $0) } ?? .remove(parameter: name)
        }
    }
}
