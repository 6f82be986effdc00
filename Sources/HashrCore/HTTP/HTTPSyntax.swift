#if canImport(Glibc)
    import Glibc
#endif

/// Byte classes of RFC 9110's grammar.
enum HTTPSyntax {
    /// `tchar`: what a method or a header name may contain (letters, digits and
    /// ``!#$%&'*+-.^_`|~``). One bit per ASCII byte, tested with a shift instead of a chain of range
    /// comparisons: every byte of every field name passes here.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        let bits: UInt64 = byte < 64 ? 0x03FF_6CFA_0000_0000 : 0x57FF_FFFF_C7FF_FFFE
        return byte < 128 && (bits >> (byte & 63)) & 1 != 0
    }

    /// A field value byte: tab, visible ASCII, space, or obs-text; never another control byte.
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }

    /// Two byte sequences of equal length (the caller checks it), equal but for the case of ASCII
    /// letters: what header names and tokens need.
    static func equalIgnoringASCIICase(_ left: some Sequence<UInt8>, _ right: some Sequence<UInt8>) -> Bool {
        for (a, b) in zip(left, right) where a != b {
            // Equal only as the two cases of one letter.
            let lower = a | 0x20
            if lower != b | 0x20 || lower < UInt8(ascii: "a") || lower > UInt8(ascii: "z") { return false }
        }
        return true
    }

    /// Whether `bytes` spell `lowercase` (lowercase ASCII) but for the case of ASCII letters.
    static func equalsLowercased(_ bytes: some Collection<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { equalIgnoringASCIICase(bytes, $0) }
    }

    /// Whether `string`'s UTF-8 is exactly `bytes`.
    static func spells(_ string: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // Native strings and small ones know their length without counting.
        guard string.utf8.count == bytes.count else { return false }
        guard let base = bytes.baseAddress else { return true }
        return string.utf8.withContiguousStorageIfAvailable { memcmp($0.baseAddress!, base, bytes.count) == 0 }
            ?? string.utf8.elementsEqual(bytes)
    }

    /// `bytes` as a string (invalid UTF-8 repaired), which is `old` itself when it has those bytes:
    /// comparing costs a fraction of making a string, and nothing to free later.
    static func string(_ bytes: UnsafeBufferPointer<UInt8>, reusing old: String) -> String {
        spells(old, bytes) ? old : String(decoding: bytes, as: UTF8.self)
    }

    static func digit(_ byte: UInt8) -> Int? {
        byte >= 0x30 && byte <= 0x39 ? Int(byte - 0x30) : nil
    }

    static func hexDigit(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
