/// The postmulti life-cycle operations that take a host from the instances it has
/// (its facts) to the instances a play lists, in the order they must run.
///
/// - `init` first, when secondary instances are wanted and the default instance is not
///   yet set up for them (no `multi_instance_enable = yes` or no wrapper);
/// - `create` for each missing secondary instance, in the play's order (which is the
///   start order), with its group; postmulti creates it disabled;
/// - `assign` when an instance's group differs (`-G -` for none);
/// - `enable` / `disable` when its enabled state differs (a created instance that
///   should run is enabled);
/// - `destroy` for an instance the play marks absent. postmulti refuses unless it is
///   stopped, disabled and its queue is empty, and so does postfleet, before asking:
///   queued mail is never deleted to get there (``destroyBlockers(_:queuedMessages:)``).
///
/// Instances the host has and the play does not mention are left alone.
public enum LifecyclePlan {
    public struct Desired: Sendable, Equatable {
        public var instance: PostfixInstance
        public var present: Bool

        public init(_ instance: PostfixInstance, present: Bool = true) {
            self.instance = instance
            self.present = present
        }
    }

    public static func steps(for desired: [Desired], facts: HostFacts) -> [PostmultiCommand] {
        var steps: [PostmultiCommand] = []
        let wanted = desired.filter { $0.present && !$0.instance.isDefault }
        let main = facts.defaultInstance
        let initialized = main?.parameters["multi_instance_enable"] == "yes"
            && !(main?.parameters["multi_instance_wrapper"] ?? "").isEmpty
        let missing = wanted.filter { facts.instance(configDirectory: $0.instance.configDirectory) == nil }
        if !missing.isEmpty && !initialized {
            steps.append(PostmultiCommand(.action(.`init`), target: nil))
        }
        for d in wanted {
            let i = d.instance
            if let have = facts.instance(configDirectory: i.configDirectory) {
                if have.group != i.group {
                    steps.append(PostmultiCommand(.action(.assign), target: .instance(i.name), newGroup: i.group ?? "-"))
                }
                if have.enabled != i.enabled {
                    steps.append(PostmultiCommand(.action(i.enabled ? .enable : .disable), target: .instance(i.name)))
                }
            } else {
                steps.append(PostmultiCommand(.action(.create), target: .instance(i.name), newGroup: i.group))
                if i.enabled { steps.append(PostmultiCommand(.action(.enable), target: .instance(i.name))) }
            }
        }
        for d in desired where !d.present && !d.instance.isDefault {
            if facts.instance(configDirectory: d.instance.configDirectory) != nil {
                steps.append(PostmultiCommand(.action(.destroy), target: .instance(d.instance.name)))
            }
        }
        return steps
    }

    /// Why an instance cannot be destroyed yet, or an empty list if it can. The plan
    /// never stops, disables or empties an instance to make destruction possible.
    /// A queue that was not counted (`nil`) blocks too: only a queue known to be empty may go.
    public static func destroyBlockers(_ instance: InstanceFacts, queuedMessages: Int?) -> [String] {
        var reasons: [String] = []
        if instance.running { reasons.append("it is running (stop it first)") }
        if instance.enabled { reasons.append("it is enabled (disable it first)") }
        guard let queuedMessages else {
            reasons.append("its queue was not counted")
            return reasons
        }
        if queuedMessages > 0 {
            reasons.append("its queue holds \(queuedMessages) message\(queuedMessages == 1 ? "" : "s") (postfleet never deletes queued mail)")
        }
        return reasons
    }
}
