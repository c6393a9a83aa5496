extension SecretText {
    /// `text` (a report, its JSON or JUnit, a command's output) with each of `values` (vault
    /// plaintexts) shown as ``mask``: as written, and as JSON and XML escape it inside a
    /// string. Values shorter than four characters are left alone: they would garble
    /// ordinary words (they stay hidden where postfleet knows them, as in a secret table).
    public static func hiding(_ values: [String], in text: String) -> String {
        var text = text
        for value in values.sorted(by: { $0.count > $1.count }) where value.count >= 4 {
            for form in Set(escapedForms(of: value)) where text.holds(form) {
                text = text.replacingAll(form, with: mask)
            }
        }
        return text
    }

    /// The value as written, as JSON writes it inside a string (Python's escapes, and
    /// JSONEncoder's `\/`), and as XML writes it.
    static func escapedForms(of value: String) -> [String] {
        var quoted = ""
        PythonJSON.writeString(value, to: &quoted)
        let json = String(quoted.dropFirst().dropLast())
        // As the JUnit reports write XML.
        let xml = value.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;")
            .replacingAll("\"", with: "&quot;")
        return [value, json, json.replacingAll("/", with: "\\/"), xml]
    }
}
