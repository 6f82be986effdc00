/// The worker's hash, exactly as the contract defines it:
/// `base64(SHA-256(str + lowercase-hex(n random bytes) + hour-of-day))`, n = `str`'s UTF-16 length.
///
/// Pure: randomness and the hour are injected so a test can check a known vector.
public struct HashComputation {
    private var random: any RandomNumberGenerator
    private let hourOfDay: () -> Int

    public init(random: any RandomNumberGenerator, hourOfDay: @escaping () -> Int) {
        self.random = random
        self.hourOfDay = hourOfDay
    }

    /// The 44-character base64 hash of `input`.
    public mutating func hash(_ input: String) -> String {
        let count = input.utf16.count
        var message: [UInt8] = []
        message.reserveCapacity(input.utf8.count + 2 * count + 2)
        message.appendUTF8(input)
        appendRandomHex(count: count, to: &message)
        message.append(contentsOf: String(hourOfDay()).utf8)
        return Base64Text.encode(SHA256Digest.hash(message))
    }

    private mutating func appendRandomHex(count: Int, to message: inout [UInt8]) {
        let digits: StaticString = "0123456789abcdef"
        var remaining = count
        while remaining > 0 {
            var word = random.next()
            for _ in 0..<min(8, remaining) {
                let byte = UInt8(truncatingIfNeeded: word)
                word >>= 8
                digits.withUTF8Buffer { table in
                    message.append(table[Int(byte >> 4)])
                    message.append(table[Int(byte & 0x0F)])
                }
                remaining -= 1
            }
        }
    }
}

