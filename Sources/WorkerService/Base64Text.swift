/// Standard base64 (RFC 4648 section 4, with `=` padding) of a few bytes, as the worker's hash
/// answers are spelled: written straight into the string's storage, without `Data`.
enum Base64Text {
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    static func encode(_ bytes: [UInt8]) -> String {
        let length = (bytes.count + 2) / 3 * 4
        guard length > 0 else { return "" }
        return String(unsafeUninitializedCapacity: length) { output in
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
            return length
        }
    }
}
