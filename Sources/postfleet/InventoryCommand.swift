import ArgumentParser

/// Placeholder until the inventory work lands.
struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inventory", abstract: "Show the inventory as ansible-inventory does.")
    func run() async throws { throw ValidationError("inventory is not implemented yet") }
}
