import Foundation

extension Duration {
    /// Seconds as sleep(1) and timeout(1) take them: "5", "0.250".
    var shellSeconds: String {
        let ms = Int(seconds * 1000)
        return ms % 1000 == 0 ? String(ms / 1000) : String(format: "%d.%03d", ms / 1000, ms % 1000)
    }

    /// The duration in seconds, as a Double (for reports and JSON).
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
