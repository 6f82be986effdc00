extension Array where Element == UInt8 {
    /// Appends a whole number in decimal (with a `-` when negative) without making a string.
    /// Statuses, lengths and counts are mostly short: one to three digits, appended directly.
    public mutating func appendDecimal(_ value: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        if magnitude < 1000 {
            if magnitude >= 100 { append(UInt8(ascii: "0") + UInt8(magnitude / 100)) }
            if magnitude >= 10 { append(UInt8(ascii: "0") + UInt8(magnitude / 10 % 10)) }
            append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            return
        }
        // Up to 20 digits, found from the last, laid out on the stack, appended in order.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var rest = magnitude
            var start = digits.count
            while rest > 0 {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }
}
