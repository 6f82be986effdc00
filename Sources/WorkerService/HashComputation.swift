/// The worker's hash, exactly as the contract defines it:
/// `base64(SHA-256(str + lowercase-hex(n random bytes) + hour-of-day))`, n = `str`'s UTF-16 length.
///
/// Pure: randomness and the hour are injected so a test can check a known vector.
public struct HashComputation {
    /// Characters in a hash: the base64 of a 32-byte digest.
    public static let textLength = Base64Text.encodedCount(SHA256Digest.byteCount)

    private var random: any RandomNumberGenerator
    private let hourOfDay: () -> Int

    public init(random: any RandomNumberGenerator, hourOfDay: @escaping () -> Int) {
        self.random = random
        self.hourOfDay = hourOfDay
    }

    /// The 44-character base64 hash of `input`.
    public mutating func hash(_ input: String) -> String {
        var text: [UInt8] = []
        appendHash(of: input, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the 44 base64 characters of `input`'s hash to `text`. The message goes to SHA-256
    /// piece by piece, never built as a string or an array: this runs for every request.
    public mutating func appendHash(of input: String, to text: inout [UInt8]) {
        var digest = SHA256Digest()
        var input = input
        input.withUTF8 { digest.update($0) }
        appendRandomHex(count: input.utf16.count, to: &digest)
        let hour = hourOfDay()
        if (0..<100).contains(hour) {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2) { digits in
                digits[0] = UInt8(ascii: "0") + UInt8(hour / 10)
                digits[1] = UInt8(ascii: "0") + UInt8(hour % 10)
                digest.update(UnsafeBufferPointer(rebasing: digits[(hour < 10 ? 1 : 0)...]))
            }
        } else {
            var decimal = String(hour)
            decimal.withUTF8 { digest.update($0) }
        }
        digest.finish { Base64Text.append($0, to: &text) }
    }

    /// Feeds `count` random bytes as lowercase hex, each word's bytes low byte first, through a
    /// small stack buffer.
    private mutating func appendRandomHex(count: Int, to digest: inout SHA256Digest) {
        let digits: StaticString = "0123456789abcdef"
        let chunk = 256
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: chunk) { buffer in
            digits.withUTF8Buffer { table in
                var remaining = count
                var filled = 0
                while remaining > 0 {
                    var word = random.next()
                    for _ in 0..<min(8, remaining) {
                        let byte = Int(truncatingIfNeeded: word & 0xFF)
                        word >>= 8
                        buffer[filled] = table[byte >> 4]
                        buffer[filled + 1] = table[byte & 0x0F]
                        filled += 2
                        remaining -= 1
                    }
                    // A word adds at most 16 characters: flush while there is room for another.
                    if filled > chunk - 16 {
                        digest.update(UnsafeBufferPointer(rebasing: buffer[..<filled]))
                        filled = 0
                    }
                }
                digest.update(UnsafeBufferPointer(rebasing: buffer[..<filled]))
            }
        }
    }
}
