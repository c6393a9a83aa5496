// No `import Foundation` in this file: Foundation has a `Host` class too, and a file that
// imports both Foundation and Inventory finds `Host` ambiguous. Such files can write
// `Inventory.Host` (the module's name is also this type's, so `Inventory.` always means the
// struct): these aliases make that work.

extension Inventory {
    /// The inventory's host type, for files that import Foundation (whose `Host` is a class).
    public typealias Host = InventoryHost
    public typealias Group = InventoryGroup
    public typealias Value = InventoryValue
}

/// `Host`, under a name no other module uses.
public typealias InventoryHost = Host
/// `Group`, under a name no other module uses.
public typealias InventoryGroup = Group
/// `Value`, under a name no other module uses.
public typealias InventoryValue = Value
