import Foundation

extension Duration {
    /// Seconds as sleep(1) and timeout(1) take them: "5", "0.250". (A duration from a
    /// playbook is at most a day; a longer one is written as a billion seconds at most.)
    var shellSeconds: String {
        let ms = Int(min(max(seconds, 0), 1e9) * 1000)
        return ms % 1000 == 0 ? String(ms / 1000) : String(format: "%d.%03d", ms / 1000, ms % 1000)
    }

    /// Whole seconds rounded up, from 0 to a billion (for a shell's arithmetic).
    var shellWholeSeconds: Int {
        Int(min(max(seconds, 0), 1e9).rounded(.up))
    }

    /// The duration in seconds, as a Double (for reports and JSON).
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
