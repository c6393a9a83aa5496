/// A duration in seconds to the millisecond, as the JSON and JUnit reports give it:
/// what a reader needs, without the noise of a clock's last digits.
func roundedSeconds(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }

/// An optional JSON field written as `null` when it has no value, where a synthesized
/// `Encodable` would leave the key out: a reader of a report finds every key of its schema.
@propertyWrapper
struct ExplicitNull<Value: Encodable>: Encodable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue {
            try container.encode(wrappedValue)
        } else {
            try container.encodeNil()
        }
    }
}
