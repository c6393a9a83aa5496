extension PostfixInstance {
    /// The instance with the queue and data directories its host already gives it: an
    /// instance built by hand and adopted with `postmulti -e import` keeps its own, and a
    /// main.cf postfleet writes for it must not move its queue (postmulti owns them, see
    /// ``PostmultiOwnership``). A nil directory keeps the derived one.
    public func keeping(queueDirectory queue: String?, dataDirectory data: String?) -> PostfixInstance {
        PostfixInstance(name: name, group: group, enabled: enabled, configDirectory: configDirectory,
                        queueDirectory: queue ?? queueDirectory, dataDirectory: data ?? dataDirectory)
    }

    init(name: String, group: String?, enabled: Bool, configDirectory: String, queueDirectory: String, dataDirectory: String) {
        self.name = name
        self.group = group
        self.enabled = enabled
        self.configDirectory = configDirectory
        self.queueDirectory = queueDirectory
        self.dataDirectory = dataDirectory
    }
}
