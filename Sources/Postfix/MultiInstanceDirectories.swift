/// The default instance's `multi_instance_directories`: every secondary instance's
/// configuration directory, in postmulti's start order. An instance missing from it is
/// lost to postmulti (never started, listed or destroyed), its files and queue left
/// behind; so a rewrite of the default main.cf keeps the host's instances it does not name.
public enum MultiInstanceDirectories {
    public static let parameter = "multi_instance_directories"

    /// What makes a default instance a multi-instance one, as `postmulti -e init` sets it.
    public static let initEdits: [PostconfEdit] = [
        .set(parameter: "multi_instance_wrapper", value: PostmultiOwnership.wrapper),
        .set(parameter: "multi_instance_enable", value: "yes"),
    ]

    /// `value` (the list as written, or nil) with those of `kept` it does not list yet
    /// appended after what it lists (postmulti takes a directory listed twice for two instances).
    public static func appending(_ kept: [String], to value: String?) -> String {
        let listed = value?.split(separator: " ").map(String.init) ?? []
        let names = Set(value?.split(whereSeparator: { ", \t\n".contains($0) }).map(String.init) ?? [])
        return (listed + kept.filter { !names.contains($0) }).joined(separator: " ")
    }

    /// A whole default main.cf keeping `kept` in its list; where it sets no list, it gets
    /// postmulti's parameters too, so the host stays a multi-instance host.
    public static func keeping(_ kept: [String], inMainCF text: String) -> String {
        var main = MainCF(text)
        let current = main.value(of: parameter)
        if current == nil { for edit in initEdits { main.apply(edit) } }
        main.set(parameter, to: appending(kept, to: current))
        return main.text
    }

    /// Edits of a default main.cf keeping `kept` in the list they set (or adding a list,
    /// with postmulti's parameters, where they set none).
    public static func keeping(_ kept: [String], in edits: [PostconfEdit]) -> [PostconfEdit] {
        var edits = edits
        if let i = edits.firstIndex(where: { if case .set(parameter, _) = $0 { true } else { false } }),
           case let .set(_, value) = edits[i] {
            edits[i] = .set(parameter: parameter, value: appending(kept, to: value))
        } else {
            edits += initEdits + [.set(parameter: parameter, value: appending(kept, to: nil))]
        }
        return edits
    }
}
