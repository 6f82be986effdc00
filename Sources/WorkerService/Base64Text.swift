/// Standard base64 (RFC 4648 section 4, with `=` padding) of a few bytes, as the worker's hash
/// answers are spelled: laid out on the stack and appended in one copy, without `Data`.
enum Base64Text {
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// How many characters `count` bytes take.
    static func encodedCount(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    /// Writes the base64 text of `bytes` at the start of `output`, which has room for
    /// `encodedCount(bytes.count)` characters.
    static func encode(_ bytes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(output.count >= encodedCount(bytes.count), "no room for the base64 text")
        alphabet.withUTF8Buffer { table in
            var out = 0
            var index = 0
            while index + 3 <= bytes.count {
                let word = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
                output[out] = table[word >> 18 & 63]
                output[out + 1] = table[word >> 12 & 63]
                output[out + 2] = table[word >> 6 & 63]
                output[out + 3] = table[word & 63]
                out += 4
                index += 3
            }
            let rest = bytes.count - index
            if rest > 0 {
                let word = Int(bytes[index]) << 16 | (rest == 2 ? Int(bytes[index + 1]) << 8 : 0)
                output[out] = table[word >> 18 & 63]
                output[out + 1] = table[word >> 12 & 63]
                output[out + 2] = rest == 2 ? table[word >> 6 & 63] : UInt8(ascii: "=")
                output[out + 3] = UInt8(ascii: "=")
            }
        }
    }
}
