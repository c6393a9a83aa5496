import Playbook
import Postfix

extension HostPlan {
    /// The default instance's first write on a host without a main.cf, taken out of
    /// `instances`: its whole plan (main.cf, tables, their postmap) with postmulti's
    /// parameters removed, for the apply script to commit before the life-cycle operations
    /// (`postmulti -e init` and `create` read main.cf, and a `multi_instance_directories`
    /// naming a directory that does not exist yet makes postmulti fail). The default
    /// instance's plan keeps its diff and start, and then writes only its main.cf, which
    /// brings postmulti's parameters once the instances exist. Nil when the host has a main.cf.
    static func preparing(_ instances: inout [InstancePlan], facts: HostFacts) -> InstancePlan? {
        guard facts.unconfigured, let i = instances.firstIndex(where: \.instance.isDefault), instances[i].touchesFiles else {
            return nil
        }
        var first = instances[i]
        first.edits += PostmultiOwnership.defaultInstanceParameters.map { PostconfEdit.remove(parameter: $0) }
        first.diff = []
        first.start = false
        first.action = .none
        instances[i].writes = instances[i].writes.filter { $0.kind == .mainCF }
        instances[i].edits = instances[i].edits.filter(\.isMainCF)
        instances[i].postmaps = []
        return first
    }

    /// Why a host without a main.cf cannot get the play's instances: postmulti needs the
    /// default instance's main.cf, and the play gives it none.
    static func freshInstallRefusal(lifecycle: [PostmultiCommand], prepare: InstancePlan?, facts: HostFacts) -> String? {
        guard facts.unconfigured, prepare == nil, !lifecycle.isEmpty else { return nil }
        return "the default instance has no main.cf (Postfix installed with \"No configuration\") and the play gives it none:"
            + " postmulti needs one (list instance 'default' with a main_cf)"
    }
}
