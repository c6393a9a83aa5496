import Planning
import Playbook
import Postfix

/// The facts of a host that `desired` and `files` have converged: every rendered file's
/// checksum, every parameter and service as they set them, every instance enabled and
/// running. `serviceSeparator` spaces the master.cf fields as the host would.
func convergedFacts(desired: [InstanceSpec], files: [RenderedFile], serviceSeparator: String = " ") -> HostFacts {
    var checksums: [String: String] = [:]
    var instances: [InstanceFacts] = []
    for spec in desired {
        let mine = files.filter { $0.instance == spec.instance }
        var parameters: [String: String] = ["config_directory": spec.instance.configDirectory]
        var services = ["pickup unix n - y 60 1 pickup"]
        if !mine.contains(where: { $0.kind == .masterCFEdits }) { services.append("smtp inet n - y - - smtpd") }
        for file in mine {
            switch file.kind {
            case .mainCF:
                checksums[file.path] = SHA256.hex(file.contents)
                for (name, value) in MainCF(file.text).parameters { parameters[name] = value }
            case .table:
                checksums[file.path] = SHA256.hex(file.contents)
                checksums[file.path + ".cdb"] = "0"
            case .file:
                checksums[file.path] = SHA256.hex(file.contents)
            case .masterCFEdits:
                for case let .setService(_, line) in file.edits { services.append(line.split(separator: " ").joined(separator: serviceSeparator)) }
            case .masterCF, .mainCFEdits:
                break
            }
        }
        instances.append(InstanceFacts(name: spec.instance.isDefault ? nil : spec.name, group: spec.instance.group,
                                       enabled: true, configDirectory: spec.instance.configDirectory,
                                       parameters: parameters, running: true, masterPID: 200, services: services))
    }
    return HostFacts(postfixVersion: "3.7.11", instances: instances, checksums: checksums, systemdControlled: false)
}
