/// The worker's hash, exactly as the contract defines it:
/// `base64(SHA-256(str + lowercase-hex(n random bytes) + hour-of-day))`, n = `str`'s UTF-16 length.
///
/// Pure: randomness and the hour are injected so a test can check a known vector. Generic over the
/// generator so that drawing from it is a direct call, not one through an existential box.
public struct HashComputation<Random: RandomNumberGenerator> {
    private var random: Random
    private let hourOfDay: () -> Int

    public init(random: Random, hourOfDay: @escaping () -> Int) {
        self.random = random
        self.hourOfDay = hourOfDay
    }

    /// Characters in a hash: the base64 of a SHA-256 digest.
    static var textLength: Int { Base64Text.encodedCount(SHA256Digest.byteCount) }

    /// Writes the `textLength` characters of the hash of `input` (UTF-8 bytes, and its UTF-16
    /// length) at the start of `output`: the answer being laid out, so that they are written once,
    /// in place. The message goes to SHA-256 piece by piece, never built as a string or an array.
    mutating func writeHash(
        ofUTF8 input: UnsafeBufferPointer<UInt8>, utf16Count: Int, into output: UnsafeMutableBufferPointer<UInt8>
    ) {
        var digest = SHA256Digest()
        digest.update(input)
        appendRandomHex(count: utf16Count, to: &digest)
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
        digest.finish { Base64Text.encode($0, into: output) }
    }

    /// Feeds `count` random bytes as lowercase hex, each word's bytes low byte first, through a
    /// small stack buffer.
    private mutating func appendRandomHex(count: Int, to digest: inout SHA256Digest) {
        let chunk = 256
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: chunk) { characters in
            let buffer = UnsafeMutableRawBufferPointer(characters)
            var remaining = count
            var filled = 0
            while remaining > 0 {
                let word = random.next()
                // A word's 16 characters are written whole; a last, partial word keeps its first ones.
                let low = Self.hex(UInt32(truncatingIfNeeded: word))
                let high = Self.hex(UInt32(truncatingIfNeeded: word >> 32))
                buffer.storeBytes(of: low.littleEndian, toByteOffset: filled, as: UInt64.self)
                buffer.storeBytes(of: high.littleEndian, toByteOffset: filled + 8, as: UInt64.self)
                filled += 2 * min(8, remaining)
                remaining -= min(8, remaining)
                if filled > chunk - 16 {
                    digest.update(UnsafeBufferPointer(rebasing: characters[..<filled]))
                    filled = 0
                }
            }
            digest.update(UnsafeBufferPointer(rebasing: characters[..<filled]))
        }
    }

    /// The 8 lowercase hex characters of 4 bytes, low byte first and each byte's high nibble first,
    /// as the bytes of a little-endian word: every byte at once rather than a table lookup each.
    static func hex(_ bytes: UInt32) -> UInt64 {
        // Byte i moves to byte 2i; its high nibble stays there, its low nibble goes to byte 2i + 1.
        var spread = UInt64(bytes)
        spread = (spread | spread << 16) & 0x0000_FFFF_0000_FFFF
        spread = (spread | spread << 8) & 0x00FF_00FF_00FF_00FF
        let nibbles = (spread >> 4) & 0x000F_000F_000F_000F | (spread & 0x000F_000F_000F_000F) << 8
        // `0`-`9` from 0x30; 10-15 another 39 on, to `a`-`f`.
        let letters = ((nibbles &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
        return nibbles &+ 0x3030_3030_3030_3030 &+ letters &* 39
    }
}
