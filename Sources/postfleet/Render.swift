import ArgumentParser

/// Placeholder until the playbook work lands.
struct Render: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Render every file a playbook would put on hosts, contacting none.")
    func run() async throws { throw ValidationError("render is not implemented yet") }
}
