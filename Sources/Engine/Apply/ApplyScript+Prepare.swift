import Planning

extension ApplyScript.Builder {
    /// On a host without a main.cf: the default instance's first files, staged, checked
    /// and committed before the life-cycle operations, which read main.cf (``HostPlan/prepare``).
    /// Its steps are keyed `stage_first0`, `check_first0`, `commit_first0`.
    mutating func prepare(_ plan: InstancePlan?) {
        guard let plan else { return }
        stage([(0, plan)], key: "_first")
        commit([(0, plan)], key: "_first")
    }
}
