extension HostFacts {
    /// The default instance as the host has it: the first `postmulti -l` lists, in the
    /// configuration directory the host's Postfix was built with (not always /etc/postfix).
    public var defaultInstance: InstanceFacts? { instances.first }

    /// The host's secondary instances, named or not, in start order.
    public var secondaryInstances: ArraySlice<InstanceFacts> { instances.dropFirst() }

    /// Whether the default instance has no main.cf (Postfix installed with debconf's
    /// "No configuration"): nothing that reads a main.cf may run before one is written.
    public var unconfigured: Bool { defaultInstance.map { !$0.configured } ?? false }
}
