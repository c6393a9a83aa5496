import Inventory

/// How much one rendering of a template writes, counted while its names are checked and
/// before swift-mustache renders it.
///
/// A section over a list repeats its body once per item, so sections over lists nested
/// inside one another multiply: ninety-five `{{#a}}` over a two-item list are 2^95 bodies
/// from a few hundred bytes of template. Past either bound below the rendering is an error
/// at the tag that went past it, instead of a render that never ends.
struct RenderedSize {
    /// Bytes written for one file of one host: 100 MB. A Postfix table of a million
    /// addresses is tens of megabytes.
    static let byteLimit = 100_000_000
    /// Tags rendered (each value written, each time a section's body is entered) for one
    /// file of one host: a table with a line for each host of a 100,000-host group is a few
    /// hundred thousand.
    static let tagLimit = 1_000_000

    private(set) var bytes = 0
    private(set) var tags = 0

    var isPastLimit: Bool { bytes > Self.byteLimit || tags > Self.tagLimit }

    mutating func add(bytes count: Int) {
        bytes = min(bytes + count, Self.byteLimit + 1)
    }

    mutating func addTag() {
        tags += 1
    }

    func error(in template: Template, at position: TextPosition, host: String) -> SourceError {
        let what = bytes > Self.byteLimit ? "write more than \(Self.byteLimit) bytes" : "render more than \(Self.tagLimit) tags"
        return template.error(
            "rendering this for host \(host) would \(what), the most postfleet renders for one file: sections over lists, nested inside one another, repeat their bodies for every item of every list",
            at: position)
    }
}
